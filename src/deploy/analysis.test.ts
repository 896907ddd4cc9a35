import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeStep, startStep, type AnalysisSettings, type AnalysisState, type Judgement } from './analysis.js';
import { reading, SPEC_DEFAULTS, type InstanceTotals } from './analysis-testing.js';
import type { Reading } from './analysis-reading.js';

const START = reading(0, [
  { release: 'v7', ok: 10_000, errors: 20 },
  { release: 'v8', ok: 0 },
]);

/** Judges `now` as the step's only window after `elapsedS` seconds. */
function once(now: readonly InstanceTotals[], elapsedS: number, settings: Partial<AnalysisSettings> = {}): Judgement {
  return judgeStep({ state: startStep('v8', 'v7', START), now: reading(elapsedS, now), elapsedMs: elapsedS * 1000, settings: { ...SPEC_DEFAULTS, ...settings } });
}

/** Judges successive readings of one step, one window each, 5 s apart. */
function windows(readings: readonly Reading[], settings: Partial<AnalysisSettings> = {}, start = START): Judgement[] {
  let state: AnalysisState = startStep('v8', 'v7', start);
  return readings.map((now, i) => {
    const j = judgeStep({ state, now, elapsedMs: (i + 1) * 5000, settings: { ...SPEC_DEFAULTS, ...settings } });
    state = j.state;
    return j;
  });
}

/** Cumulative totals after `k` windows of a canary serving `perWindow` requests of which `errPerWindow` fail. */
function after(k: number, perWindow: number, errPerWindow: number, extra: Partial<InstanceTotals> = {}, stableExtra: Partial<InstanceTotals> = {}): Reading {
  return reading(5 * k, [
    { release: 'v7', ok: 10_000 + 4000 * k, errors: 20 + 8 * k, ...stableExtra },
    { release: 'v8', ok: (perWindow - errPerWindow) * k, errors: errPerWindow * k, ...extra },
  ]);
}

