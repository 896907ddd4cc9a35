/**
 * Real upstream servers for router tests (shipped, like kamal-proxy's testing.go): each
 * listens on 127.0.0.1 port 0 and is stopped with close(). No mocks: the router talks TCP
 * to them exactly as it talks to app instances.
 */
import http from 'node:http';
import net from 'node:net';

export interface Upstream {
  port: number;
  /** Requests received (health checks included). */
  readonly hits: { method: string; url: string; headers: http.IncomingHttpHeaders; remotePort?: number }[];
  close(): Promise<void>;
}

function tracked(server: net.Server, hits: Upstream['hits']): Promise<Upstream> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        hits,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

export interface EchoOptions {
  /** Name echoed in the `x-upstream` header and body, to tell instances apart. */
  name?: string;
  /** Status of /healthz (change it later through `health.status`). @default 200 */
  health?: { status: number };
  /** Status of every other answer, overriding `?status`. */
  status?: number;
  /** Wait before every answer (health checks excepted), added to `?delay`. */
  delayMs?: number;
}

/**
 * Answers every request with a JSON echo of what it received: method, url, headers and body.
 * `?status=N` answers with status N; `?delay=MS` waits first; `?bytes=N` sends N bytes.
 */
export function startEcho(o: EchoOptions = {}): Promise<Upstream & { health: { status: number } }> {
  const hits: Upstream['hits'] = [];
  const health = o.health ?? { status: 200 };
  const name = o.name ?? 'echo';
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, remotePort: req.socket.remotePort ?? 0 });
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/healthz') {
      res.writeHead(health.status, { 'x-upstream': name }).end('health\n');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (): void => {
        const bytes = url.searchParams.get('bytes');
        const body =
          bytes !== null
            ? 'x'.repeat(Number(bytes))
            : JSON.stringify({ upstream: name, method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(o.status ?? Number(url.searchParams.get('status') ?? 200), { 'content-type': 'application/json', 'x-upstream': name, 'keep-alive': 'timeout=5' });
        res.end(body);
      };
      const delay = Number(url.searchParams.get('delay') ?? 0) + (o.delayMs ?? 0);
      if (delay > 0) setTimeout(reply, delay);
      else reply();
    });
  });
  return tracked(server, hits).then((u) => Object.assign(u, { health }));
}

/** An echo server that takes `delayMs` to answer anything but its health check. */
export function startSlow(delayMs: number, name = 'slow'): Promise<Upstream & { health: { status: number } }> {
  return startEcho({ name, delayMs });
}

/** Accepts connections and reads requests but never answers (health checks included). */
export function startSilent(): Promise<Upstream> {
  const hits: Upstream['hits'] = [];
  const server = net.createServer((s) => {
    s.on('data', () => hits.push({ method: '?', url: '?', headers: {} }));
    s.on('error', () => {});
  });
  return tracked(server, hits);
}

/**
 * A raw TCP server that answers /healthz with a valid 200 (so the instance stays in
 * rotation) and hands every other request's first bytes to `misbehave`.
 */
function startRaw(misbehave: (s: net.Socket) => void): Promise<Upstream> {
  const hits: Upstream['hits'] = [];
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', (d) => {
      const [method = '', url = ''] = d.toString('latin1').split(' ');
      if (url === '/healthz') return void s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      hits.push({ method, url, headers: {} });
      misbehave(s);
    });
  });
  return tracked(server, hits);
}

/**
 * Resets connections: `before-response` right after reading a request head; `mid-response`
 * after sending the head and part of a body that promised more.
 */
export function startResetting(mode: 'before-response' | 'mid-response'): Promise<Upstream> {
  return startRaw((s) => {
    if (mode === 'mid-response') s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial');
    setImmediate(() => s.resetAndDestroy());
  });
}

/** Answers every request with bytes that are not HTTP. */
export function startInvalidHttp(): Promise<Upstream> {
  return startRaw((s) => s.end('this is not HTTP\r\n\r\n'));
}

/** A port on which nothing listens (bound then released), for connection-refused cases. */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
