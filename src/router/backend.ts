/**
 * The router's live view of one instance: load, health, ejection, drain, its pool of
 * keep-alive upstream connections and its figures. Three independent conditions decide
 * whether it gets new requests (see health-state.ts for the health machine):
 *
 *   health:   healthy ⇄ unhealthy            (active checks)
 *   ejection: in → ejected → in              (passive: consecutive failures; ends at a time)
 *   drain:    serving → draining → drained   (table marks it draining or drops it; one way)
 */
import http from 'node:http';
import type { Candidate } from './balancer.js';
import { type HealthCounters } from './health-state.js';
import { Stats } from './stats.js';

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
  /**
   * One pool per instance. LIFO reuse keeps the hottest sockets busy and lets the rest idle
   * out; the free-socket timeout stays below Node's default server keep-alive (5 s) so the
   * router closes an idle upstream connection before the instance does (the keep-alive race).
   */
  readonly agent = new http.Agent({ keepAlive: true, maxFreeSockets: 1024, scheduling: 'lifo', timeout: 4_000 });
  /** Called when in-flight drops to 0 (drain completion) or below the limit (queue). */
  onRelease: ((b: Backend) => void) | undefined;

  constructor(
    readonly id: string,
    readonly host: string,
    readonly port: number,
    readonly release: string,
  ) {}

  get inFlight(): number {
    return this.stats.inFlight;
  }

  get ejected(): boolean {
    return this.ejectedUntil > Date.now();
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
    this.agent.destroy();
  }
}

/** Identity of an instance across table pushes: same route, id and address keeps its state. */
export function backendKey(routeId: string, id: string, host: string, port: number): string {
  return `${routeId}\u0000${id}\u0000${host}:${port}`;
}
