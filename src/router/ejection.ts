/**
 * Passive outlier ejection (Envoy's outlier detection, consecutive-5xx flavour): after N
 * consecutive failures an instance is left out for base × times-ejected, capped, and never
 * more than half of a group is out at once so that ejection cannot cause an outage.
 */
import { DEFAULT_EJECT_BASE_MS, DEFAULT_EJECT_CONSECUTIVE_FAILURES, DEFAULT_EJECT_MAX_MS } from '../defaults.js';

export interface EjectionPolicy {
  consecutiveFailures: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_EJECTION: EjectionPolicy = {
  consecutiveFailures: DEFAULT_EJECT_CONSECUTIVE_FAILURES,
  baseMs: DEFAULT_EJECT_BASE_MS,
  maxMs: DEFAULT_EJECT_MAX_MS,
};

/** How long the `times`-th ejection (1-based) lasts. */
export function ejectionMs(times: number, p: EjectionPolicy = DEFAULT_EJECTION): number {
  return Math.min(p.baseMs * Math.max(1, times), p.maxMs);
}

/** Whether one more instance of a group of `size` may be ejected while `ejectedNow` are out. */
export function mayEject(size: number, ejectedNow: number): boolean {
  return (ejectedNow + 1) * 2 <= size;
}

/** Whether an upstream outcome counts towards ejection: connection failures and 5xx answers. */
export function isFailure(status: number | 'connect-failed'): boolean {
  return status === 'connect-failed' || status >= 500;
}
