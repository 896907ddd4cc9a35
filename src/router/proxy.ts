/**
 * Forwarding: one client request → (at most two) attempts on instances → one response.
 * Bodies are streamed both ways; nothing is buffered beyond the streams' own windows.
 *
 * Attempt outcomes and what the client gets:
 *   connection not opened (refused, connect timeout) → retry once elsewhere, else 502
 *   reset before a response → retry if safe (retry-policy.ts), else 502
 *   invalid HTTP from the instance → 502       no response head in time → 504
 *   502/503/504 from the instance → retry if safe, else passed through
 *   reset after the response head → the client connection is cut (the status is gone)
 */
import http from 'node:http';
import type { AccessLog } from './access-log.js';
import type { Backend } from './backend.js';
import { sendError } from './error-page.js';
import { Exchange } from './exchange.js';
import { cookieValue, downstreamResponseHeaders, hasBody, requestIdOf, upstreamRequestHeaders } from './headers.js';
import { shouldRetry, type AttemptOutcome } from './retry-policy.js';
import type { RouterCounters } from './metrics.js';
import type { RouterState } from './router-state.js';
import { DEFAULT_ROUTER_RETRY_AFTER_S } from '../defaults.js';

export interface ProxyOptions {
  state: RouterState;
  log?: AccessLog | undefined;
  random?: () => number;
  counters?: RouterCounters;
  /** True while this process hands over to a new one: answers carry `Connection: close`. */
  closing?: () => boolean;
}

const RETRY_AFTER = { 'retry-after': String(DEFAULT_ROUTER_RETRY_AFTER_S) };

export class Proxy {
  private readonly random: () => number;

  constructor(private readonly o: ProxyOptions) {
    this.random = o.random ?? Math.random;
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse, proto: 'http' | 'https'): void {
    const x = new Exchange(req, res, proto, requestIdOf(req.headers['x-request-id']), req.socket.remoteAddress ?? '');
    if (this.o.closing?.() === true) res.shouldKeepAlive = false;
    const route = this.o.state.match(req.headers.host, req.url ?? '/');
    if (route === undefined) {
      if (this.o.counters !== undefined) this.o.counters.unrouted++;
      return this.fail(x, 404, 'no-route');
    }
    x.route = route;
    route.stats.inFlight++;
    if (proto === 'http' && route.route.httpsRedirect === true) {
      // 308 keeps the method and body, unlike 301 (RFC 9110 §15.4.9).
      const location = `https://${req.headers.host ?? ''}${req.url ?? '/'}`;
      res.writeHead(308, { location, 'content-length': 0 });
      res.end();
      return x.end(308, this.o.log);
    }
    const sticky = route.route.sticky;
    if (sticky !== undefined) x.stickyRelease = cookieValue(req.headers.cookie, sticky.cookie);
    // A client that disconnects mid-body makes `req` emit an error; the attempt's close handler cleans up.
    req.on('error', () => {});
    res.on('close', () => {
      if (!res.writableFinished) x.end(499, this.o.log, 'client-closed'); // nginx's "client closed request"
    });
    this.attempt(x, undefined, undefined);
  }

