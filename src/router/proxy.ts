/**
 * Forwarding: one client request → (at most two) attempts on instances → one response.
 * Bodies are streamed both ways with back-pressure; nothing is buffered beyond one read.
 *
 * Attempt outcomes and what the client gets:
 *   connection not opened (refused, connect timeout) → retry once elsewhere, else 502
 *   reset before a response → retry if safe (retry-policy.ts), else 502
 *   invalid HTTP from the instance → 502       no response head in time → 504
 *   502/503/504 from the instance → retry if safe, else passed through
 *   reset after the response head → the client connection is cut (the status is gone)
 */
import { DEFAULT_ROUTER_RETRY_AFTER_S } from '../defaults.js';
import type { AccessLog } from './access-log.js';
import { Attempt } from './attempt.js';
import type { Backend } from './backend.js';
import { sendError } from './error-page.js';
import { Exchange } from './exchange.js';
import type { FrontRequest, FrontResponse } from './front-message.js';
import { cookieValue, requestIdOf } from './headers.js';
import type { RouterCounters } from './metrics.js';
import type { RouteRuntime } from './route-runtime.js';
import type { RouterState } from './router-state.js';

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
  readonly random: () => number;
  readonly log: AccessLog | undefined;

  constructor(private readonly o: ProxyOptions) {
    this.random = o.random ?? Math.random;
    this.log = o.log;
  }

  handle(req: FrontRequest, res: FrontResponse, proto: 'http' | 'https'): void {
    const x = new Exchange(req, res, proto, requestIdOf(req.headers['x-request-id']), req.socket.remoteAddress ?? '');
    if (this.o.closing?.() === true) res.shouldKeepAlive = false;
    const route = this.o.state.match(req.headers.host, req.url);
    if (route === undefined) {
      if (this.o.counters !== undefined) this.o.counters.unrouted++;
      return this.fail(x, 404, 'no-route');
    }
    x.route = route;
    route.stats.inFlight++;
    if (proto === 'http' && route.route.httpsRedirect === true) {
      // 308 keeps the method and body, unlike 301 (RFC 9110 §15.4.9).
      res.writeHead(308, undefined, { location: `https://${req.headers.host ?? ''}${req.url}`, 'content-length': 0 });
      res.end();
      return x.end(308, this.log);
    }
    const sticky = route.route.sticky;
    if (sticky !== undefined) x.stickyRelease = cookieValue(req.headers.cookie, sticky.cookie);
    res.onceClosed(() => {
      x.attempt?.clientClosed();
      x.end(499, this.log, 'client-closed'); // nginx's "client closed request"
    });
    this.attempt(x, undefined, undefined);
  }

  /** Starts an attempt on a chosen instance; `exclude` is the instance a retry must avoid. */
  attempt(x: Exchange, exclude: Backend | undefined, previous: { status: number; error: string } | undefined): void {
    const route = x.route!;
    if (x.res.destroyed) return;
    const pick = route.pick(x.stickyRelease, exclude, this.random);
    if (pick !== undefined) return new Attempt(this, x, pick.instance, pick.group).start();
    if (previous !== undefined) return this.fail(x, previous.status, previous.error);
    if (route.holding) return this.hold(x, route);
    if (!route.saturated()) return this.fail(x, 503, 'no-instance', RETRY_AFTER);
    void route.waitForSlot().then((ok) => (ok ? this.attempt(x, undefined, undefined) : this.fail(x, 503, 'queue-full', RETRY_AFTER)));
  }

  /** The service is at zero: the request waits for the table that brings an instance. */
  private hold(x: Exchange, route: RouteRuntime): void {
    void route.hold().then((next) => {
      if (typeof next === 'string') return this.fail(x, 503, next, RETRY_AFTER);
      if (next !== route) {
        // The exchange moves to the route of the new table, and its in-flight count with it.
        route.stats.inFlight--;
        next.stats.inFlight++;
        x.route = next;
      }
      this.attempt(x, undefined, undefined);
    });
  }

  fail(x: Exchange, status: number, error: string, extra?: Record<string, string>): void {
    if (!x.res.destroyed) sendError(x.res, status, x.requestId, extra);
    x.end(status, this.log, error);
  }
}
