import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { coversWindow, highest, nextPanic, remember } from './policy-state.js';

describe('policy state', () => {
  it('keeps the recommendations of the window and the newest one before it', () => {
    const history = [0, 10, 20, 30].map((at) => ({ at, count: at / 10 }));
    const next = remember(history, { at: 45, count: 9 }, 20);
    assert.deepEqual(next.map((r) => r.at), [20, 30, 45]);
    assert.equal(coversWindow(next, 45, 20), true);
    assert.equal(highest(next), 9);
    assert.equal(history.length, 4);
  });

  it('does not cover the window before decisions reach back over all of it', () => {
    assert.equal(coversWindow([], 100, 20), false);
    assert.equal(coversWindow([{ at: 90, count: 1 }, { at: 100, count: 1 }], 100, 20), false);
    assert.equal(coversWindow([{ at: 80, count: 1 }, { at: 100, count: 1 }], 100, 20), true);
  });

  it('replaces a recommendation made at the same time instead of keeping both', () => {
    assert.deepEqual(remember([{ at: 5, count: 3 }], { at: 5, count: 1 }, 20), [{ at: 5, count: 1 }]);
  });

  it('starts panic on a burst, extends it on the next, and ends it after the hold', () => {
    const started = nextPanic(null, true, 1_000, 60_000);
    assert.deepEqual(started, { since: 1_000, lastAt: 1_000 });
    const extended = nextPanic(started, true, 30_000, 60_000);
    assert.deepEqual(extended, { since: 1_000, lastAt: 30_000 });
    assert.deepEqual(nextPanic(extended, false, 89_999, 60_000), extended);
    assert.equal(nextPanic(extended, false, 90_000, 60_000), null);
    assert.deepEqual(nextPanic(extended, true, 95_000, 60_000), { since: 95_000, lastAt: 95_000 });
  });
});
