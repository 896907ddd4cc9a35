/**
 * A closed loop for the policy's tests: a service whose load (requests per second, or
 * `null` for a second with no sample) is split evenly over its ready instances, a policy
 * decision every second, and the decision applied at once. New instances become ready
 * after `bootSeconds`; scale-down removes the newest first (the not-yet-ready ones).
 *
 * In-flight and CPU follow the load (Little's law: in flight = rate × latency), so every
 * target sees the same load; memory stays flat, as it does for most web apps.
 */
import { DEFAULT_AUTOSCALE_IDLE_WINDOW_MS, DEFAULT_AUTOSCALE_PANIC_THRESHOLD, DEFAULT_AUTOSCALE_SCALE_DOWN_WINDOW_MS } from '../../defaults.js';
import type { AutoscaleSpec } from '../../spec/wharf-schema.js';
import type { FigureWindow, InstanceFigures, Sample } from '../figures.js';
import { decide, DEFAULT_POLICY_SETTINGS, type Decision } from '../policy.js';
import { INITIAL_POLICY_STATE } from '../policy-state.js';

export interface LoopOptions {
  policy: AutoscaleSpec;
  /** Instances at the start, all ready. */
  start: number;
  /** Requests per second to the whole service, one entry per second; `null` = no sample. */
  load: readonly (number | null)[];
  /** @default 0 */
  bootSeconds?: number;
  /** Seconds a request takes, for the in-flight figure. @default 0.05 */
  latencySeconds?: number;
  /** CPU % one request per second costs. @default 2 */
  cpuPerRequest?: number;
  /** @default 30 */
  memoryPercent?: number;
}

export interface LoopStep {
  second: number;
  /** Instances before the decision. */
  current: number;
  /** The samples the decision saw. */
  window: FigureWindow;
  decision: Decision;
}

export function runLoop(options: LoopOptions): LoopStep[] {
  const { policy, load, bootSeconds = 0, latencySeconds = 0.05, cpuPerRequest = 2, memoryPercent = 30 } = options;
  const keep = DEFAULT_POLICY_SETTINGS.stableWindowMs / DEFAULT_POLICY_SETTINGS.sampleMs;
  let born: number[] = Array.from({ length: options.start }, () => -Infinity);
  let window: (Sample | null)[] = [];
  let state = INITIAL_POLICY_STATE;
  const steps: LoopStep[] = [];
  for (let second = 0; second < load.length; second += 1) {
    const rate = load[second]!;
    window = [...window, rate === null ? null : sample(born, second, bootSeconds, rate, latencySeconds, cpuPerRequest, memoryPercent)].slice(-keep);
    const current = born.length;
    const decision = decide({ service: 'web', now: second * 1_000, policy, current, window, state });
    steps.push({ second, current, window, decision });
    state = decision.state;
    if (decision.desired > current) born = [...born, ...Array.from({ length: decision.desired - current }, () => second)];
    else born = born.slice(0, decision.desired);
  }
  return steps;
}

function sample(born: readonly number[], second: number, boot: number, rate: number, latency: number, cpu: number, memory: number): Sample {
  const ready = born.filter((b) => second - b >= boot).length;
  const instances: InstanceFigures[] = born.map((b) => {
    if (second - b < boot) return { ready: false, requests: 0, inflight: 0, cpuPercent: 1, memoryPercent: memory };
    const share = rate / ready;
    return { ready: true, requests: share, inflight: share * latency, cpuPercent: share * cpu, memoryPercent: memory };
  });
  return { instances };
}

/** An autoscale block as the schema gives it, defaults filled in. */
export function autoscaleSpec(overrides: Partial<AutoscaleSpec> & Pick<AutoscaleSpec, 'min' | 'max' | 'targets'>): AutoscaleSpec {
  return { scale_down_window: DEFAULT_AUTOSCALE_SCALE_DOWN_WINDOW_MS, panic_threshold: DEFAULT_AUTOSCALE_PANIC_THRESHOLD, idle_window: DEFAULT_AUTOSCALE_IDLE_WINDOW_MS, ...overrides };
}
