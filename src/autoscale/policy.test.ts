import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceFigures, Sample } from './figures.js';
import { decide, type PolicyInput } from './policy.js';
import { INITIAL_POLICY_STATE, type PolicyState } from './policy-state.js';
import { autoscaleSpec, runLoop } from './testing/simulate.js';

const NOW = 1_000_000;
const rpmPolicy = autoscaleSpec({ min: 1, max: 10, targets: { requests_per_minute_per_instance: 600 } });
const bothPolicy = autoscaleSpec({ min: 1, max: 10, targets: { requests_per_minute_per_instance: 600, cpu_percent: 60 } });

/** A ready instance serving `rpm` requests a minute, at `cpu` % CPU. */
function at(rpm: number, cpu = 10): InstanceFigures {
  return { ready: true, requests: rpm / 60, inflight: 1, cpuPercent: cpu, memoryPercent: 30 };
}
const starting: InstanceFigures = { ready: false, requests: 0, inflight: 0, cpuPercent: 0, memoryPercent: 5 };

function steady(instances: InstanceFigures[], seconds = 60): Sample[] {
  return Array.from({ length: seconds }, () => ({ instances }));
}

/** History showing low recommendations over the whole window: scale-down is allowed by it. */
const lowFor300s: PolicyState = { recommendations: [{ at: NOW - 300_000, count: 1 }], panic: null, lastScaleDownAt: null, idleSince: null };

function input(overrides: Partial<PolicyInput> & Pick<PolicyInput, 'current' | 'window'>): PolicyInput {
  return { service: 'web', now: NOW, policy: rpmPolicy, state: INITIAL_POLICY_STATE, ...overrides };
}

describe('autoscaling policy: scaling up', () => {
  it('scales up at once, in one jump, to ceil(current × value / target), and says why', () => {
    const d = decide(input({ current: 2, window: steady([at(1_840), at(1_840)]) }));
    assert.equal(d.desired, 7);
    assert.equal(d.reason, 'web 2 → 7: 1,840 req/min per instance > target 600');
    assert.equal(d.figures.targets[0]?.value, 1_840);
  });

  it('takes the largest count any target asks for', () => {
    const d = decide(input({ policy: bothPolicy, current: 2, window: steady([at(900, 150), at(900, 150)]) }));
    assert.equal(d.figures.targets.find((t) => t.target === 'requests_per_minute_per_instance')?.count, 3);
    assert.equal(d.figures.targets.find((t) => t.target === 'cpu_percent')?.count, 5);
    assert.equal(d.desired, 5);
    assert.match(d.reason, /^web 2 → 5: 150 % CPU per instance > target 60$/);
  });

  const band: [string, number, number][] = [
    ['9 % above the target holds', 654, 10],
    ['11 % above the target scales up', 666, 12],
    ['9 % below the target holds', 546, 10],
    ['11 % below the target asks for fewer', 534, 9],
  ];
  for (const [name, rpm, count] of band) {
    it(`applies a 10 % tolerance around the target: ${name}`, () => {
      const d = decide(input({ current: 10, window: steady(Array.from({ length: 10 }, () => at(rpm))) }));
      assert.equal(d.figures.recommended, count);
    });
  }

  it('leaves instances that are not ready out of the averages', () => {
    const d = decide(input({ current: 4, window: steady([at(900), at(900), starting, starting]) }));
    assert.equal(d.figures.targets[0]?.value, 900);
    // The load (2 × 900 req/min) needs 3 instances; the 2 starting ones are not counted as idle.
    assert.equal(d.figures.recommended, 3);
    assert.equal(d.desired, 4);
  });

  it('enters panic when the 6 s window reaches twice a target, and scales to the burst at once', () => {
    const window = [...steady([at(600), at(600)], 54), ...steady([at(1_800), at(1_800)], 6)];
    const d = decide(input({ current: 2, window }));
    assert.equal(d.figures.panic, true);
    assert.equal(d.desired, 6); // the 60 s average alone (720) would ask for 3
    assert.equal(d.reason, 'web 2 → 6: 1,800 req/min per instance > target 600 over the last 6 s (panic at 2 × target)');
    assert.deepEqual(d.state.panic, { since: NOW, lastAt: NOW });
  });

  it('does not panic below twice the target over 6 s', () => {
    const window = [...steady([at(600), at(600)], 54), ...steady([at(1_190), at(1_190)], 6)];
    const d = decide(input({ current: 2, window }));
    assert.equal(d.figures.panic, false);
    assert.equal(d.state.panic, null);
  });

  it('orders instances within 5 s of a step from 10 % to 300 % of one instance\'s capacity', () => {
    // One instance serves 50 req/s; the target is 70 % of that (2,100 req/min).
    const policy = autoscaleSpec({ min: 1, max: 10, targets: { requests_per_minute_per_instance: 2_100 } });
    const load = [...Array<number>(120).fill(5), ...Array<number>(60).fill(150)];
    const steps = runLoop({ policy, start: 1, load, bootSeconds: 3 });
    const firstOrder = steps.findIndex((s) => s.decision.desired > s.current);
    assert.ok(firstOrder >= 120 && firstOrder - 120 < 5, `first order at ${firstOrder - 120} s after the step`);
    assert.equal(steps.at(-1)!.decision.desired, 5); // ceil(150 / 35)
    assert.ok(steps.every((s) => s.decision.desired >= s.current), 'no instance removed');
  });

  it('scales up on the figures it has when some are missing', () => {
    const window = [...steady([at(900), at(900)], 30), null, ...steady([at(900), at(900)], 29)];
    assert.equal(decide(input({ current: 2, window })).desired, 3);
  });
});

