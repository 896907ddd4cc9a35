/**
 * The router's live view of one instance: load, health, ejection, drain, its pool of
 * keep-alive upstream connections and its figures. Three independent conditions decide
 * whether it gets new requests (see health-state.ts for the health machine):
 *
 *   health:   healthy ⇄ unhealthy            (active checks)
 *   ejection: in → ejected → in              (passive: consecutive failures; ends at a time)
 *   drain:    serving → draining → drained   (table marks it draining or drops it; one way)
 */
import type { Candidate } from './balancer.js';
import { type HealthCounters } from './health-state.js';
import { Stats } from './stats.js';
import { UpstreamPool } from './upstream-pool.js';

export type DrainState = 'serving' | 'draining' | 'drained';

export class Backend implements Candidate {
  health: HealthCounters = { state: 'healthy', streak: 0 };
  drain: DrainState = 'serving';
  ejectedUntil = 0;
  timesEjected = 0;
  consecutiveFailures = 0;
  /** In-flight limit from the route's limits; 0 = none. */
  maxInFlight = 0;
  readonly stats = new Stats();
  /** Keep-alive connections to this instance (upstream-pool.ts). */
  readonly pool: UpstreamPool;
  /** Called when in-flight drops to 0 (drain completion) or below the limit (queue). */
  onRelease: ((b: Backend) => void) | undefined;

  constructor(
    readonly id: string,
    readonly host: string,
    readonly port: number,
    readonly release: string,
  ) {
    this.pool = new UpstreamPool(host, port);
  }

  get inFlight(): number {
    return this.stats.inFlight;
  }

  get ejected(): boolean {
    // Most instances are never ejected: skip the clock read on the balancer's hot path.
    return this.ejectedUntil !== 0 && this.ejectedUntil > Date.now();
  }

  get full(): boolean {
    return this.maxInFlight > 0 && this.stats.inFlight >= this.maxInFlight;
  }

  get serving(): boolean {
    return this.drain === 'serving' && !this.full;
  }

  get eligible(): boolean {
    return this.serving && this.health.state === 'healthy' && !this.ejected;
  }

  begin(): void {
    this.stats.inFlight++;
  }

  end(): void {
    this.stats.inFlight--;
    this.onRelease?.(this);
  }

  close(): void {
    this.pool.destroy();
  }
}

/** Identity of an instance across table pushes: same route, id and address keeps its state. */
export function backendKey(routeId: string, id: string, host: string, port: number): string {
  return `${routeId}\u0000${id}\u0000${host}:${port}`;
}
