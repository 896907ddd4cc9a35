/**
 * The four targets a service can scale on, and the count each one asks for.
 */
import type { AutoscaleSpec } from '../spec/wharf-schema.js';
import type { InstanceFigures, WindowAverage } from './figures.js';

export type TargetName = keyof AutoscaleSpec['targets'];

/** How one target is read from an instance's figures and shown to people. */
export interface TargetKind {
  name: TargetName;
  read(instance: InstanceFigures): number | undefined;
  /** Follows the number in a reason: "1,840 req/min per instance". */
  unit: string;
}

const SECONDS_PER_MINUTE = 60;

/** In the spec's order, which is also the order reasons list them in. */
export const TARGET_KINDS: readonly TargetKind[] = [
  {
    name: 'requests_per_minute_per_instance',
    // Samples count requests per sample period (1 s); the target is per minute.
    read: (i) => (i.requests === undefined ? undefined : i.requests * SECONDS_PER_MINUTE),
    unit: 'req/min per instance',
  },
  { name: 'inflight_per_instance', read: (i) => i.inflight, unit: 'in flight per instance' },
  { name: 'cpu_percent', read: (i) => i.cpuPercent, unit: '% CPU per instance' },
  { name: 'memory_percent', read: (i) => i.memoryPercent, unit: '% memory per instance' },
];

/** A target the spec sets, with its goal value. */
export interface ConfiguredTarget {
  kind: TargetKind;
  goal: number;
}

export function configuredTargets(policy: AutoscaleSpec): ConfiguredTarget[] {
  const out: ConfiguredTarget[] = [];
  for (const kind of TARGET_KINDS) {
    const goal = policy.targets[kind.name];
    if (goal !== undefined && goal > 0) out.push({ kind, goal });
  }
  return out;
}

/**
 * Rounding guard: 3 × 200 / 600 is not exactly 1 in floating point, and a count must not
 * go up by one because of the last bit.
 */
const EPSILON = 1e-9;

/**
 * The count one target asks for: `ceil(ready × value / goal)`, where value is the mean per
 * ready instance, so `ready × value` is the load the service carries and starting
 * instances do not dilute it. When that count, unrounded, is within the tolerance of the
 * current count (the load per instance once all are ready is within ±10 % of the goal: the
 * HPA's tolerance), the target asks for the current count, so small swings move nothing.
 * The band is measured against the current count, not the ready one, so that a higher
 * load never asks for fewer instances. Undefined without figures.
 */
export function countFor(average: WindowAverage, goal: number, current: number, tolerance: number): number | undefined {
  if (average.perInstance === undefined) return undefined;
  const needed = (average.ready * average.perInstance) / goal;
  if (current > 0 && Math.abs(needed / current - 1) <= tolerance) return current;
  return roundUp(needed);
}

/** `ceil(ready × value / goal)` with no tolerance band: the count the load needs. */
export function loadCount(average: WindowAverage, goal: number): number | undefined {
  if (average.perInstance === undefined) return undefined;
  return roundUp((average.ready * average.perInstance) / goal);
}

function roundUp(instances: number): number {
  return Math.max(0, Math.ceil(instances - EPSILON));
}
