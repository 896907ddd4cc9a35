import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { judgeStep, startStep, type AnalysisSettings, type AnalysisState, type Verdict } from './analysis.js';
import { reading, type InstanceTotals } from './analysis-testing.js';
import type { Reading } from './analysis-reading.js';

const settingsArb = fc.record({
  hold: fc.integer({ min: 0, max: 60_000 }),
  min_requests: fc.integer({ min: 1, max: 300 }),
  max_error_rate_increase: fc.double({ min: 0, max: 10, noNaN: true }),
  max_p99_ratio: fc.double({ min: 1.01, max: 3, noNaN: true }),
  on_low_traffic: fc.constantFrom('hold' as const, 'promote' as const),
  failureWindows: fc.integer({ min: 1, max: 5 }),
});

/** Judges the readings in order as windows 5 s apart; the verdicts. */
function judgeAll(settings: AnalysisSettings, start: Reading, readings: readonly Reading[]): Verdict[] {
  let state: AnalysisState = startStep('v8', 'v7', start);
  return readings.map((now, i) => {
    const j = judgeStep({ state, now, elapsedMs: (i + 1) * 5000, settings });
    state = j.state;
    return j.verdict;
  });
}

interface Increment {
  ok: number;
  errors: number;
  clientErrors: number;
  p99: number;
  /** The router restarts before this window: its counters start again from zero. */
  restart: boolean;
}

const incrementArb: fc.Arbitrary<Increment> = fc.record({
  ok: fc.integer({ min: 0, max: 500 }),
  errors: fc.integer({ min: 0, max: 100 }),
  clientErrors: fc.integer({ min: 0, max: 50 }),
  p99: fc.double({ min: 0.05, max: 5000, noNaN: true }),
  restart: fc.nat(9).map((n) => n < 2),
});

describe('canary analysis properties', () => {
  it('never fails a canary that serves exactly like the stable release', () => {
    fc.assert(
      fc.property(settingsArb, fc.array(incrementArb, { minLength: 1, maxLength: 10 }), (settings, increments) => {
        let pid = 1;
        let totals = { ok: 0, errors: 0, clientErrors: 0 };
        const readings = increments.map((inc, i) => {
          if (inc.restart) [pid, totals] = [pid + 1, { ok: 0, errors: 0, clientErrors: 0 }];
          totals = { ok: totals.ok + inc.ok, errors: totals.errors + inc.errors, clientErrors: totals.clientErrors + inc.clientErrors };
          const same: Omit<InstanceTotals, 'release'> = { ...totals, p99: inc.p99 };
          return reading(5 * (i + 1), [{ release: 'v7', ...same }, { release: 'v8', ...same }], pid);
        });
        const verdicts = judgeAll(settings, reading(0, [{ release: 'v7' }, { release: 'v8' }], 1), readings);
        assert.ok(!verdicts.includes('fail'), verdicts.join(' '));
      }),
      { numRuns: 300 },
    );
  });

  it('fails a canary worse on 5xx than the threshold, with enough traffic, exactly after N windows', () => {
    const worseArb = fc
      .record({
        settings: settingsArb.map((s) => ({ ...s, min_requests: Math.max(5, s.min_requests) })),
        stableTotal: fc.integer({ min: 100, max: 2000 }),
        stableShare: fc.double({ min: 0, max: 0.2, noNaN: true }),
        canaryExtra: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 5, maxLength: 5 }),
      })
      .map(({ settings, stableTotal, stableShare, canaryExtra }) => {
        const stableErrors = Math.floor(stableTotal * stableShare);
        // Each window's canary 5xx share is above stable's + the allowed points, so the
        // step's share (a mediant of the windows') is too.
        const over = stableErrors / stableTotal + settings.max_error_rate_increase / 100;
        const canary = canaryExtra.map((extra) => {
          const total = settings.min_requests + extra;
          const errors = Math.min(total, Math.ceil(total * over + 0.5));
          return { ok: total - errors, errors };
        });
        return { settings, stableTotal, stableErrors, canary };
      });
    fc.assert(
      fc.property(worseArb, ({ settings, stableTotal, stableErrors, canary }) => {
        const n = settings.failureWindows;
        const sum = { ok: 0, errors: 0 };
        const readings = canary.slice(0, n).map((w, i) => {
          [sum.ok, sum.errors] = [sum.ok + w.ok, sum.errors + w.errors];
          const k = i + 1;
          return reading(5 * k, [{ release: 'v7', ok: (stableTotal - stableErrors) * k, errors: stableErrors * k }, { release: 'v8', ...sum }]);
        });
        const verdicts = judgeAll(settings, reading(0, [{ release: 'v7' }, { release: 'v8' }]), readings);
        assert.deepEqual(verdicts, [...Array<Verdict>(n - 1).fill('wait'), 'fail']);
      }),
      { numRuns: 300 },
    );
  });
});
