/**
 * Host and path-prefix matching, built once per table so a request costs one map lookup
 * and a short scan. Exact hosts win over wildcards; within a host, the longest prefix wins.
 */
import type { Route } from './table.js';

interface Entry<R> {
  prefix: string;
  route: R;
}

export class RouteIndex<R extends Pick<Route, 'hosts' | 'pathPrefix'>> {
  private readonly exact = new Map<string, Entry<R>[]>();
  /** Keyed by the suffix after `*`, e.g. `.example.com`. */
  private readonly wildcard = new Map<string, Entry<R>[]>();

  constructor(routes: readonly R[]) {
    for (const route of routes) {
      const prefix = normalisePrefix(route.pathPrefix ?? '/');
      for (const h of route.hosts) {
        const [map, key] = h.startsWith('*.') ? [this.wildcard, h.slice(1)] : [this.exact, h];
        const list = map.get(key) ?? [];
        list.push({ prefix, route });
        list.sort((a, b) => b.prefix.length - a.prefix.length);
        map.set(key, list);
      }
    }
  }

  /** `host` is the Host header as received; `path` the request target (origin form). */
  match(host: string | undefined, path: string): R | undefined {
    if (host === undefined) return undefined;
    const name = hostName(host);
    const hit = pick(this.exact.get(name), path);
    if (hit !== undefined) return hit;
    // `*.example.com` matches exactly one more label, like TLS wildcard certificates (RFC 6125 §6.4.3).
    const dot = name.indexOf('.');
    return dot > 0 ? pick(this.wildcard.get(name.slice(dot)), path) : undefined;
  }
}

function pick<R>(entries: Entry<R>[] | undefined, path: string): R | undefined {
  if (entries === undefined) return undefined;
  for (const e of entries) if (prefixMatches(e.prefix, path)) return e.route;
  return undefined;
}

/** `/api` matches `/api`, `/api/…`, `/api?…`, never `/apix`. */
export function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === '/') return true;
  if (!path.startsWith(prefix)) return false;
  const next = path.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
}

function normalisePrefix(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** Lower-cases the Host header and strips the port and a trailing dot (RFC 9110 §7.2, RFC 3986 §3.2.2). */
export function hostName(host: string): string {
  let h = host;
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1).toLowerCase() : h.toLowerCase();
  }
  const colon = h.indexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h.toLowerCase();
}
