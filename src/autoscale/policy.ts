/**
 * The autoscaling policy: how many instances a service should run. A pure function of its
 * input (no clock, no I/O, no hidden state): the controller samples, calls decide(), stores
 * the returned state and applies `desired` through the ordinary apply path.
 *
 * The model
 *
 * - Figures: one sample a second per ready instance (requests, in flight, CPU %, memory %),
 *   averaged per instance over two windows: the stable window (60 s, steady decisions) and
 *   the panic window (6 s, bursts). Instances not yet ready are left out (figures.ts).
 * - Each target asks for ceil(ready × value / target) instances, where ready × value is
 *   the service's load, so starting instances do not dilute it; when the load spread over
 *   the current count is within ±10 % of the target, it asks for the current count
 *   (targets.ts). The largest count wins: the recommendation.
 * - Up: when the recommendation is above the count, at once and in one jump.
 * - Panic: when a target's panic-window value is at panic_threshold (2) × the target or
 *   more, the panic window's counts join the recommendation and nothing scales down until
 *   60 s after the last burst (policy-state.ts) — Knative's stable/panic windows.
 * - Down: only when every target's figures are complete over the stable window (a gap or a
 *   missing figure holds the count), out of panic, when every recommendation over
 *   scale_down_window (300 s) was below the count (the highest of them is the floor: the
 *   HPA's stabilisation window), and by at most max(1, 10 %) of the count per minute.
 *   The last instance is never removed this way: only the idle rule stops it.
 * - Idle (min 0 only): after idle_window of decisions with complete figures in which every
 *   target asked for zero instances, out of panic, the service stops in one step (its
 *   instances serve nothing); the router then holds the next request while one starts.
 * - Gaps: a target without a figure in the latest sample (the router restarting) moves the
 *   count neither way; an older gap still allows a scale-up from the figures present.
 * - Always within [min, max]; the reason is a sentence with the deciding figures.
 */
import {
  DEFAULT_AUTOSCALE_PANIC_HOLD_MS,
  DEFAULT_AUTOSCALE_PANIC_WINDOW_MS,
  DEFAULT_AUTOSCALE_SAMPLE_MS,
  DEFAULT_AUTOSCALE_SCALE_DOWN_MAX_RATIO,
  DEFAULT_AUTOSCALE_SCALE_DOWN_PERIOD_MS,
  DEFAULT_AUTOSCALE_STABLE_WINDOW_MS,
  DEFAULT_AUTOSCALE_TOLERANCE,
} from '../defaults.js';
import type { AutoscaleSpec } from '../spec/wharf-schema.js';
import { averageOver, type FigureWindow } from './figures.js';
import { coversWindow, highest, nextPanic, remember, type PolicyState } from './policy-state.js';
import { bounds, compare, describe, formatFigure, missing, seconds, sentence } from './reason.js';
import { configuredTargets, countFor, loadCount, type ConfiguredTarget, type TargetName } from './targets.js';

/** The policy's fixed settings; the spec's autoscale block holds the per-service ones. */
export interface PolicySettings {
  /** @default DEFAULT_AUTOSCALE_TOLERANCE */
  tolerance: number;
  /** Period of the window's samples. @default DEFAULT_AUTOSCALE_SAMPLE_MS */
  sampleMs: number;
  /** @default DEFAULT_AUTOSCALE_STABLE_WINDOW_MS */
  stableWindowMs: number;
  /** @default DEFAULT_AUTOSCALE_PANIC_WINDOW_MS */
  panicWindowMs: number;
  /** @default DEFAULT_AUTOSCALE_PANIC_HOLD_MS */
  panicHoldMs: number;
  /** @default DEFAULT_AUTOSCALE_SCALE_DOWN_MAX_RATIO */
  scaleDownMaxRatio: number;
  /** @default DEFAULT_AUTOSCALE_SCALE_DOWN_PERIOD_MS */
  scaleDownPeriodMs: number;
}

