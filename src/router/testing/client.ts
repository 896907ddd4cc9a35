/**
 * A small HTTP client for router tests: sets any Host header (fetch cannot) and returns
 * status, headers and body as text. Pass an `agent` to reuse keep-alive connections.
 */
import http from 'node:http';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  host: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: http.Agent | false;
}

/** `addr` is `HOST:PORT` as printed by the router's ready line. */
export function request(addr: string, o: RequestOptions): Promise<Reply> {
  const [hostname, port] = splitAddr(addr);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname,
        port,
        path: o.path ?? '/',
        method: o.method ?? 'GET',
        headers: { host: o.host, ...o.headers },
        agent: o.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

export function splitAddr(addr: string): [string, number] {
  const i = addr.lastIndexOf(':');
  return [addr.slice(0, i).replace(/^\[|\]$/g, ''), Number(addr.slice(i + 1))];
}
