/**
 * What canary analysis reads from one router metrics snapshot: the cumulative counters and
 * windowed latency of each instance of one service's routes.
 *
 * Why instances, not release groups: the router builds new group (and route) figures each
 * time it applies a table, and a canary step is itself a table change (new weights), as is
 * any instance turning healthy. Instances keep their figures across tables for as long as
 * they stay in them (router-state.ts keys them by route, id, host and port), so per-instance
 * deltas are the ones that survive the rollout that is being judged.
 */
import type { MetricsSnapshot } from '../router/metrics.js';
import type { Quantiles } from '../router/latency-window.js';
import type { StatusClass } from '../router/stats.js';

export type LatencyWindowName = '10s' | '60s';

/** One instance on one route, as the router counted it. Plain data: it is kept in the analysis state. */
export interface InstanceReading {
  /** Route, instance id and address (space-separated): the identity under which the router keeps its figures. */
  key: string;
  release: string;
  /** Cumulative since the router created this instance's figures. */
  requests: Record<StatusClass, number>;
  latencyMs: Record<LatencyWindowName, Quantiles>;
}

export interface Reading {
  /** When the router took the snapshot (ms since the epoch). */
  time: number;
  /** The router process: a new one starts every counter from zero. */
  pid: number;
  instances: InstanceReading[];
}

/**
 * The reading of one service: its routes are `routeBase` and `routeBase#1`, `#2`… (one per
 * path prefix, see route-table.ts), e.g. `shop.production.web`.
 */
export function readingOf(snapshot: MetricsSnapshot, routeBase: string): Reading {
  const instances: InstanceReading[] = [];
  for (const route of snapshot.routes) {
    if (route.id !== routeBase && !route.id.startsWith(`${routeBase}#`)) continue;
    for (const group of route.groups) {
      for (const i of group.instances) {
        instances.push({
          key: `${route.id} ${i.id} ${i.host}:${i.port}`,
          release: group.release,
          requests: { ...i.requests },
          latencyMs: { '10s': { ...i.latencyMs['10s'] }, '60s': { ...i.latencyMs['60s'] } },
        });
      }
    }
  }
  return { time: snapshot.time, pid: snapshot.pid, instances };
}

/** All requests of a status-class record. */
export function totalOf(requests: Record<StatusClass, number>): number {
  return requests['1xx'] + requests['2xx'] + requests['3xx'] + requests['4xx'] + requests['5xx'];
}

/** A release's p99 over one window of a reading, with the number of samples behind it. */
export interface ReleaseLatency {
  window: LatencyWindowName;
  samples: number;
  p99Ms: number;
}

/**
 * The release's p99 as the sample-weighted mean of its instances' p99s. The snapshot carries
 * quantiles, not histograms, so the p99 of several instances can only be estimated; it is
 * exact for one instance (a canary usually has one) and close for instances that serve alike.
 */
export function releaseLatency(reading: Reading, release: string, window: LatencyWindowName): ReleaseLatency {
  let samples = 0;
  let weighted = 0;
  for (const i of reading.instances) {
    if (i.release !== release) continue;
    const q = i.latencyMs[window];
    samples += q.count;
    weighted += q.count * q.p99;
  }
  return { window, samples, p99Ms: samples === 0 ? 0 : weighted / samples };
}
