import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatencyWindow } from './latency-window.js';

const close = (actual: number, expected: number): void =>
  assert.ok(Math.abs(actual - expected) / expected <= 0.13, `${actual} is not within 13 % of ${expected}`);

describe('LatencyWindow', () => {
  it('reads p50/p90/p99 within the bucket precision', () => {
    const w = new LatencyWindow();
    const now = 1_000_000;
    for (let i = 1; i <= 1000; i++) w.record(i / 10, now); // 0.1 … 100 ms
    const q = w.quantiles(10, now);
    assert.equal(q.count, 1000);
    close(q.p50, 50);
    close(q.p90, 90);
    close(q.p99, 99);
  });

  it('forgets samples older than the window it is asked about', () => {
    const w = new LatencyWindow();
    const t0 = 5_000_000;
    w.record(500, t0);
    w.record(1, t0 + 30_000);
    assert.equal(w.quantiles(10, t0 + 30_000).count, 1);
    assert.equal(w.quantiles(60, t0 + 30_000).count, 2);
    assert.equal(w.quantiles(60, t0 + 120_000).count, 0);
  });

  it('does not mix a slot reused a minute later with its old samples', () => {
    const w = new LatencyWindow();
    w.record(7, 60_000);
    w.record(7, 120_000); // same slot, one ring turn later
    assert.equal(w.quantiles(60, 120_000).count, 1);
  });
});
