import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricsSnapshot } from '../router/metrics.js';
import { sampleOf, type SampleInput } from './sampler.js';

const ZERO = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
const Q = { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };

/** A router snapshot of route `shop.production.web` (and `#1`) with instances `id → [2xx so far, in flight]`. */
function snap(time: number, pid: number, counts: Record<string, [number, number]>, second: Record<string, [number, number]> = {}): MetricsSnapshot {
  const route = (id: string, c: Record<string, [number, number]>) => ({
    id, requests: ZERO, inFlight: 0, retries: 0, ejections: 0, latencyMs: { '10s': Q, '60s': Q },
    groups: [{
      release: 'v1', weight: 100, requests: ZERO, inFlight: 0, retries: 0, ejections: 0, latencyMs: { '10s': Q, '60s': Q },
      instances: Object.entries(c).map(([iid, [ok, inFlight]]) => ({
        id: iid, host: '127.0.0.1', port: 1, health: 'healthy' as const, ejected: false, drain: 'serving',
        requests: { ...ZERO, '2xx': ok }, inFlight, retries: 0, ejections: 0, latencyMs: { '10s': Q, '60s': Q },
      })),
    }],
  });
  return { time, generation: 1, pid, unrouted: 0, routes: [route('shop.production.web', counts), route('shop.production.web#1', second), route('shop.production.api', { a: [999, 9] })] };
}

const base = (over: Partial<SampleInput>): SampleInput => ({
  snapshot: undefined, previous: undefined, routeBase: 'shop.production.web',
  instances: [{ id: 'a', ready: true, cpuPercent: 50, rssBytes: 64 * 1024 * 1024 }], size: { cpu: 0.5, memory: 256 * 1024 * 1024 }, sampleMs: 1_000, now: 1_500, staleMs: 3_000, ...over,
});

describe('the autoscaler\'s sampler', () => {
  it('turns cumulative router counters into requests per sample period, summed over the service\'s routes', () => {
    const first = sampleOf(base({ snapshot: snap(1_000, 7, { a: [100, 1] }, { a: [10, 0] }) }));
    const second = sampleOf(base({ snapshot: snap(3_000, 7, { a: [140, 3] }, { a: [20, 1] }), previous: first.memory, now: 3_100 }));
    // 50 more over 2 s: 25 per 1 s sample period; in flight on both routes.
    assert.deepEqual(second.sample, { instances: [{ ready: true, cpuPercent: 100, memoryPercent: 25, requests: 25, inflight: 4 }] });
  });

  it('has no request figure on the first snapshot, after a router restart, or when a counter went down', () => {
    const first = sampleOf(base({ snapshot: snap(1_000, 7, { a: [100, 1] }) }));
    assert.equal(first.sample!.instances[0]!.requests, undefined);
    const restarted = sampleOf(base({ snapshot: snap(2_000, 8, { a: [5, 1] }), previous: first.memory }));
    assert.equal(restarted.sample!.instances[0]!.requests, undefined);
    const reset = sampleOf(base({ snapshot: snap(2_000, 7, { a: [50, 1] }), previous: first.memory }));
    assert.equal(reset.sample!.instances[0]!.requests, undefined);
  });

  it('counts an instance added to the table since the last snapshot from zero', () => {
    const first = sampleOf(base({ snapshot: snap(1_000, 7, { a: [100, 0] }) }));
    const two = [{ id: 'a', ready: true }, { id: 'b', ready: true }];
    const next = sampleOf(base({ snapshot: snap(2_000, 7, { a: [110, 0], b: [4, 0] }), previous: first.memory, instances: two, size: {} }));
    assert.deepEqual(next.sample!.instances.map((i) => i.requests), [10, 4]);
  });

  it('repeats the last sample when the router\'s figures were not read again yet, and gives a gap, not zeros, once they are stale', () => {
    const first = sampleOf(base({ snapshot: snap(1_000, 7, { a: [100, 1] }) }));
    const again = sampleOf(base({ snapshot: snap(1_000, 7, { a: [100, 1] }), previous: first.memory, now: 2_100 }));
    assert.deepEqual(again, { sample: first.sample, memory: first.memory });
    assert.deepEqual(sampleOf(base({ snapshot: snap(1_000, 7, { a: [100, 1] }), previous: first.memory, now: 4_001 })), { sample: null, memory: first.memory });
    assert.equal(sampleOf(base({ snapshot: undefined })).sample, null);
  });

  it('counts a web instance that is not in the router\'s table yet as not ready', () => {
    const s = sampleOf(base({ snapshot: snap(1_000, 7, {}) }));
    assert.deepEqual(s.sample, { instances: [{ ready: false, cpuPercent: 100, memoryPercent: 25 }] });
  });

  it('reads a worker from the runtime alone, CPU of one core without a size', () => {
    const s = sampleOf(base({ routeBase: undefined, size: {}, snapshot: undefined }));
    assert.deepEqual(s.sample, { instances: [{ ready: true, cpuPercent: 50 }] });
  });
});
