/**
 * Builders for canary analysis tests: readings of a canary and a stable release as the
 * router would report them, written as the cumulative totals of each instance.
 */
import * as D from '../defaults.js';
import type { StatusClass } from '../router/stats.js';
import type { AnalysisSettings } from './analysis.js';
import type { InstanceReading, Reading } from './analysis-reading.js';

export interface InstanceTotals {
  release: string;
  /** Distinguishes instances of one release. @default '1' */
  id?: string;
  ok?: number;
  errors?: number;
  /** 4xx answers: the client's fault, counted as traffic but not as errors. */
  clientErrors?: number;
  p99?: number;
  /** Latency samples in both windows. @default ok + errors + clientErrors */
  samples?: number;
}

export function instance(t: InstanceTotals): InstanceReading {
  const requests: Record<StatusClass, number> = { '1xx': 0, '2xx': t.ok ?? 0, '3xx': 0, '4xx': t.clientErrors ?? 0, '5xx': t.errors ?? 0 };
  const count = t.samples ?? requests['2xx'] + requests['4xx'] + requests['5xx'];
  const p99 = t.p99 ?? 20;
  const q = { count, p50: p99 / 4, p90: p99 / 2, p99 };
  return { key: `shop.production.web ${t.release}-${t.id ?? '1'} 127.0.0.1:2000`, release: t.release, requests, latencyMs: { '10s': { ...q }, '60s': { ...q } } };
}

export function reading(timeS: number, instances: readonly InstanceTotals[], pid = 4242): Reading {
  return { time: timeS * 1000, pid, instances: instances.map(instance) };
}

/** The spec's defaults for `deploy.canary` (wharf-schema.ts), as the judge takes them. */
export const SPEC_DEFAULTS: AnalysisSettings = {
  hold: D.DEFAULT_CANARY_HOLD_MS,
  min_requests: D.DEFAULT_CANARY_MIN_REQUESTS,
  max_error_rate_increase: D.DEFAULT_CANARY_MAX_ERROR_RATE_INCREASE,
  max_p99_ratio: D.DEFAULT_CANARY_MAX_P99_RATIO,
  on_low_traffic: 'hold',
};
