import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stat, unlink } from 'node:fs/promises';
import { DEFAULT_API_BODY_LIMIT_BYTES } from '../../defaults.js';
import { WharfError } from '../../errors.js';
import { bearerAuth } from './bearer-auth.js';
import { localActor, tcpCaller, unixCaller } from './caller.js';
import type { Route } from './context.js';
import { createDispatch } from './dispatch.js';
import { type ErrorLog, sendError } from './errors-to-response.js';
import { Router } from './router.js';
import { clearSocketPath, listenUnix } from './unix-socket.js';

export interface ControlServerOptions {
  /** The local CLI's listener; created 0600. */
  socketPath: string;
  /** The dashboard's and remote clients' listener; every request needs the bearer token. Port 0 picks one. */
  tcp?: { host: string; port: number };
  token: string;
  routes: readonly Route[];
  /** @default DEFAULT_API_BODY_LIMIT_BYTES */
  bodyLimitBytes?: number;
  /** Receives the errors that became 500s, with their stacks. @default console.error */
  log?: ErrorLog;
}

export interface ControlServer {
  socketPath: string;
  /** The bound address, with the port the system picked when 0 was asked for. */
  tcp?: { host: string; port: number; url: string };
  /** Closes both listeners and every open connection (streams too), and removes the socket file. */
  stop(): Promise<void>;
}

/**
 * The control API's two listeners over one router. The unix socket trusts the file mode
 * (only the daemon's user can connect); TCP trusts nothing but the bearer token, checked
 * before routing, so an unauthenticated caller cannot even learn which paths exist.
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const log: ErrorLog = options.log ?? ((message, error) => console.error(message, error));
  const dispatch = createDispatch({
    router: new Router(options.routes),
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_API_BODY_LIMIT_BYTES,
    log,
  });
  const actor = localActor();
  const authorised = bearerAuth(options.token);
  const unauthorized = new WharfError('UNAUTHORIZED', 'unauthorized');

  await clearSocketPath(options.socketPath);
  const unix = createServer((req, res) => void dispatch(req, res, unixCaller(req, actor)));
  await listenUnix(unix, options.socketPath);
  // After listening, a listener error (accept() out of descriptors) is logged, not a crash.
  unix.on('error', (e) => log('control API unix listener error', e));
  const socketIno = (await stat(options.socketPath)).ino;

  let tcp: Server | undefined;
  let tcpAddress: ControlServer['tcp'];
  if (options.tcp !== undefined) {
    tcp = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (!authorised(req)) {
        // The body is not read: close rather than let an anonymous caller stream into us.
        if (!req.complete) res.setHeader('connection', 'close');
        sendError(res, unauthorized);
        return;
      }
      void dispatch(req, res, tcpCaller(req));
    });
    try {
      await listenTcp(tcp, options.tcp.host, options.tcp.port);
    } catch (e) {
      await closeServer(unix);
      await unlink(options.socketPath).catch(() => undefined);
      throw e;
    }
    tcp.on('error', (e) => log('control API TCP listener error', e));
    const bound = tcp.address() as AddressInfo;
    const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
    tcpAddress = { host: bound.address, port: bound.port, url: `http://${host}:${bound.port}` };
  }

  return {
    socketPath: options.socketPath,
    ...(tcpAddress === undefined ? {} : { tcp: tcpAddress }),
    async stop() {
      await Promise.all([closeServer(unix), tcp === undefined ? undefined : closeServer(tcp)]);
      // libuv unlinks the path as the listener closes; what is left, if still ours (not a
      // newer daemon's socket at the same path), goes too.
      const now = await stat(options.socketPath).catch(() => undefined);
      if (now?.ino === socketIno) await unlink(options.socketPath).catch(() => undefined);
    },
  };
}

function listenTcp(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: NodeJS.ErrnoException): void =>
      reject(
        e.code === 'EADDRINUSE'
          ? new WharfError('CONFLICT', `${host}:${port} is already in use`, { hint: 'choose another API port', cause: e })
          : e,
      );
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

/** close() waits for open connections; long-lived streams would hold it forever, so they are cut. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
