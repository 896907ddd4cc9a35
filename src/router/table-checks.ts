/**
 * The field checks behind `validateTable`: each adds a problem with its dotted path and
 * carries on, so one push reports everything that is wrong with it.
 */
import { WharfError } from '../errors.js';

/** RFC 1123 host name labels, lower case (the router lower-cases Host before matching). */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/; // RFC 9110 §5.6.2, for cookie names

export class Problems {
  readonly list: { path: string; message: string }[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  hosts(x: unknown, at: string): void {
    if (!Array.isArray(x) || x.length === 0) return this.add(at, 'expected a non-empty array of host names');
    x.forEach((h, i) => {
      if (typeof h !== 'string' || !isHostPattern(h)) {
        this.add(`${at}.${i}`, `expected a lower-case host name or *.wildcard, got ${JSON.stringify(h)}`);
      }
    });
  }

  int(x: unknown, at: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
    if (x === undefined) return;
    if (!Number.isSafeInteger(x) || (x as number) < min || (x as number) > max) {
      this.add(at, `expected an integer from ${min} to ${max}, got ${JSON.stringify(x)}`);
    }
  }

  throwIfAny<T>(value: T): T {
    if (this.list.length === 0) return value;
    const lines = this.list.map((p) => `${p.path || '(table)'}: ${p.message}`);
    throw new WharfError('SPEC_INVALID', `route table refused: ${lines.join('; ')}`, {
      hint: 'the router keeps serving its last good table',
      details: this.list,
    });
  }
}

export function isHostPattern(h: string): boolean {
  const labels = (h.startsWith('*.') ? h.slice(2) : h).split('.');
  return h.length <= 253 && labels.every((l) => LABEL.test(l));
}

export function checkRoute(r: unknown, at: string, p: Problems, ids: Set<string>, claims: Map<string, string>): void {
  if (!isObject(r)) return p.add(at, 'expected an object');
  if (typeof r.id !== 'string' || r.id === '') p.add(`${at}.id`, 'expected a non-empty string');
  else if (ids.has(r.id)) p.add(`${at}.id`, `duplicate route id ${JSON.stringify(r.id)}`);
  else ids.add(r.id);
  p.hosts(r.hosts, `${at}.hosts`);
  const prefix = r.pathPrefix ?? '/';
  if (typeof prefix !== 'string' || !prefix.startsWith('/')) p.add(`${at}.pathPrefix`, 'expected a path starting with /');
  else if (Array.isArray(r.hosts)) {
    // Two routes claiming the same host and prefix would make routing depend on their order.
    for (const h of r.hosts) {
      const key = `${String(h)} ${prefix.replace(/\/+$/, '') || '/'}`;
      const other = claims.get(key);
      if (other !== undefined) p.add(`${at}.hosts`, `${key} is already routed by ${other}`);
      else claims.set(key, String(r.id));
    }
  }
  if (r.httpsRedirect !== undefined && typeof r.httpsRedirect !== 'boolean') p.add(`${at}.httpsRedirect`, 'expected a boolean');
  p.int(r.drainTimeoutMs, `${at}.drainTimeoutMs`, 0);
  if (r.health !== undefined) checkHealth(r.health, `${at}.health`, p);
  if (r.sticky !== undefined) {
    if (!isObject(r.sticky) || typeof r.sticky.cookie !== 'string' || !TOKEN.test(r.sticky.cookie)) {
      p.add(`${at}.sticky.cookie`, 'expected a cookie name (RFC 6265 token)');
    } else p.int(r.sticky.maxAgeS, `${at}.sticky.maxAgeS`, 0);
  }
  if (r.limits !== undefined) {
    if (!isObject(r.limits)) p.add(`${at}.limits`, 'expected an object');
    else {
      const l = r.limits;
      p.int(l.maxInFlightPerInstance, `${at}.limits.maxInFlightPerInstance`, 0);
      p.int(l.queueSize, `${at}.limits.queueSize`, 0);
      p.int(l.queueTimeoutMs, `${at}.limits.queueTimeoutMs`, 1);
      p.int(l.connectTimeoutMs, `${at}.limits.connectTimeoutMs`, 1);
      p.int(l.responseTimeoutMs, `${at}.limits.responseTimeoutMs`, 1);
    }
  }
  if (r.hold !== undefined) {
    if (!isObject(r.hold)) p.add(`${at}.hold`, 'expected an object');
    else {
      p.int(r.hold.timeoutMs, `${at}.hold.timeoutMs`, 1);
      p.int(r.hold.queueSize, `${at}.hold.queueSize`, 0);
    }
  }
  checkGroups(r.groups, `${at}.groups`, p, r.hold !== undefined);
}

function checkHealth(h: unknown, at: string, p: Problems): void {
  if (!isObject(h)) return p.add(at, 'expected an object');
  if (h.path !== undefined && (typeof h.path !== 'string' || !h.path.startsWith('/'))) p.add(`${at}.path`, 'expected a path starting with /');
  p.int(h.intervalMs, `${at}.intervalMs`, 10);
  p.int(h.timeoutMs, `${at}.timeoutMs`, 1);
  p.int(h.healthyThreshold, `${at}.healthyThreshold`, 1, 100);
  p.int(h.unhealthyThreshold, `${at}.unhealthyThreshold`, 1, 100);
}

/** A held route (scaled to zero) may have no group and no instance: requests wait for one. */
function checkGroups(g: unknown, at: string, p: Problems, held: boolean): void {
  if (held && Array.isArray(g) && g.length === 0) return;
  if (!Array.isArray(g) || g.length === 0) return p.add(at, 'expected a non-empty array of release groups (or a hold setting)');
  const releases = new Set<string>();
  const instanceIds = new Set<string>();
  g.forEach((grp, i) => {
    const gat = `${at}.${i}`;
    if (!isObject(grp)) return p.add(gat, 'expected an object');
    if (typeof grp.release !== 'string' || grp.release === '') p.add(`${gat}.release`, 'expected a release name like "v7"');
    else if (releases.has(grp.release)) p.add(`${gat}.release`, `duplicate release ${grp.release}`);
    else releases.add(grp.release);
    if (typeof grp.weight !== 'number' || !Number.isFinite(grp.weight) || grp.weight < 0) p.add(`${gat}.weight`, 'expected a number >= 0');
    if (!Array.isArray(grp.instances)) return p.add(`${gat}.instances`, 'expected an array');
    grp.instances.forEach((inst, j) => {
      const iat = `${gat}.instances.${j}`;
      if (!isObject(inst)) return p.add(iat, 'expected an object');
      if (typeof inst.id !== 'string' || inst.id === '') p.add(`${iat}.id`, 'expected a non-empty string');
      else if (instanceIds.has(inst.id)) p.add(`${iat}.id`, `duplicate instance id ${inst.id} in this route`);
      else instanceIds.add(inst.id);
      if (typeof inst.host !== 'string' || inst.host === '') p.add(`${iat}.host`, 'expected a host name or address');
      p.int(inst.port, `${iat}.port`, 1, 65535);
      if (inst.port === undefined) p.add(`${iat}.port`, 'expected a port');
      if (inst.draining !== undefined && typeof inst.draining !== 'boolean') p.add(`${iat}.draining`, 'expected a boolean');
    });
  });
  const total = g.reduce((s: number, grp) => s + (isObject(grp) && typeof grp.weight === 'number' ? grp.weight : 0), 0);
  // A held route with no weight (its last instance draining on the way to zero) holds requests.
  if (total <= 0 && !held) p.add(at, 'expected at least one group with a weight above 0');
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
