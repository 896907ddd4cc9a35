import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import { ERROR_CODES, type ErrorCode, WharfError } from '../errors.js';

/**
 * The wire under ApiTransport: one HTTP exchange with the daemon over its unix socket or
 * over TCP, and the translation of what can go wrong into WharfErrors the CLI can print.
 * Each exchange has its own connection (agent: false): over a local socket that costs
 * little, and no pooled connection can be closed under us by the server's keep-alive timer.
 */

/** Wharf's own clients; the daemon records the name in the audit log (X-Wharf-Client). */
export type TransportClient = 'cli' | 'dashboard' | 'slack';

export type Endpoint =
  | { socketPath: string; client: TransportClient }
  | { url: URL; token: string; client: TransportClient };

export interface Exchange {
  method: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer;
  signal?: AbortSignal;
}

/** node:https, and TLS under it, loaded for an https endpoint only: ~15 ms of every CLI start otherwise. */
const lazyRequire = createRequire(import.meta.url);
const httpsRequest = (options: import('node:https').RequestOptions) => (lazyRequire('node:https') as typeof import('node:https')).request(options);

const NOT_RUNNING_HINT = 'start it with `wharf up` or `wharf daemon`';

/** Resolves with the response as soon as its head arrives; the caller reads the body. */
export function open(endpoint: Endpoint, exchange: Exchange): Promise<IncomingMessage> {
  const headers: OutgoingHttpHeaders = { 'x-wharf-client': endpoint.client, ...exchange.headers };
  if (exchange.body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = exchange.body.length;
  }
  const common = { method: exchange.method, headers, agent: false as const, signal: exchange.signal };
  return new Promise((resolve, reject) => {
    let req;
    if ('socketPath' in endpoint) {
      req = httpRequest({ ...common, socketPath: endpoint.socketPath, path: exchange.path });
    } else {
      const { url } = endpoint;
      headers.authorization = `Bearer ${endpoint.token}`;
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const base = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
      // URL keeps an IPv6 literal in brackets; the socket layer wants the bare address.
      const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
      req = send({ ...common, protocol: url.protocol, hostname, port: url.port, path: base + exchange.path });
    }
    let answered = false;
    req.once('response', (res) => {
      answered = true;
      resolve(res);
    });
    // After the answer, a write error only means the server stopped reading a body it
    // refused (413, 401): the answer is what counts.
    req.on('error', (e) => {
      if (!answered) reject(connectionError(e, endpoint));
    });
    req.end(exchange.body);
  });
}

export function connectionError(e: unknown, endpoint: Endpoint): WharfError {
  const code = (e as NodeJS.ErrnoException).code;
  const where = 'socketPath' in endpoint ? endpoint.socketPath : endpoint.url.origin;
  if (code === 'ABORT_ERR') return new WharfError('DAEMON_UNREACHABLE', `the request to ${where} was aborted`, { cause: e });
  if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    return new WharfError('DAEMON_NOT_RUNNING', `the Wharf daemon is not running (nothing listens on ${where})`, {
      hint: NOT_RUNNING_HINT,
      cause: e,
    });
  }
  if (code === 'EACCES') {
    return new WharfError('DAEMON_UNREACHABLE', `no permission to connect to ${where}`, {
      hint: 'the socket belongs to the user who started the daemon: run as that user',
      cause: e,
    });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new WharfError('DAEMON_UNREACHABLE', `cannot reach the Wharf daemon at ${where}: ${message}`, {
    hint: 'socketPath' in endpoint ? NOT_RUNNING_HINT : 'check the URL and that the daemon listens on TCP',
    cause: e,
  });
}

export async function readBody(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Rebuilds the daemon's WharfError from its `{ error: { code, message, hint, details } }` answer. */
export function errorFromResponse(status: number, raw: Buffer): WharfError {
  let body: { error?: { code?: unknown; message?: unknown; hint?: unknown; details?: unknown } } | undefined;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    body = undefined;
  }
  const e = body?.error;
  const code = typeof e?.code === 'string' && e.code in ERROR_CODES ? (e.code as ErrorCode) : codeForStatus(status);
  const message = typeof e?.message === 'string' ? e.message : `the daemon answered ${status}`;
  let hint = typeof e?.hint === 'string' ? e.hint : undefined;
  if (code === 'UNAUTHORIZED') hint ??= 'the TCP API needs the token in the data dir’s api-token file';
  return new WharfError(code, message, { hint, details: e?.details });
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 405) return 'METHOD_NOT_ALLOWED';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status >= 400 && status < 500) return 'BAD_REQUEST';
  return 'INTERNAL';
}