export const DEFAULT_POLICY_SETTINGS: PolicySettings = Object.freeze({
  tolerance: DEFAULT_AUTOSCALE_TOLERANCE,
  sampleMs: DEFAULT_AUTOSCALE_SAMPLE_MS,
  stableWindowMs: DEFAULT_AUTOSCALE_STABLE_WINDOW_MS,
  panicWindowMs: DEFAULT_AUTOSCALE_PANIC_WINDOW_MS,
  panicHoldMs: DEFAULT_AUTOSCALE_PANIC_HOLD_MS,
  scaleDownMaxRatio: DEFAULT_AUTOSCALE_SCALE_DOWN_MAX_RATIO,
  scaleDownPeriodMs: DEFAULT_AUTOSCALE_SCALE_DOWN_PERIOD_MS,
});

export interface PolicyInput {
  /** Service name, for the reason. */
  service: string;
  /** Time of this decision, ms, from the controller's clock. */
  now: number;
  policy: AutoscaleSpec;
  /** Instances the service runs now (ready or not). */
  current: number;
  /** Samples oldest first, at least the stable window's worth; fewer counts as a gap. */
  window: FigureWindow;
  /** The state the previous decision returned, or INITIAL_POLICY_STATE. */
  state: PolicyState;
  settings?: PolicySettings;
}

/** One target's figures in a decision, for the event, `wharf autoscale status` and --json. */
export interface TargetFigures {
  target: TargetName;
  goal: number;
  /** Mean per ready instance over the stable window; undefined without figures. */
  value: number | undefined;
  /** Mean number of ready instances behind `value`. */
  ready: number;
  /** Mean per ready instance over the panic window. */
  burst: number | undefined;
  /** The count this target asks for (stable window, tolerance applied); undefined when its figures stopped. */
  count: number | undefined;
  /** Figures from every ready instance in every sample of the stable window. */
  complete: boolean;
}

export interface DecisionFigures {
  targets: TargetFigures[];
  /** The count the figures call for, before the scale-down rules and the bounds. */
  recommended: number;
  panic: boolean;
  complete: boolean;
}

export interface Decision {
  desired: number;
  reason: string;
  figures: DecisionFigures;
  /** Pass to the next decision. */
  state: PolicyState;
}

interface Row extends TargetFigures {
  kind: ConfiguredTarget['kind'];
  burstCount: number | undefined;
}

