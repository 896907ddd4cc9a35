/**
 * The figures a canary step is judged on, and the two rules that judge them: the canary's
 * share of 5xx against the stable release's, and its p99 latency against the stable one's.
 * Pure; the figures are plain data so a rollout can store them with its events.
 */
import * as D from '../defaults.js';
import type { Traffic } from './analysis-delta.js';
import type { LatencyWindowName, ReleaseLatency } from './analysis-reading.js';

export interface ReleaseStepFigures {
  release: string;
  /** Requests during the step (since its start, or since the router's counters were last reset). */
  requests: number;
  errors: number;
  /** Share of 5xx in %, 0 without requests. */
  errorRatePct: number;
  p99Ms: number;
  latencySamples: number;
}

export interface StepFigures {
  canary: ReleaseStepFigures;
  stable: ReleaseStepFigures;
  latencyWindow: LatencyWindowName;
  /** Percentage points of 5xx the canary has above the stable release (negative when below). */
  errorRateIncreasePts: number;
  /** Canary p99 over stable p99, both raised to the floor; undefined when either has too few samples. */
  p99Ratio: number | undefined;
}

/** What each rule found; `p99` is undefined when the latencies were not compared. */
export interface Findings {
  errors: 'ok' | 'bad';
  p99: 'ok' | 'bad' | undefined;
}

export interface RuleSettings {
  max_error_rate_increase: number;
  max_p99_ratio: number;
  /** @default DEFAULT_CANARY_P99_MIN_SAMPLES */
  p99MinSamples?: number;
  /** @default DEFAULT_CANARY_P99_FLOOR_MS */
  p99FloorMs?: number;
}

export function releaseFigures(release: string, traffic: Traffic, latency: ReleaseLatency): ReleaseStepFigures {
  return {
    release,
    requests: traffic.total,
    errors: traffic.errors,
    errorRatePct: traffic.total === 0 ? 0 : (100 * traffic.errors) / traffic.total,
    p99Ms: latency.p99Ms,
    latencySamples: latency.samples,
  };
}

export function stepFigures(canary: ReleaseStepFigures, stable: ReleaseStepFigures, window: LatencyWindowName, rules: RuleSettings): StepFigures {
  const minSamples = rules.p99MinSamples ?? D.DEFAULT_CANARY_P99_MIN_SAMPLES;
  const floor = rules.p99FloorMs ?? D.DEFAULT_CANARY_P99_FLOOR_MS;
  const compared = canary.latencySamples >= minSamples && stable.latencySamples >= minSamples;
  return {
    canary,
    stable,
    latencyWindow: window,
    // A stable release with no traffic in the step counts as 0 % 5xx: the canary is then held
    // to the threshold itself rather than compared with nothing.
    errorRateIncreasePts: canary.errorRatePct - stable.errorRatePct,
    p99Ratio: compared ? Math.max(canary.p99Ms, floor) / Math.max(stable.p99Ms, floor) : undefined,
  };
}

/** Bad when the canary exceeds the stable release by more than the settings allow. */
export function findings(f: StepFigures, rules: RuleSettings): Findings {
  return {
    errors: f.errorRateIncreasePts > rules.max_error_rate_increase ? 'bad' : 'ok',
    p99: f.p99Ratio === undefined ? undefined : f.p99Ratio > rules.max_p99_ratio ? 'bad' : 'ok',
  };
}

/**
 * The latency window that covers the measured part of the step: the router keeps 10 s and
 * 60 s windows, so a step judged after 30 s is read over 60 s (which may include the
 * canary's previous step at a lower weight: the same release, judged the same way).
 */
export function windowFor(measuredMs: number): LatencyWindowName {
  return measuredMs <= 10_000 ? '10s' : '60s';
}
