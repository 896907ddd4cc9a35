/**
 * The route table: everything the router needs to serve, pushed whole by the daemon over
 * the admin socket, applied atomically and persisted. `validateTable` is pure and reports
 * every problem at once (STYLE.md, Errors), so a bad push names all of its mistakes.
 */
import { Problems, checkRoute, isObject } from './table-checks.js';

/** A table as the daemon builds it from the releases it has deployed. */
export interface Table {
  /** Strictly increasing per push; the router refuses a table older than the one it serves. */
  generation: number;
  /** Routes are matched most specific first (exact host before wildcard, longer prefix first). */
  routes: Route[];
  /** TLS certificates, chosen by SNI host name. @default [] */
  certificates?: Certificate[];
}

export interface Route {
  /** Stable id, e.g. `shop.production.web`; metrics and drain events are keyed by it. */
  id: string;
  /** Exact names (`web.production.shop.localhost`) or one leading wildcard label (`*.example.com`). */
  hosts: string[];
  /** Path prefix matched on segment boundaries: `/api` matches `/api` and `/api/x`, not `/apix`. @default "/" */
  pathPrefix?: string;
  /** Answer plain-HTTP requests with 308 to the same URL on HTTPS. @default false */
  httpsRedirect?: boolean;
  /** Active health check of every instance. Defaults: DESIGN.md's health gate. */
  health?: HealthSettings;
  /** Longest a draining instance keeps in-flight requests before the drain is declared over. @default 30000 */
  drainTimeoutMs?: number;
  /** Keep a client on the release group it first got (for canaries). @default undefined (no stickiness) */
  sticky?: StickySettings;
  /** Per-route limits and upstream timeouts. */
  limits?: RouteLimits;
  /**
   * The service scales to zero: while no instance serves, requests are held (not answered
   * 503) and the router sends a `demand` event so that the daemon starts one. Such a route
   * may have no groups, or groups without instances. @default undefined (no holding)
   */
  hold?: RouteHold;
  /** Release groups sharing the traffic by weight. */
  groups: ReleaseGroup[];
}

export interface RouteHold {
  /** Longest a request is held, in all. @default 30000 */
  timeoutMs?: number;
  /** Requests held at most; more answer 503 with Retry-After. @default 1000 */
  queueSize?: number;
}

export interface HealthSettings {
  /** Path requested with GET; any 2xx or 3xx passes. @default "/healthz" */
  path?: string;
  /** @default 1000 */
  intervalMs?: number;
  /** @default 2000 */
  timeoutMs?: number;
  /** Consecutive passes that make an unhealthy instance healthy again. @default 2 */
  healthyThreshold?: number;
  /** Consecutive failures that take an instance out. @default 3 */
  unhealthyThreshold?: number;
}

export interface StickySettings {
  /** Cookie that names the release group, e.g. `wharf_release`. */
  cookie: string;
  /** Cookie lifetime in seconds; 0 makes it a session cookie. @default 0 */
  maxAgeS?: number;
}

export interface RouteLimits {
  /** In-flight requests per instance before requests queue; 0 means unlimited. @default 0 */
  maxInFlightPerInstance?: number;
  /** Requests that may wait for a free instance; overflow answers 503 with Retry-After. @default 100 */
  queueSize?: number;
  /** Longest wait in that queue. @default 5000 */
  queueTimeoutMs?: number;
  /** @default 5000 */
  connectTimeoutMs?: number;
  /** Time to the first byte of the response head before 504. @default 60000 */
  responseTimeoutMs?: number;
}

/** The instances of one release of the routed service. */
export interface ReleaseGroup {
  /** Release name, e.g. `v7`. */
  release: string;
  /** Relative share of new requests (95 and 5 for a 5 % canary); 0 keeps the group warm but unused. */
  weight: number;
  instances: Instance[];
}

export interface Instance {
  /** Unique within the route. */
  id: string;
  host: string;
  port: number;
  /** No new requests; the daemon hears when its in-flight requests are done. @default false */
  draining?: boolean;
}

export interface Certificate {
  /** Host names served with this certificate (exact or `*.wildcard`). */
  hosts: string[];
  /** PEM certificate chain file. */
  certFile: string;
  /** PEM private key file. */
  keyFile: string;
}

/** Checks `x` (parsed JSON from the admin socket or disk) and returns it typed, or throws SPEC_INVALID listing every problem. */
export function validateTable(x: unknown): Table {
  const p = new Problems();
  if (!isObject(x)) {
    p.add('', 'expected an object');
    return p.throwIfAny(x as Table);
  }
  if (!Number.isSafeInteger(x.generation) || (x.generation as number) < 0) {
    p.add('generation', 'expected a non-negative integer');
  }
  if (!Array.isArray(x.routes)) p.add('routes', 'expected an array');
  else {
    const ids = new Set<string>();
    const claims = new Map<string, string>();
    x.routes.forEach((r, i) => checkRoute(r, `routes.${i}`, p, ids, claims));
  }
  if (x.certificates !== undefined) {
    if (!Array.isArray(x.certificates)) p.add('certificates', 'expected an array');
    else
      x.certificates.forEach((c, i) => {
        const at = `certificates.${i}`;
        if (!isObject(c)) return p.add(at, 'expected an object');
        p.hosts(c.hosts, `${at}.hosts`);
        for (const k of ['certFile', 'keyFile'] as const) {
          if (typeof c[k] !== 'string' || c[k] === '') p.add(`${at}.${k}`, 'expected a file path');
        }
      });
  }
  return p.throwIfAny(x as unknown as Table);
}

/** An empty table: what a router serves before its first push (every request answers 404). */
export function emptyTable(): Table {
  return { generation: 0, routes: [] };
}