describe('autoscaling policy: scaling down', () => {
  it('waits out the scale-down window before removing an instance', () => {
    let state = INITIAL_POLICY_STATE;
    const desired: number[] = [];
    for (let s = 0; s <= 300; s += 1) {
      const d = decide(input({ now: NOW + s * 1_000, current: 10, state, window: steady(Array.from({ length: 10 }, () => at(60))) }));
      desired.push(d.desired);
      state = d.state;
    }
    assert.deepEqual(desired.slice(0, 300), Array(300).fill(10));
    assert.equal(desired[300], 9);
    assert.match(decide(input({ current: 10, window: steady([at(60)]) })).reason, /waiting out the 300 s window/);
  });

  const rate: [number, number][] = [[25, 23], [10, 9], [5, 4], [2, 1]];
  for (const [current, next] of rate) {
    it(`removes at most max(1, 10 %) of ${current} instances in a step, to ${next}`, () => {
      const policy = autoscaleSpec({ min: 1, max: 30, targets: { requests_per_minute_per_instance: 600 } });
      const d = decide(input({ policy, current, state: lowFor300s, window: steady(Array.from({ length: current }, () => at(1))) }));
      assert.equal(d.desired, next);
      assert.equal(d.state.lastScaleDownAt, NOW);
    });
  }

  it('never goes below the highest count recommended over the window', () => {
    const state: PolicyState = { ...lowFor300s, recommendations: [...lowFor300s.recommendations, { at: NOW - 100_000, count: 8 }] };
    const d = decide(input({ current: 10, state, window: steady(Array.from({ length: 10 }, () => at(60))) }));
    assert.equal(d.desired, 9);
    const again = decide(input({ current: 9, now: NOW + 60_000, state: d.state, window: steady(Array.from({ length: 9 }, () => at(60))) }));
    assert.equal(again.desired, 8);
  });

  it('takes the next step down only a minute after the last', () => {
    const window = steady(Array.from({ length: 8 }, () => at(60)));
    const recent = decide(input({ current: 8, state: { ...lowFor300s, lastScaleDownAt: NOW - 59_000 }, window }));
    assert.equal(recent.desired, 8);
    assert.match(recent.reason, /next step down 60 s after the last/);
    assert.equal(decide(input({ current: 8, state: { ...lowFor300s, lastScaleDownAt: NOW - 60_000 }, window })).desired, 7);
  });

  it('scales down only when every target agrees', () => {
    const d = decide(input({ policy: bothPolicy, current: 4, state: lowFor300s, window: steady(Array.from({ length: 4 }, () => at(60, 61))) }));
    assert.equal(d.desired, 4);
    assert.equal(d.reason, 'web holds at 4: 60 req/min per instance < target 600, 61 % CPU per instance within 10 % of target 60');
  });

  it('does not scale down in panic, and does after 60 s without a burst', () => {
    const window = steady(Array.from({ length: 4 }, () => at(60)));
    const calmFor30s = decide(input({ current: 4, window, state: { ...lowFor300s, panic: { since: NOW - 40_000, lastAt: NOW - 30_000 } } }));
    assert.equal(calmFor30s.desired, 4);
    assert.match(calmFor30s.reason, /panic since 40 s ago; no scale-down until 60 s without a burst/);
    const calmFor60s = decide(input({ current: 4, window, state: { ...lowFor300s, panic: { since: NOW - 70_000, lastAt: NOW - 60_000 } } }));
    assert.equal(calmFor60s.desired, 3);
    assert.equal(calmFor60s.state.panic, null);
  });

  const gaps: [string, (Sample | null)[]][] = [
    ['a second with no sample (the router restarting)', [...steady([at(60), at(60)], 59), null]],
    ['a ready instance without a figure', [...steady([at(60), at(60)], 59), { instances: [at(60), { ready: true }] }]],
    ['fewer samples than the window', steady([at(60), at(60)], 59)],
    ['no ready instance in a sample', [...steady([at(60), at(60)], 59), { instances: [starting, starting] }]],
  ];
  for (const [name, window] of gaps) {
    it(`holds the count when figures are missing: ${name}`, () => {
      const d = decide(input({ current: 2, state: lowFor300s, window }));
      assert.equal(d.desired, 2);
      assert.equal(d.figures.complete, false);
      assert.match(d.reason, /^web holds at 2: figures missing for requests_per_minute_per_instance$/);
      // Remembered as a hold, so the gap cannot vouch for a lower count later either.
      assert.equal(d.state.recommendations.at(-1)?.count, 2);
    });
  }

  it('stops an idle service with min 0 after its idle window, and holds at zero', () => {
    const idle = autoscaleSpec({ min: 0, max: 3, targets: { requests_per_minute_per_instance: 600 }, idle_window: 120_000 });
    const state: PolicyState = { ...lowFor300s, recommendations: [{ at: NOW - 300_000, count: 0 }], idleSince: NOW - 120_000 };
    const d = decide(input({ policy: idle, current: 2, state, window: steady([at(0), at(0)]) }));
    assert.equal(d.desired, 0);
    assert.equal(d.reason, 'web 2 → 0: no load for 120 s (idle window 120 s)');
    const none = decide(input({ policy: idle, current: 0, now: NOW + 1_000, state: d.state, window: steady([]) }));
    assert.equal(none.desired, 0);
  });
  it('keeps the last instance of a min 0 service until the idle window has passed, whatever the scale-down window says', () => {
    const idle = autoscaleSpec({ min: 0, max: 3, targets: { requests_per_minute_per_instance: 600 }, idle_window: 600_000, scale_down_window: 30_000 });
    let state: PolicyState = INITIAL_POLICY_STATE;
    const counts: number[] = [];
    let current = 1;
    for (let s = 0; s <= 600; s += 1) {
      const d = decide(input({ policy: idle, now: NOW + s * 1_000, current, state, window: steady(Array.from({ length: current }, () => at(0))) }));
      counts.push(d.desired);
      state = d.state;
      current = d.desired;
    }
    assert.deepEqual(counts.slice(0, 600), Array(600).fill(1));
    assert.equal(counts[600], 0);
  });
  it('starts the idle window again on any load', () => {
    const idle = autoscaleSpec({ min: 0, max: 3, targets: { requests_per_minute_per_instance: 600 }, idle_window: 60_000 });
    const state: PolicyState = { ...lowFor300s, idleSince: NOW - 59_000 };
    const busy = decide(input({ policy: idle, current: 1, state, window: [...steady([at(0)], 59), { instances: [at(6)] }] }));
    assert.equal(busy.state.idleSince, null);
    assert.equal(busy.desired, 1);
  });
  it('never stops the last instance of a service with min 0 on a low load that is not zero', () => {
    const idle = autoscaleSpec({ min: 0, max: 3, targets: { requests_per_minute_per_instance: 600 } });
    const d = decide(input({ policy: idle, current: 2, state: lowFor300s, window: steady([at(1), at(1)]) }));
    assert.equal(d.desired, 1);
    const again = decide(input({ policy: idle, current: 1, now: NOW + 60_000, state: d.state, window: steady([at(1)]) }));
    assert.equal(again.desired, 1);
  });
});