describe('canary analysis: one step', () => {
  it('passes a canary as good as the stable release once the hold has elapsed', () => {
    const j = once([{ release: 'v7', ok: 19_980, errors: 40 }, { release: 'v8', ok: 499, errors: 1 }], 30);
    assert.equal(j.verdict, 'pass');
    assert.match(j.reason, /^v8 5xx 0\.2 % vs v7 0\.2 % \(max \+1 pt\) over 500 requests; v8 p99 20 ms vs v7 20 ms \(max ×1\.5\)/);
    assert.equal(j.figures?.canary.requests, 500);
    assert.equal(j.figures?.stable.requests, 10_000);
    assert.equal(j.figures?.errorRateIncreasePts, 0);
  });

  it('waits while a good canary has not yet been held for the hold time', () => {
    const j = once([{ release: 'v7', ok: 12_000, errors: 20 }, { release: 'v8', ok: 100 }], 12);
    assert.equal(j.verdict, 'wait');
    assert.match(j.reason, /judged until the 30 s hold ends \(12 s so far\)$/);
  });

  it('fails a canary whose 5xx share exceeds the stable one by more than the allowed points, after N bad windows', () => {
    const js = windows([1, 2, 3].map((k) => after(k, 412, 128)));
    assert.deepEqual(js.map((j) => j.verdict), ['wait', 'wait', 'fail']);
    assert.equal(js[0]!.reason, 'v8 5xx 31.1 % vs v7 0.2 % (max +1 pt) over 412 requests; v8 p99 20 ms vs v7 20 ms (max ×1.5) over 412 samples in 10s (bad window 1 of 3 before the step fails)');
    assert.match(js[2]!.reason, /^v8 5xx 31\.1 % vs v7 0\.2 % \(max \+1 pt\) over 1236 requests; .* \(3 bad windows in a row\)$/);
    assert.equal(js[2]!.state.badWindows, 3);
  });

  it('does not fail a canary exactly at the allowed increase: the rule is "more than"', () => {
    const j = once([{ release: 'v7', ok: 19_900, errors: 120 }, { release: 'v8', ok: 98, errors: 2 }], 30);
    assert.equal(j.figures?.errorRateIncreasePts, 1);
    assert.equal(j.verdict, 'pass');
  });

  it('fails a canary whose p99 exceeds the stable one times the allowed ratio, with enough samples', () => {
    const js = windows([1, 2, 3].map((k) => after(k, 200, 0, { p99: 840 }, { p99: 120 })));
    assert.deepEqual(js.map((j) => j.verdict), ['wait', 'wait', 'fail']);
    assert.match(js[2]!.reason, /^v8 p99 840 ms vs v7 120 ms \(max ×1\.5\) over 600 samples in 60s; v8 5xx 0\.0 % vs v7 0\.2 %/);
    assert.equal(js[2]!.figures?.p99Ratio, 7);
  });

  it('does not compare p99s that rest on too few samples', () => {
    const j = once([{ release: 'v7', ok: 12_000, errors: 20 }, { release: 'v8', ok: 60, p99: 5000 }], 30);
    assert.equal(j.verdict, 'pass');
    assert.equal(j.figures?.p99Ratio, undefined);
    assert.match(j.reason, /p99 not compared: v8 60 and v7 12020 latency samples over 60s, 100 needed each/);
  });

  it('compares tails of a few milliseconds as the floor, so scheduling noise does not fail a canary', () => {
    const j = once([{ release: 'v7', ok: 12_000, errors: 20, p99: 1 }, { release: 'v8', ok: 500, p99: 4 }], 30);
    assert.equal(j.figures?.p99Ratio, 1);
    assert.equal(j.verdict, 'pass');
  });

  it('holds the canary to the threshold itself when the stable release had no traffic in the step', () => {
    const j = once([{ release: 'v7', ok: 10_000, errors: 20 }, { release: 'v8', ok: 95, errors: 5 }], 30, { failureWindows: 1 });
    assert.equal(j.figures?.stable.requests, 0);
    assert.equal(j.verdict, 'fail');
    assert.match(j.reason, /^v8 5xx 5\.0 % vs v7 0\.0 % \(max \+1 pt\) over 100 requests/);
  });

  it('reports too little canary traffic as insufficient while the hold lasts', () => {
    const j = once([{ release: 'v7', ok: 11_000, errors: 20 }, { release: 'v8', ok: 12 }], 8);
    assert.equal(j.verdict, 'insufficient');
    assert.equal(j.reason, 'v8 had 12 requests in 8 s, fewer than the 50 needed to judge it yet; the hold lasts 30 s');
    assert.equal(j.figures?.canary.requests, 12);
  });

  it('keeps holding a step with too little traffic after the hold when on_low_traffic is hold', () => {
    const j = once([{ release: 'v7', ok: 11_000, errors: 20 }, { release: 'v8', ok: 11, errors: 1 }], 31);
    assert.equal(j.verdict, 'wait');
    assert.equal(j.reason, 'v8 had 12 requests in 31 s, fewer than the 50 needed to judge it: the step holds until it has, as on_low_traffic is hold');
  });

  it('promotes a step with too little traffic after the hold when on_low_traffic is promote, and says so', () => {
    const j = once([{ release: 'v7', ok: 11_000, errors: 20 }, { release: 'v8', ok: 12 }], 31, { on_low_traffic: 'promote' });
    assert.equal(j.verdict, 'pass');
    assert.match(j.reason, /^v8 had 12 requests in 31 s, fewer than the 50 needed to judge it: promoted without analysis, as on_low_traffic is promote \(v8 5xx 0\.0 % vs v7 0\.0 %/);
  });
});

describe('canary analysis: counter resets', () => {
  it('skips the window and measures again from the new reading when the router restarted', () => {
    const restarted = { ...after(1, 100, 0), pid: 99 };
    const [skipped, next] = windows([restarted, { ...after(2, 100, 0), pid: 99 }], { hold: 5000 });
    assert.equal(skipped!.verdict, 'wait');
    assert.equal(skipped!.figures, undefined);
    assert.match(skipped!.reason, /^No verdict for this window: the router restarted \(pid 4242 → 99\)/);
    assert.equal(skipped!.state.resets, 1);
    assert.equal(skipped!.state.since, restarted);
    // Measured from the restart: one window's traffic, not the cumulative total.
    assert.equal(next!.figures?.canary.requests, 100);
    assert.equal(next!.verdict, 'pass');
  });

  it('treats a counter that went down as a reset, never as negative traffic', () => {
    const base = after(4, 100, 0);
    const went = reading(25, [{ release: 'v7', ok: 900 }, { release: 'v8', ok: 30 }]);
    const [j] = windows([went], {}, base);
    assert.equal(j!.verdict, 'wait');
    assert.equal(j!.figures, undefined);
    assert.match(j!.reason, /2xx counter of a v7 instance went down \(26000 → 900\)/);
  });

  it('counts an instance that joined during the step from zero and leaves out one that left', () => {
    const start = reading(0, [{ release: 'v7', ok: 5000 }, { release: 'v7', id: '2', ok: 7000 }, { release: 'v8', ok: 0 }]);
    const now = reading(30, [{ release: 'v7', ok: 5600 }, { release: 'v8', ok: 80 }, { release: 'v8', id: '2', ok: 20, errors: 5 }]);
    const [j] = windows([now], { hold: 5000 }, start);
    assert.equal(j!.figures?.stable.requests, 600);
    assert.equal(j!.figures?.canary.requests, 105);
    assert.equal(j!.figures?.canary.errors, 5);
  });
});

describe('canary analysis: consecutive windows', () => {
  it('fails only after N bad windows in a row; a good window ends the streak', () => {
    // The canary's 5xx share over the step after each window: 10 %, 0.5 % (good), 4.8 %, 8.9 %, 12.5 %.
    const canary = [[180, 20], [3980, 20], [4000, 200], [4100, 400], [4200, 600]] as const;
    const js = windows(canary.map(([ok, errors], i) => reading(5 * (i + 1), [{ release: 'v7', ok: 10_000 + 4000 * (i + 1), errors: 20 + 8 * (i + 1) }, { release: 'v8', ok, errors }])));
    assert.deepEqual(js.map((j) => j.verdict), ['wait', 'wait', 'wait', 'wait', 'fail']);
    assert.deepEqual(js.map((j) => j.state.badWindows), [1, 0, 1, 2, 3]);
  });

  it('keeps a bad streak across a window with reset counters: missing is not good', () => {
    const restarted = { ...reading(10, [{ release: 'v7', ok: 10 }, { release: 'v8', ok: 1 }]), pid: 7 };
    const bad2 = { ...reading(15, [{ release: 'v7', ok: 4010 }, { release: 'v8', ok: 181, errors: 20 }]), pid: 7 };
    const bad3 = { ...reading(20, [{ release: 'v7', ok: 8010 }, { release: 'v8', ok: 361, errors: 40 }]), pid: 7 };
    const js = windows([after(1, 200, 20), restarted, bad2, bad3]);
    assert.deepEqual(js.map((j) => j.verdict), ['wait', 'wait', 'wait', 'fail']);
    assert.deepEqual(js.map((j) => j.state.badWindows), [1, 1, 2, 3]);
  });

  it('fails at once when the rollout asks for a single bad window', () => {
    const [j] = windows([after(1, 200, 20)], { failureWindows: 1 });
    assert.equal(j!.verdict, 'fail');
    assert.match(j!.reason, /\(1 bad window\)$/);
  });
});
