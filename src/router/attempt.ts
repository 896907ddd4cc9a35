/**
 * One try of an exchange on one instance, over a pooled upstream connection. It is the
 * connection's listener, so no per-request closures or event subscriptions are made on the
 * hot path; small responses that arrive in one read go to the client in one write.
 */
import type { Backend } from './backend.js';
import type { Exchange } from './exchange.js';
import { downstreamResponseHeaders, hasBody, upstreamRequestHeaders } from './headers.js';
import type { Proxy } from './proxy.js';
import type { ResponseHead } from './response-parser.js';
import { shouldRetry, type AttemptOutcome } from './retry-policy.js';
import type { GroupRuntime } from './route-runtime.js';
import type { UpstreamConn, UpstreamListener } from './upstream-pool.js';

const SMALL_BODY = 16 * 1024;

export class Attempt implements UpstreamListener {
  requestComplete = false;
  private conn: UpstreamConn | undefined;
  private timer: NodeJS.Timeout | undefined;
  private settled = false;
  private responded = false;
  private status = 0;
  private readonly bodied: boolean;
  private readonly chunked: boolean;
  /** Body bytes of the current read, written with the head or at the end of the read. */
  private held: Buffer | undefined;

  constructor(
    private readonly proxy: Proxy,
    private readonly x: Exchange,
    private readonly b: Backend,
    private readonly g: GroupRuntime,
  ) {
    this.bodied = hasBody(x.req.headers);
    this.chunked = x.req.headers['transfer-encoding'] !== undefined;
  }

  start(): void {
    const { x, b, g } = this;
    x.attempts++;
    x.backend = b;
    x.group = g;
    x.attempt = this;
    b.begin();
    g.stats.inFlight++;
    b.pool.acquire(this, x.route!.limits.connectTimeoutMs);
  }

  onReady(conn: UpstreamConn): void {
    if (this.settled) return conn.destroy();
    this.conn = conn;
    const { req } = this.x;
    const headers = upstreamRequestHeaders(req.rawHeaders, { clientIp: this.x.clientIp, proto: this.x.proto, requestId: this.x.requestId });
    // The client's chunked framing went with the hop-by-hop fields; the router re-frames the body.
    const framing = this.chunked ? 'Transfer-Encoding: chunked\r\n' : '';
    conn.send(this, `${req.method} ${req.url} HTTP/1.1\r\n${headers}${framing}\r\n`, req.method === 'HEAD');
    if (!this.bodied) return this.sent();
    req.consume(
      (d) => {
        if (this.settled) return;
        const ok = this.chunked ? conn.write(`${d.length.toString(16)}\r\n`) && conn.write(d) && conn.write('\r\n') : conn.write(d);
        if (!ok) {
          req.pause();
          conn.socket.once('drain', () => req.resume());
        }
      },
      () => {
        if (this.settled) return;
        if (this.chunked) conn.write('0\r\n\r\n');
        this.sent();
      },
    );
  }

  /** The whole request is out: the response timeout starts. A timeout is not retried (the instance may still act on it). */
  private sent(): void {
    this.requestComplete = true;
    if (this.responded || this.settled) return;
    this.timer = setTimeout(() => {
      this.conn?.destroy();
      this.finish(504, true);
      this.proxy.fail(this.x, 504, 'response-timeout');
    }, this.x.route!.limits.responseTimeoutMs);
  }

  onHead(h: ResponseHead): void {
    const { x, g } = this;
    this.responded = true;
    clearTimeout(this.timer);
    this.status = h.status;
    if ((h.status === 502 || h.status === 503 || h.status === 504) && this.retryable({ kind: 'response', status: h.status })) {
      this.conn?.destroy(); // its body is not wanted; the connection cannot be reused half-read
      return this.retry({ kind: 'response', status: h.status }, h.status, 'upstream-status');
    }
    const out = downstreamResponseHeaders(h.raw);
    const sticky = x.route!.route.sticky;
    if (sticky !== undefined && x.stickyRelease !== g.release) {
      const age = sticky.maxAgeS ? `; Max-Age=${sticky.maxAgeS}` : '';
      out.push('Set-Cookie', `${sticky.cookie}=${g.release}; Path=/; HttpOnly; SameSite=Lax${age}`);
    }
    x.res.writeHead(h.status, h.reason, out);
  }

  onBody(chunk: Buffer): boolean {
    if (this.settled) return true;
    if (this.held === undefined) {
      this.held = chunk;
      return true;
    }
    const ok = this.x.res.write(this.held);
    this.held = chunk;
    if (!ok) this.x.res.once('drain', () => this.conn?.resume());
    return ok;
  }

  /** End of one read from the instance: whatever is held goes out now (streaming responses stay streaming). */
  onFlush(): void {
    if (this.held === undefined || this.settled) return;
    const ok = this.x.res.write(this.held);
    this.held = undefined;
    if (!ok) {
      this.conn?.socket.pause();
      this.x.res.once('drain', () => this.conn?.resume());
    }
  }

  onEnd(): void {
    if (this.settled) return;
    const held = this.held;
    this.held = undefined;
    if (held === undefined) this.x.res.end();
    // A small body as a latin1 string (byte for byte) lets Node send head and body in one write()
    // instead of a writev of two buffers, which costs far more per request (see bench/router/RESULTS.md).
    else if (held.length <= SMALL_BODY) this.x.res.end(held.toString('latin1'), 'latin1');
    else this.x.res.end(held);
    this.finish(this.status, this.status >= 500);
    this.x.end(this.status, this.proxy.log);
  }

  onFailure(kind: 'connect' | 'reset' | 'invalid', _message: string): void {
    if (this.settled) return;
    if (this.responded && kind !== 'invalid') {
      // Too late for another status: cut the client connection so it sees the truncation.
      this.finish(this.status, true);
      this.x.end(this.status, this.proxy.log, 'upstream-reset-mid-response');
      this.x.res.destroy();
      return;
    }
    if (kind === 'connect') return this.retry({ kind: 'connect-failed' }, 502, 'connect-failed');
    if (kind === 'invalid') return this.retry({ kind: 'response', status: 502 }, 502, 'invalid-response');
    this.retry({ kind: 'reset-after-send' }, 502, 'upstream-reset');
  }

  /** The client went away first: stop, and do not count it against the instance. */
  clientClosed(): void {
    if (this.settled) return;
    this.conn?.destroy();
    this.finish(499, false);
  }

  private retryable(o: AttemptOutcome): boolean {
    return !this.x.res.destroyed && shouldRetry(o, { method: this.x.req.method, hasBody: this.bodied, attempts: this.x.attempts });
  }

  private retry(o: AttemptOutcome, status: number, error: string): void {
    this.finish(o.kind === 'response' ? o.status : 0, true);
    if (this.retryable(o)) {
      this.x.route!.stats.retries++;
      this.g.stats.retries++;
      this.b.stats.retries++;
      return this.proxy.attempt(this.x, this.b, { status, error });
    }
    if (this.x.res.headersSent) {
      this.x.end(status, this.proxy.log, error);
      this.x.res.destroy();
      return;
    }
    this.proxy.fail(this.x, status, error);
  }

  /** Books the attempt's outcome on its instance and group, exactly once. */
  private finish(status: number, failed: boolean): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    const { b, g } = this;
    const now = Date.now();
    const ms = performance.now() - this.x.start;
    b.stats.finish(status, ms, now);
    g.stats.finish(status, ms, now);
    g.stats.inFlight--;
    this.x.route!.outcome(b, g, failed);
    b.end();
  }
}
