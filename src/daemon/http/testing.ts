import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Route } from './context.js';
import { type ControlServer, type ControlServerOptions, startControlServer } from './control-server.js';

/**
 * Test helpers, shipped with the code they test (kamal-proxy's testing.go): a control server
 * on a unix socket in a fresh temp dir and on TCP port 0, and a bare HTTP client that
 * shows exactly what went over the wire.
 */

export interface TestServer {
  server: ControlServer;
  dir: string;
  token: string;
  /** Stops the server and removes the temp dir. */
  close(): Promise<void>;
}

export async function startTestServer(
  routes: readonly Route[],
  options: Partial<Omit<ControlServerOptions, 'routes'>> = {},
): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-http-'));
  const token = options.token ?? 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';
  try {
    const server = await startControlServer({
      socketPath: join(dir, 'wharf.sock'),
      tcp: { host: '127.0.0.1', port: 0 },
      ...options,
      token,
      routes,
    });
    return {
      server,
      dir,
      token,
      async close() {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

export type RawTarget = { socketPath: string } | { port: number };

/** One request on its own connection; `body` as given (a string is sent as JSON). */
export function rawRequest(
  target: RawTarget,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers };
    const where = 'socketPath' in target ? { socketPath: target.socketPath } : { host: '127.0.0.1', port: target.port };
    const req = request({ ...where, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    let answered = false;
    req.on('response', () => (answered = true));
    // A server that refuses a body stops reading it; the write may fail after the answer.
    req.on('error', (e) => answered || reject(e));
    if (options.body !== undefined && options.chunked) {
      // Several writes without a Content-Length: Node sends Transfer-Encoding: chunked.
      const body = Buffer.from(options.body);
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

export interface RawStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Everything received so far. */
  text(): string;
  /** Resolves once `predicate(text)` holds; rejects after `timeoutMs` (a bound, not a timing assertion). */
  waitFor(predicate: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when the server ends the response or the connection drops. */
  ended: Promise<void>;
  close(): void;
}

/** Opens a long-lived GET (an event stream) and accumulates what arrives. */
export function openRawStream(target: RawTarget, path: string, headers: Record<string, string> = {}): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const where = 'socketPath' in target ? { socketPath: target.socketPath } : { host: '127.0.0.1', port: target.port };
    const req = request({ ...where, method: 'GET', path, headers, agent: false }, (res) => {
      let text = '';
      const waiters = new Set<() => void>();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const w of waiters) w();
      });
      const ended = new Promise<void>((done) => res.once('close', done));
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        text: () => text,
        ended,
        close: () => req.destroy(),
        waitFor(predicate, timeoutMs = 10_000) {
          return new Promise((ok, fail) => {
            const check = (): void => {
              if (!predicate(text)) return;
              waiters.delete(check);
              clearTimeout(timer);
              ok(text);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`stream condition not met within ${timeoutMs} ms; received:\n${text}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}
