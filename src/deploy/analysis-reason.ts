/**
 * The sentences a canary verdict is explained with, figures included, e.g.
 * `v8 5xx 31.0 % vs v7 0.2 % (max +1 pt) over 412 requests`. They go to `wharf deploy`'s
 * progress, the timeline and a failed release's reason, so they stand on their own.
 */
import * as D from '../defaults.js';
import type { Findings, RuleSettings, StepFigures } from './analysis-figures.js';

export function percent(value: number): string {
  return `${value.toFixed(1)} %`;
}

export function points(value: number): string {
  return `${+value.toFixed(2)} ${value === 1 ? 'pt' : 'pts'}`;
}

export function millis(value: number): string {
  return value >= 10 ? `${Math.round(value)} ms` : `${+value.toFixed(1)} ms`;
}

export function seconds(ms: number): string {
  return `${+(ms / 1000).toFixed(1)} s`;
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function errorSentence(f: StepFigures, rules: RuleSettings): string {
  const { canary: c, stable: s } = f;
  return `${c.release} 5xx ${percent(c.errorRatePct)} vs ${s.release} ${percent(s.errorRatePct)} (max +${points(rules.max_error_rate_increase)}) over ${plural(c.requests, 'request', 'requests')}`;
}

export function p99Sentence(f: StepFigures, rules: RuleSettings): string {
  const { canary: c, stable: s } = f;
  if (f.p99Ratio === undefined) {
    const needed = rules.p99MinSamples ?? D.DEFAULT_CANARY_P99_MIN_SAMPLES;
    return `p99 not compared: ${c.release} ${c.latencySamples} and ${s.release} ${s.latencySamples} latency samples over ${f.latencyWindow}, ${needed} needed each`;
  }
  return `${c.release} p99 ${millis(c.p99Ms)} vs ${s.release} ${millis(s.p99Ms)} (max ×${rules.max_p99_ratio}) over ${plural(c.latencySamples, 'sample', 'samples')} in ${f.latencyWindow}`;
}

/** The bad findings first (they are the news), then the others. */
export function figuresSentence(f: StepFigures, found: Findings, rules: RuleSettings): string {
  const parts = [
    { bad: found.errors === 'bad', text: errorSentence(f, rules) },
    { bad: found.p99 === 'bad', text: p99Sentence(f, rules) },
  ];
  return [...parts.filter((p) => p.bad), ...parts.filter((p) => !p.bad)].map((p) => p.text).join('; ');
}

export function lowTrafficSentence(f: StepFigures, minRequests: number, elapsedMs: number): string {
  return `${f.canary.release} had ${plural(f.canary.requests, 'request', 'requests')} in ${seconds(elapsedMs)}, fewer than the ${minRequests} needed to judge it`;
}