describe('autoscaling policy: bounds, reasons and purity', () => {
  it('caps a scale-up at max and says so', () => {
    const d = decide(input({ current: 2, window: steady([at(6_000), at(6_000)]) }));
    assert.equal(d.desired, 10);
    assert.match(d.reason, /^web 2 → 10: .* \(at most max 10\)$/);
  });

  it('brings a count outside [min, max] back inside, whatever the figures', () => {
    const policy = autoscaleSpec({ min: 2, max: 5, targets: { requests_per_minute_per_instance: 600 } });
    assert.equal(decide(input({ policy, current: 8, window: [] })).reason, 'web 8 → 5: at most max 5');
    assert.equal(decide(input({ policy, current: 0, window: [] })).reason, 'web 0 → 2: at least min 2');
  });

  it('holds with no targets set', () => {
    const d = decide(input({ policy: autoscaleSpec({ min: 1, max: 4, targets: {} }), current: 3, window: steady([at(6_000)]) }));
    assert.equal(d.reason, 'web holds at 3: no targets set');
  });

  it('returns the same decision for the same input and leaves the given state alone', () => {
    const state = structuredClone(lowFor300s);
    const frozen = Object.freeze({ ...state, recommendations: Object.freeze(state.recommendations.map((r) => Object.freeze(r))) });
    const args = input({ current: 4, state: frozen, window: steady([at(60), at(60), at(60), at(60)]) });
    const first = decide(args);
    assert.deepEqual(decide(args), first);
    assert.deepEqual(frozen, lowFor300s);
    assert.notEqual(first.state, frozen);
  });
});
