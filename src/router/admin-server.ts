/**
 * The router's end of the admin socket. Created with umask 177 so the socket is 0600 from
 * the moment it exists (a chmod after bind would leave a window).
 */
import fs from 'node:fs';
import net from 'node:net';
import { asWharfError } from '../errors.js';
import { lineReader, type AdminOps, type AdminRequest, type AdminResponse } from './admin-protocol.js';

export class AdminServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly ops: AdminOps) {
    this.server = net.createServer((s) => this.serve(s));
  }

  listen(socketPath: string): Promise<void> {
    // A socket file left by a crashed router would make bind fail with EADDRINUSE.
    try {
      if (fs.lstatSync(socketPath).isSocket()) fs.unlinkSync(socketPath);
    } catch {
      /* absent */
    }
    const old = process.umask(0o177); // socket files get 0777 & ~umask = 0600
    try {
      return new Promise((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(socketPath, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(old);
    }
  }

  /** Stops accepting; open connections may still get their answers (libuv removes the socket file). */
  stopAccepting(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close();
      // close()'s callback waits for every connection; the socket file is gone as soon as close() returns.
      setImmediate(resolve);
    });
  }

  /** Stops accepting and closes the connections (the socket file is removed by libuv). */
  close(): Promise<void> {
    for (const s of this.sockets) s.end();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(s: net.Socket): void {
    this.sockets.add(s);
    let unsubscribe: (() => void) | undefined;
    const send = (msg: unknown): void => {
      if (!s.destroyed) s.write(JSON.stringify(msg) + '\n');
    };
    s.on(
      'data',
      lineReader(
        (line) =>
          void this.handle(line, send, () => {
            if (unsubscribe !== undefined) return;
            const drains = this.ops.onDrain((data) => send({ event: 'drain', data }));
            const demands = this.ops.onDemand((data) => send({ event: 'demand', data }));
            unsubscribe = () => (drains(), demands());
          }),
        () => {
          send({ id: 0, ok: false, error: { code: 'PAYLOAD_TOO_LARGE', message: 'admin request too large' } });
          s.destroy();
        },
      ),
    );
    s.on('error', () => {});
    s.on('close', () => {
      this.sockets.delete(s);
      unsubscribe?.();
    });
  }

  private async handle(line: string, send: (m: AdminResponse) => void, subscribe: () => void): Promise<void> {
    let id = 0;
    try {
      const req = JSON.parse(line) as AdminRequest;
      id = typeof req.id === 'number' ? req.id : 0;
      send({ id, ok: true, result: await this.run(req, subscribe) });
    } catch (e) {
      const err = e instanceof SyntaxError ? asWharfError(e, 'BAD_REQUEST') : asWharfError(e);
      send({ id, ok: false, error: err.toJSON() });
    }
  }

  private async run(req: AdminRequest, subscribe: () => void): Promise<unknown> {
    switch (req.op) {
      case 'pushTable':
        return this.ops.pushTable(req.table);
      case 'getTable':
        return this.ops.getTable();
      case 'metrics':
        return this.ops.metrics();
      case 'drainEvents':
        return this.ops.drainEvents();
      case 'restart':
        return this.ops.restart();
      case 'subscribe':
        subscribe();
        return { subscribed: ['drain', 'demand'] };
      default:
        throw asWharfError(new Error(`unknown admin op ${JSON.stringify(req.op)}`), 'BAD_REQUEST');
    }
  }
}
