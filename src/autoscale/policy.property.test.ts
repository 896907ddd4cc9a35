import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AutoscaleSpec } from '../spec/wharf-schema.js';
import type { InstanceFigures, Sample } from './figures.js';
import { decide } from './policy.js';
import { INITIAL_POLICY_STATE } from './policy-state.js';
import { autoscaleSpec, runLoop } from './testing/simulate.js';

const RUNS = 40;

/**
 * Requests per second up to `max`, in tenths. fast-check's doubles crowd the ends of their
 * range (0 and max), which would leave the loads in between, where counts change, untried.
 */
function rateArb(max: number): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: max * 10 }).map((tenths) => tenths / 10);
}

/** A policy as the schema allows it, with short scale-down windows so traces reach them. */
const policyArb: fc.Arbitrary<AutoscaleSpec> = fc
  .record({
    min: fc.integer({ min: 0, max: 4 }),
    span: fc.integer({ min: 1, max: 12 }),
    rpm: fc.option(fc.integer({ min: 60, max: 3_000 }), { nil: undefined }),
    inflight: fc.option(fc.integer({ min: 5, max: 200 }).map((tenths) => tenths / 10), { nil: undefined }),
    cpu: fc.option(fc.integer({ min: 10, max: 100 }), { nil: undefined }),
    window: fc.constantFrom(30_000, 60_000, 120_000),
    panic: fc.integer({ min: 12, max: 40 }).map((tenths) => tenths / 10),
  })
  .filter((p) => p.rpm !== undefined || p.inflight !== undefined || p.cpu !== undefined)
  .map((p) =>
    autoscaleSpec({
      min: p.min,
      max: Math.max(1, p.min + p.span),
      targets: { requests_per_minute_per_instance: p.rpm, inflight_per_instance: p.inflight, cpu_percent: p.cpu },
      scale_down_window: p.window,
      panic_threshold: p.panic,
    }),
  );

/** Requests per second over time: level segments, some of them gaps (`null`). */
function traceArb(gaps: boolean, maxSeconds: number): fc.Arbitrary<(number | null)[]> {
  const level = gaps ? fc.option(rateArb(200), { nil: null, freq: 4 }) : rateArb(200);
  return fc
    .array(fc.record({ level, seconds: fc.integer({ min: 1, max: 120 }) }), { minLength: 1, maxLength: 8 })
    .map((segments) => segments.flatMap((s) => Array<number | null>(s.seconds).fill(s.level)).slice(0, maxSeconds));
}

/** Direction changes of a count series: +1 then −1 or the reverse. */
function reverses(counts: readonly number[]): boolean {
  let direction = 0;
  for (let i = 1; i < counts.length; i += 1) {
    const d = Math.sign(counts[i]! - counts[i - 1]!);
    if (d === 0) continue;
    if (direction !== 0 && d !== direction) return true;
    direction = d;
  }
  return false;
}

describe('autoscaling policy: properties over random load traces', () => {
  it('never decides a count outside [min, max]', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 25 }), traceArb(true, 400), fc.integer({ min: 0, max: 8 }), (policy, start, load, bootSeconds) => {
        for (const step of runLoop({ policy, start, load, bootSeconds })) {
          assert.ok(step.decision.desired >= policy.min && step.decision.desired <= policy.max, step.decision.reason);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('does not oscillate on a constant load: the count moves one way only', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 20 }), rateArb(300), fc.integer({ min: 0, max: 8 }), (policy, start, rate, bootSeconds) => {
        const steps = runLoop({ policy, start, load: Array(300).fill(rate), bootSeconds });
        const counts = [start, ...steps.map((s) => s.decision.desired)];
        assert.ok(!reverses(counts), counts.join(' '));
      }),
      // An overshoot while instances boot shows only for some loads and boot times.
      { numRuns: RUNS * 3 },
    );
  });

  it('responds monotonically to a step: a higher step never gives fewer instances', () => {
    const stepArb = fc.record({
      prefix: traceArb(true, 300),
      // A step as long as the stable window is the steady response; shorter ones catch it rising.
      seconds: fc.oneof(fc.constant(60), fc.integer({ min: 1, max: 60 })),
      low: rateArb(200),
      extra: rateArb(200),
      unready: fc.integer({ min: 0, max: 5 }),
    });
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 12 }), stepArb, (policy, start, step) => {
        const before = runLoop({ policy, start, load: step.prefix });
        const last = before.at(-1)!;
        const current = last.decision.desired;
        const respond = (rate: number) => {
          const stepped = [...last.window, ...Array<Sample>(step.seconds).fill(evenly(current, step.unready, rate))].slice(-60);
          const now = (step.prefix.length + step.seconds) * 1_000;
          return decide({ service: 'web', now, policy, current, window: stepped, state: last.decision.state });
        };
        const low = respond(step.low);
        const high = respond(step.low + step.extra);
        assert.ok(high.desired >= low.desired, `${high.reason} | ${low.reason}`);
        assert.ok(high.figures.recommended >= low.figures.recommended, `${high.reason} | ${low.reason}`);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('asks for at least as many instances for a higher steady load, from any count', () => {
    // Loads as multiples of the target, in hundredths, so the tolerance band's edges are tried.
    const hundredths = (max: number) => fc.integer({ min: 0, max }).map((n) => n / 100);
    const cases = fc.record({
      rpm: fc.integer({ min: 60, max: 3_000 }),
      current: fc.integer({ min: 1, max: 20 }),
      unready: fc.integer({ min: 0, max: 5 }),
      low: hundredths(300),
      extra: fc.oneof(hundredths(30), hundredths(300)),
    });
    fc.assert(
      fc.property(cases, ({ rpm, current, unready, low, extra }) => {
        const policy = autoscaleSpec({ min: 0, max: 100, targets: { requests_per_minute_per_instance: rpm } });
        const ready = Math.max(1, current - unready);
        const ask = (ratio: number) => {
          const window = Array<Sample>(60).fill(evenly(current, unready, (ratio * rpm * ready) / 60));
          return decide({ service: 'web', now: 0, policy, current, window, state: INITIAL_POLICY_STATE }).figures.recommended;
        };
        assert.ok(ask(low + extra) >= ask(low));
      }),
      { numRuns: RUNS * 10 },
    );
  });

  it('never scales down while the window has a gap', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 15 }), traceArb(true, 500), (policy, start, load) => {
        for (const step of runLoop({ policy, start, load })) {
          const gap = step.window.length < 60 || step.window.includes(null);
          if (gap) assert.ok(step.decision.desired >= Math.min(step.current, policy.max), step.decision.reason);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('holds the count through a router restart after any history', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 15 }), traceArb(false, 300), fc.integer({ min: 1, max: 90 }), (policy, start, load, outage) => {
        const steps = runLoop({ policy, start, load: [...load, ...Array<null>(outage).fill(null)] });
        const before = steps[load.length - 1]!.decision.desired;
        for (const step of steps.slice(load.length)) assert.equal(step.decision.desired, before, step.decision.reason);
      }),
      { numRuns: RUNS },
    );
  });
});

/** `count` instances, `unready` of them starting, the rest sharing `rate` requests a second. */
function evenly(count: number, unready: number, rate: number): Sample {
  const waiting = Math.min(unready, count);
  const ready = count - waiting;
  const instances: InstanceFigures[] = Array.from({ length: count }, (_, i) =>
    i < waiting
      ? { ready: false, requests: 0, inflight: 0, cpuPercent: 0 }
      : { ready: true, requests: rate / ready, inflight: (rate / ready) * 0.05, cpuPercent: (rate / ready) * 2 },
  );
  return { instances };
}
