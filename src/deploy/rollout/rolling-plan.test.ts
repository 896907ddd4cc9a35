import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { nextRollingStep, rollingWeight, type RollingInput } from './rolling-plan.js';

/** Plays a rollout to the end, every started instance passing its gate. */
function play(input: Omit<RollingInput, 'fresh'>): { steps: { start: number; stop: number }[]; minReady: number; maxTotal: number } {
  let fresh = 0;
  let old = input.old;
  const steps: { start: number; stop: number }[] = [];
  let minReady = fresh + old;
  let maxTotal = fresh + old;
  for (let i = 0; i < 1000; i++) {
    const step = nextRollingStep({ ...input, fresh, old });
    if (step.done) return { steps, minReady, maxTotal };
    steps.push({ start: step.start, stop: step.stop });
    fresh += step.start;
    maxTotal = Math.max(maxTotal, fresh + old);
    old -= step.stop;
    minReady = Math.min(minReady, fresh + old);
  }
  throw new Error(`no end after 1000 steps: ${JSON.stringify(input)}`);
}

describe('the rolling strategy', () => {
  it('replaces two instances one at a time with the default surge of 1', () => {
    assert.deepEqual(play({ desired: 2, surge: 1, unavailable: 0, old: 2 }).steps, [
      { start: 1, stop: 1 },
      { start: 1, stop: 1 },
    ]);
  });

  it('stops an old instance first when only unavailability is allowed', () => {
    assert.deepEqual(play({ desired: 2, surge: 0, unavailable: 1, old: 2 }).steps, [
      { start: 0, stop: 1 },
      { start: 1, stop: 1 },
      { start: 1, stop: 0 },
    ]);
  });

  it('starts everything at once on a first deploy', () => {
    assert.deepEqual(play({ desired: 3, surge: 1, unavailable: 0, old: 0 }).steps, [{ start: 3, stop: 0 }]);
  });

  it('moves even when both bounds are 0, as if the surge were 1', () => {
    assert.deepEqual(play({ desired: 1, surge: 0, unavailable: 0, old: 1 }).steps, [{ start: 1, stop: 1 }]);
  });

  it('scales down while rolling when the new release wants fewer instances', () => {
    assert.deepEqual(play({ desired: 1, surge: 1, unavailable: 0, old: 3 }).steps, [
      { start: 0, stop: 2 },
      { start: 1, stop: 1 },
    ]);
  });

  it('never exceeds desired + surge, never drops below desired - unavailable, and always ends', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 20 }), (desired, surge, unavailable, old) => {
        const { maxTotal, minReady } = play({ desired, surge, unavailable, old });
        const s = surge === 0 && unavailable === 0 ? 1 : surge;
        assert.ok(maxTotal <= Math.max(old, desired + s), `total ${maxTotal} > ${desired}+${s}`);
        assert.ok(minReady >= Math.min(old, desired - unavailable), `ready ${minReady} < ${desired}-${unavailable}`);
      }),
    );
  });

  it('shares traffic by ready instances while both releases serve', () => {
    assert.equal(rollingWeight(0, 2), 0);
    assert.equal(rollingWeight(1, 1), 50);
    assert.equal(rollingWeight(1, 2), 33);
    assert.equal(rollingWeight(2, 0), 100);
  });
});