export function decide(input: PolicyInput): Decision {
  const settings = input.settings ?? DEFAULT_POLICY_SETTINGS;
  const { now, policy, current, state } = input;
  const rows = configuredTargets(policy).map((t) => measure(t, input, settings));
  const burst = rows.some((r) => r.burst !== undefined && r.burst >= policy.panic_threshold * r.goal);
  const panic = nextPanic(state.panic, burst, now, settings.panicHoldMs);
  const lead = leader(rows, panic !== null);
  const steady = leader(rows, false)?.count ?? current;
  const recommended = panic === null ? (lead?.count ?? current) : Math.max(current, lead?.count ?? current);
  const complete = rows.every((r) => r.complete);
  // An incomplete decision cannot vouch for a lower count: it is remembered as a hold.
  const remembered = complete ? recommended : Math.max(recommended, current);
  const recommendations = remember(state.recommendations, { at: now, count: remembered }, policy.scale_down_window);
  const figures: DecisionFigures = { targets: rows.map(publicFigures), recommended, panic: panic !== null, complete };
  const idle = complete && panic === null && rows.length > 0 && recommended === 0;
  const idleSince = idle ? (state.idleSince ?? now) : null;
  const stopsIdle = policy.min === 0 && current > 0 && idleSince !== null;

  let to = current;
  let because: string;
  let scaledDown = false;
  if (lead !== undefined && recommended > current) {
    to = recommended;
    because = lead.fromBurst
      ? `${compare(lead.row.kind, lead.row.burst!, '>', lead.row.goal)} over the last ${seconds(settings.panicWindowMs)} (panic at ${formatFigure(policy.panic_threshold)} × target)`
      : compare(lead.row.kind, lead.row.value!, '>', lead.row.goal);
  } else if (!complete) {
    because = `figures missing for ${missing(rows)}`;
  } else if (panic !== null && steady < current) {
    because = `panic since ${seconds(now - panic.since)} ago; no scale-down until ${seconds(settings.panicHoldMs)} without a burst`;
  } else if (recommended >= current) {
    because = rows.length === 0 ? 'no targets set' : describe(rows, settings.tolerance);
  } else if (stopsIdle && now - idleSince >= policy.idle_window) {
    to = 0;
    scaledDown = true;
    because = `no load for ${seconds(now - idleSince)} (idle window ${seconds(policy.idle_window)})`;
  } else if (stopsIdle && current === 1) {
    because = `no load for ${seconds(now - idleSince)}; stops after the ${seconds(policy.idle_window)} idle window`;
  } else if (!coversWindow(recommendations, now, policy.scale_down_window) || highest(recommendations) >= current) {
    because = `${describe(rows, settings.tolerance)}; waiting out the ${seconds(policy.scale_down_window)} window`;
  } else if (state.lastScaleDownAt !== null && now - state.lastScaleDownAt < settings.scaleDownPeriodMs) {
    because = `${describe(rows, settings.tolerance)}; next step down ${seconds(settings.scaleDownPeriodMs)} after the last`;
  } else {
    const step = Math.max(1, Math.floor(current * settings.scaleDownMaxRatio));
    const floor = highest(recommendations);
    // With min 0, only the idle rule stops the last instance (min ≥ 1 is the bounds' work).
    to = Math.max(floor, current - step, policy.min === 0 ? 1 : 0);
    scaledDown = true;
    because = `${describe(rows, settings.tolerance)} for ${seconds(policy.scale_down_window)}`;
    if (to > floor) because += ` (at most ${step} fewer per ${seconds(settings.scaleDownPeriodMs)})`;
  }

  const desired = Math.min(policy.max, Math.max(policy.min, to));
  if (desired !== to) because = to === current ? bounds(desired, policy) : `${because} (${bounds(desired, policy)})`;
  return {
    desired,
    reason: sentence(input.service, current, desired, because),
    figures,
    state: {
      recommendations,
      panic,
      lastScaleDownAt: scaledDown && desired < current ? now : state.lastScaleDownAt,
      idleSince,
    },
  };
}

function measure(target: ConfiguredTarget, input: PolicyInput, settings: PolicySettings): Row {
  const stable = averageOver(input.window, Math.round(settings.stableWindowMs / settings.sampleMs), target.kind.read);
  const burst = averageOver(input.window, Math.round(settings.panicWindowMs / settings.sampleMs), target.kind.read);
  // Figures that stopped coming (the router restarting) are stale: they move the count
  // neither way until they come back.
  const fresh = averageOver(input.window, 1, target.kind.read).perInstance !== undefined;
  return {
    kind: target.kind,
    target: target.kind.name,
    goal: target.goal,
    value: stable.perInstance,
    ready: stable.ready,
    burst: burst.perInstance,
    count: fresh ? countFor(stable, target.goal, input.current, settings.tolerance) : undefined,
    burstCount: fresh ? loadCount(burst, target.goal) : undefined,
    complete: stable.complete,
  };
}

/** The target asking for the most instances; in panic the panic window's counts compete too. */
function leader(rows: readonly Row[], panic: boolean): { row: Row; count: number; fromBurst: boolean } | undefined {
  let best: { row: Row; count: number; fromBurst: boolean } | undefined;
  for (const row of rows) {
    if (row.count !== undefined && (best === undefined || row.count > best.count)) best = { row, count: row.count, fromBurst: false };
    if (panic && row.burstCount !== undefined && (best === undefined || row.burstCount > best.count)) {
      best = { row, count: row.burstCount, fromBurst: true };
    }
  }
  return best;
}

function publicFigures(row: Row): TargetFigures {
  const { target, goal, value, ready, burst, count, complete } = row;
  return { target, goal, value, ready, burst, count, complete };
}
