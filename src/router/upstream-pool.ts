/**
 * Keep-alive connections to one instance, reused last-in-first-out (the hottest stay warm,
 * the rest idle out). Each connection carries one exchange at a time (no pipelining: a
 * slow response would hold up the next). Event handlers are attached once per connection,
 * not per request — most of the cost of node:http's client is that per-request set-up.
 *
 *   connecting ──▶ busy ──response complete, reusable──▶ idle ──reused──▶ busy
 *        │           │                                     │
 *        └───────────┴──── error, close, not reusable ─────┴──▶ closed
 */
import net from 'node:net';
import type { ProtocolError } from './http1-syntax.js';
import { ResponseParser, type ResponseHead } from './response-parser.js';

/** What an attempt hears from its connection. */
export interface UpstreamListener {
  /** The whole request has been written; a connection whose request was cut short is never reused. */
  readonly requestComplete: boolean;
  /** The connection is open (at once for a reused one). */
  onReady(conn: UpstreamConn): void;
  onHead(head: ResponseHead): void;
  /** Returns false to ask for a pause until `conn.resume()`. */
  onBody(chunk: Buffer): boolean;
  onEnd(): void;
  /** The bytes of one read have all been handed to onBody. */
  onFlush(): void;
  /** `connect`: never opened; `reset`: closed or failed before a complete response; `invalid`: not HTTP. */
  onFailure(kind: 'connect' | 'reset' | 'invalid', message: string): void;
}

/** Idle connections older than this are closed, before a typical app server's 5 s keep-alive ends. */
export const UPSTREAM_IDLE_MS = 4_000;
const MAX_IDLE = 512;

export class UpstreamConn {
  listener: UpstreamListener | undefined;
  idleSince = 0;
  private readonly parser: ResponseParser;
  private reusable = true;
  private headSeen = false;
  connected = false;

  constructor(
    private readonly pool: UpstreamPool,
    readonly socket: net.Socket,
  ) {
    this.parser = new ResponseParser({
      onHead: (h) => {
        this.headSeen = true;
        if (!h.keepAlive) this.reusable = false;
        this.listener?.onHead(h);
      },
      onBody: (c) => {
        if (this.listener?.onBody(c) === false) socket.pause();
      },
      onEnd: (clean) => {
        const l = this.listener;
        // An answer that came before the whole request body went out (an early 413, say)
        // leaves the instance expecting more body: the next request would be read as body.
        if (!clean || l?.requestComplete === false) this.reusable = false;
        this.listener = undefined;
        this.pool.done(this, this.reusable);
        l?.onEnd();
      },
    });
    socket.on('data', (d: Buffer) => this.data(d));
    socket.on('close', () => this.closed());
    socket.on('error', () => {}); // reported through 'close'
  }

  /** Sends a request head (and, for requests without a body, everything). */
  send(listener: UpstreamListener, head: string, isHeadRequest: boolean): void {
    this.listener = listener;
    this.headSeen = false;
    this.parser.reset(isHeadRequest);
    this.socket.write(head, 'latin1');
  }

  write(chunk: Buffer | string): boolean {
    return this.socket.write(chunk);
  }

  resume(): void {
    this.socket.resume();
  }

  /** Abandons the exchange: the connection cannot be reused with a response half-read. */
  destroy(): void {
    this.listener = undefined;
    this.socket.destroy();
  }

  private data(d: Buffer): void {
    if (this.listener === undefined) {
      // Bytes nobody asked for: the instance is out of step with us.
      this.socket.destroy();
      return;
    }
    try {
      const l = this.listener;
      this.parser.execute(d);
      l.onFlush();
    } catch (e) {
      const l = this.listener;
      this.listener = undefined;
      this.socket.destroy();
      l?.onFailure('invalid', (e as ProtocolError).message);
    }
  }

  private closed(): void {
    this.pool.forget(this);
    const l = this.listener;
    this.listener = undefined;
    if (l === undefined) return;
    if (!this.connected) return l.onFailure('connect', 'connection failed');
    if (this.parser.close()) return; // an until-close body ended normally (onEnd ran)
    l.onFailure('reset', this.headSeen ? 'connection closed mid-response' : 'connection closed before a response');
  }
}

export class UpstreamPool {
  private readonly idle: UpstreamConn[] = [];
  private readonly all = new Set<UpstreamConn>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  /** Gives `listener` a connection: a reused idle one at once, or a new one when it connects. */
  acquire(listener: UpstreamListener, connectTimeoutMs: number): UpstreamConn {
    const reused = this.idle.pop();
    if (reused !== undefined) {
      reused.listener = listener;
      listener.onReady(reused);
      return reused;
    }
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    const conn = new UpstreamConn(this, socket);
    conn.listener = listener;
    this.all.add(conn);
    socket.setTimeout(connectTimeoutMs, () => socket.destroy());
    socket.once('connect', () => {
      socket.setTimeout(0);
      conn.connected = true;
      conn.listener?.onReady(conn);
    });
    return conn;
  }

  /** An exchange ended: keep the connection for the next one if it can be reused. */
  done(conn: UpstreamConn, reusable: boolean): void {
    if (!reusable || this.idle.length >= MAX_IDLE || conn.socket.destroyed) {
      conn.socket.destroy();
      return;
    }
    conn.idleSince = Date.now();
    this.idle.push(conn);
    if (this.sweeper === undefined) {
      this.sweeper = setInterval(() => this.sweep(), 1_000);
      this.sweeper.unref();
    }
  }

  forget(conn: UpstreamConn): void {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
  }

  get connections(): number {
    return this.all.size;
  }

  destroy(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const c of [...this.all]) c.socket.destroy();
  }

  private sweep(): void {
    const limit = Date.now() - UPSTREAM_IDLE_MS;
    // The idle stack is oldest first: close from the bottom until a fresh one.
    while (this.idle.length > 0 && this.idle[0]!.idleSince < limit) this.idle.shift()!.socket.destroy();
    if (this.idle.length === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}

/**
 * One request without a body over `pool`, its answer read and dropped: true once the
 * response has ended, false on a failure or after `timeoutMs` (the connection is then
 * closed). For the daemon's warm-up and the benches; the router's own path is attempt.ts.
 */
export function exchange(pool: UpstreamPool, head: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const settle = (answered: boolean): void => {
      clearTimeout(timer);
      resolve(answered);
    };
    const listener: UpstreamListener = {
      requestComplete: true,
      onReady: (c) => c.send(listener, head, false),
      onHead: () => {},
      onBody: () => true,
      onFlush: () => {},
      onEnd: () => settle(true),
      onFailure: () => settle(false),
    };
    const conn = pool.acquire(listener, timeoutMs);
    timer = setTimeout(() => {
      conn.destroy();
      settle(false);
    }, timeoutMs);
  });
}
