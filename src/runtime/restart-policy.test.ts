import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideAfterCrash, DEFAULT_RESTART_POLICY, nextRestartDelay, type RestartPolicy } from './restart-policy.js';

const policy: RestartPolicy = { baseMs: 1_000, maxMs: 60_000, crashLoopThreshold: 3, stableAfterMs: 30_000 };

describe('restart policy', () => {
  it('waits between half and all of base × 2^attempt, capped at the maximum', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const d = nextRestartDelay(attempt, r, policy);
        const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
        return d >= Math.floor(ceiling / 2) && d <= ceiling;
      }),
    );
  });

  it('never waits less for a later attempt with the same random draw', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        return nextRestartDelay(attempt + 1, r, policy) >= nextRestartDelay(attempt, r, policy);
      }),
    );
  });

  it('spreads instances that crashed together (jitter)', () => {
    assert.notEqual(nextRestartDelay(3, 0.1, policy), nextRestartDelay(3, 0.9, policy));
  });

  it('calls the third early crash in a row a crash loop', () => {
    let n = 0;
    const verdicts = [1, 2, 3, 4].map(() => {
      const d = decideAfterCrash(n, 500, 0.5, policy);
      n = d.consecutiveCrashes;
      return d.crashLoop;
    });
    assert.deepEqual(verdicts, [false, false, true, true]);
  });

  it('starts counting again after a process that ran long enough', () => {
    const d = decideAfterCrash(7, policy.stableAfterMs, 0.5, policy);
    assert.equal(d.consecutiveCrashes, 1);
    assert.equal(d.crashLoop, false);
    assert.ok(d.delayMs <= policy.baseMs);
  });

  it('has defaults that start at a second and cap at five minutes', () => {
    assert.equal(nextRestartDelay(0, 0.999999, DEFAULT_RESTART_POLICY), 1_000);
    assert.equal(nextRestartDelay(50, 0.999999, DEFAULT_RESTART_POLICY), 300_000);
  });
});