  private attempt(x: Exchange, exclude: Backend | undefined, previous: { status: number; error: string } | undefined): void {
    const route = x.route!;
    if (x.res.destroyed) return;
    const pick = route.pick(x.stickyRelease, exclude, this.random);
    if (pick === undefined) {
      if (previous !== undefined) return this.fail(x, previous.status, previous.error);
      if (!route.saturated()) return this.fail(x, 503, 'no-instance', RETRY_AFTER);
      void route.waitForSlot().then((ok) => (ok ? this.attempt(x, undefined, undefined) : this.fail(x, 503, 'queue-full', RETRY_AFTER)));
      return;
    }
    const { instance: b, group: g } = pick;
    const { req, res } = x;
    x.attempts++;
    x.backend = b;
    x.group = g;
    b.begin();
    g.stats.inFlight++;
    const bodied = hasBody(req.headers);
    const headers = upstreamRequestHeaders(req.rawHeaders, { clientIp: x.clientIp, proto: x.proto, requestId: x.requestId });
    // The client's chunked framing was removed with the hop-by-hop fields; ask Node to re-frame.
    if (req.headers['transfer-encoding'] !== undefined) headers.push('Transfer-Encoding', 'chunked');
    const up = http.request({ host: b.host, port: b.port, method: req.method, path: req.url, headers, agent: b.agent, setHost: false });
    const limits = route.limits;
    let connected = false;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;

    const finishAttempt = (status: number, failed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const now = Date.now();
      const ms = performance.now() - x.start;
      b.stats.finish(status, ms, now);
      g.stats.finish(status, ms, now);
      g.stats.inFlight--;
      route.outcome(b, g, failed);
      b.end();
    };
    const retryOrFail = (o: AttemptOutcome, status: number, error: string): void => {
      finishAttempt(o.kind === 'response' ? o.status : 0, true);
      up.destroy();
      if (!res.destroyed && shouldRetry(o, { method: req.method ?? 'GET', hasBody: bodied, attempts: x.attempts })) {
        route.stats.retries++;
        g.stats.retries++;
        b.stats.retries++;
        return this.attempt(x, b, { status, error });
      }
      this.fail(x, status, error);
    };
    const sendBody = (): void => {
      connected = true;
      clearTimeout(timer);
      if (bodied) req.pipe(up);
      up.once('finish', () => {
        // A timeout is not retried: the instance may still be working on the request.
        timer = setTimeout(() => {
          finishAttempt(504, true);
          up.destroy();
          this.fail(x, 504, 'response-timeout');
        }, limits.responseTimeoutMs);
      });
    };
    if (!bodied) up.end();
    up.on('socket', (s) => {
      if (!s.connecting) return sendBody();
      timer = setTimeout(() => retryOrFail({ kind: 'connect-failed' }, 502, 'connect-timeout'), limits.connectTimeoutMs);
      s.once('connect', sendBody);
    });
    let responded = false;
    up.on('error', (err: NodeJS.ErrnoException) => {
      if (settled || responded) return;
      if (!connected) return retryOrFail({ kind: 'connect-failed' }, 502, 'connect-failed');
      if (err.code?.startsWith('HPE_') === true) return retryOrFail({ kind: 'response', status: 502 }, 502, 'invalid-response');
      retryOrFail({ kind: 'reset-after-send' }, 502, 'upstream-reset');
    });
    up.on('response', (upRes) => {
      responded = true;
      clearTimeout(timer);
      const status = upRes.statusCode ?? 502;
      if ((status === 502 || status === 503 || status === 504) && !res.destroyed) {
        if (shouldRetry({ kind: 'response', status }, { method: req.method ?? 'GET', hasBody: bodied, attempts: x.attempts })) {
          upRes.resume();
          return retryOrFail({ kind: 'response', status }, status, 'upstream-status');
        }
      }
      const out = downstreamResponseHeaders(upRes.rawHeaders);
      const sticky = route.route.sticky;
      if (sticky !== undefined && x.stickyRelease !== g.release) {
        const age = sticky.maxAgeS ? `; Max-Age=${sticky.maxAgeS}` : '';
        out.push('Set-Cookie', `${sticky.cookie}=${g.release}; Path=/; HttpOnly; SameSite=Lax${age}`);
      }
      res.writeHead(status, upRes.statusMessage, out);
      upRes.pipe(res);
      upRes.on('end', () => {
        finishAttempt(status, status >= 500);
        x.end(status, this.o.log);
      });
      const cut = (): void => {
        if (settled) return;
        finishAttempt(status, true);
        x.end(status, this.o.log, 'upstream-reset-mid-response');
        res.destroy();
      };
      upRes.on('aborted', cut);
      upRes.on('error', cut);
    });
    res.once('close', () => {
      if (settled) return;
      // The client went away first: stop the attempt and give its connection back closed.
      finishAttempt(499, false);
      up.destroy();
    });
  }

  private fail(x: Exchange, status: number, error: string, extra?: Record<string, string>): void {
    if (!x.res.destroyed) sendError(x.res, status, x.requestId, extra);
    x.end(status, this.o.log, error);
  }
}
