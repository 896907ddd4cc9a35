import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupMetrics, InstanceMetrics, MetricsSnapshot } from '../router/metrics.js';
import { Stats } from '../router/stats.js';
import { judgeStep, startStep } from './analysis.js';
import { readingOf, releaseLatency } from './analysis-reading.js';
import { SPEC_DEFAULTS } from './analysis-testing.js';

const NOW = 1_700_000_000_000;

/** An instance's figures as the router's own Stats count them: `answers` are [status, ms] pairs. */
function served(id: string, port: number, answers: readonly (readonly [number, number])[]): InstanceMetrics {
  const stats = new Stats();
  for (const [status, ms] of answers) stats.finish(status, ms, NOW - 500);
  return { id, host: '127.0.0.1', port, health: 'healthy', ejected: false, drain: 'serving', ...stats.figures(NOW) };
}

function group(release: string, weight: number, instances: InstanceMetrics[]): GroupMetrics {
  // Group figures are deliberately empty: the router re-creates them on every table change.
  return { release, weight, instances, ...new Stats().figures(NOW) };
}

function repeat(n: number, status: number, ms: number): [number, number][] {
  return Array.from({ length: n }, () => [status, ms]);
}

function snapshotWith(routes: MetricsSnapshot['routes']): MetricsSnapshot {
  return { time: NOW, generation: 3, pid: 321, unrouted: 0, routes };
}

const empty = new Stats().figures(NOW);

describe('reading canary figures from a router snapshot', () => {
  const snap = snapshotWith([
    { id: 'shop.production.web', ...empty, groups: [
      group('v7', 95, [served('a', 20001, repeat(90, 200, 10)), served('b', 20002, [...repeat(9, 200, 10), [503, 10]])]),
      group('v8', 5, [served('c', 20003, [...repeat(8, 200, 40), [500, 40], [0, 40]])]),
    ] },
    { id: 'shop.production.web#1', ...empty, groups: [group('v8', 5, [served('c', 20003, repeat(5, 200, 40))])] },
    { id: 'shop.production.webhooks', ...empty, groups: [group('v8', 100, [served('h', 20009, repeat(50, 500, 1))])] },
  ]);

  it('takes every instance of the service on each of its routes, and no other service', () => {
    const r = readingOf(snap, 'shop.production.web');
    assert.equal(r.pid, 321);
    assert.equal(r.time, NOW);
    assert.deepEqual(r.instances.map((i) => [i.release, i.key.split(' ')[0], i.requests['2xx'], i.requests['5xx']]), [
      ['v7', 'shop.production.web', 90, 0],
      ['v7', 'shop.production.web', 9, 1],
      ['v8', 'shop.production.web', 8, 2],
      ['v8', 'shop.production.web#1', 5, 0],
    ]);
  });

  it('weights each instance p99 by its samples', () => {
    const r = readingOf(snap, 'shop.production.web');
    const v8 = releaseLatency(r, 'v8', '10s');
    assert.equal(v8.samples, 15);
    assert.ok(Math.abs(v8.p99Ms - 40) < 40 * 0.125, `p99 ${v8.p99Ms} within a bucket of 40 ms`);
    assert.equal(releaseLatency(r, 'v9', '60s').samples, 0);
  });

  it('judges the canary from two snapshots by instance deltas, counting unanswered requests as 5xx', () => {
    const start = readingOf(snapshotWith([]), 'shop.production.web');
    const j = judgeStep({ state: startStep('v8', 'v7', start), now: readingOf(snap, 'shop.production.web'), elapsedMs: 30_000, settings: { ...SPEC_DEFAULTS, min_requests: 10, failureWindows: 1 } });
    assert.equal(j.figures?.canary.requests, 15);
    assert.equal(j.figures?.canary.errors, 2);
    assert.equal(j.figures?.stable.requests, 100);
    assert.equal(j.verdict, 'fail');
    assert.match(j.reason, /^v8 5xx 13\.3 % vs v7 1\.0 % \(max \+1 pt\) over 15 requests/);
  });
});
