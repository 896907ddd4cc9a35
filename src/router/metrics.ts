/**
 * The figures snapshot the daemon reads every second over the admin socket (and the
 * Prometheus page renders): per route, per release group, per instance.
 */
import type { Health } from './health-state.js';
import type { RouterState } from './router-state.js';
import type { Figures } from './stats.js';

export interface InstanceMetrics extends Figures {
  id: string;
  host: string;
  port: number;
  health: Health;
  ejected: boolean;
  /** `serving`, `draining` or `drained`. */
  drain: string;
}

export interface GroupMetrics extends Figures {
  release: string;
  weight: number;
  instances: InstanceMetrics[];
}

export interface RouteMetrics extends Figures {
  id: string;
  groups: GroupMetrics[];
}

export interface MetricsSnapshot {
  /** Milliseconds since the epoch when the snapshot was taken. */
  time: number;
  generation: number;
  pid: number;
  routes: RouteMetrics[];
  /** Requests no route matched (answered 404). */
  unrouted: number;
}

export class RouterCounters {
  unrouted = 0;
}

export function snapshot(state: RouterState, counters: RouterCounters, now = Date.now()): MetricsSnapshot {
  return {
    time: now,
    generation: state.table.generation,
    pid: process.pid,
    unrouted: counters.unrouted,
    routes: state.routes.map((r) => ({
      id: r.id,
      ...r.stats.figures(now),
      groups: r.groups.map((g) => ({
        release: g.release,
        weight: g.weight,
        ...g.stats.figures(now),
        instances: g.instances.map((b) => ({
          id: b.id,
          host: b.host,
          port: b.port,
          health: b.health.state,
          ejected: b.ejected,
          drain: b.drain,
          ...b.stats.figures(now),
        })),
      })),
    })),
  };
}
