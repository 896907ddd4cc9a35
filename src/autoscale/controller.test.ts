import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WharfError } from '../errors.js';
import type { MetricsSnapshot } from '../router/metrics.js';
import { AutoscaleController } from './controller.js';
import { statusOf } from './controller-status.js';
import type { AutoscaledService, ScaleOrder } from './controller-types.js';
import { autoscaleSpec } from './testing/simulate.js';

const ZERO = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
const Q = { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };

/**
 * A service and a router whose figures the test moves by hand: `inFlight` per instance and
 * the route's held requests. The controller is ticked by the test, one tick per second of
 * the fake clock: the honest test of what it does with each second's figures.
 */
function world(opts: { current: number; min?: number; max?: number }) {
  let now = 1_000_000;
  const state = { current: opts.current, inFlight: 0, held: 0, frozen: false, lock: false, stale: false, routerDown: false };
  const orders: ScaleOrder[] = [];
  const svc = (): AutoscaledService => ({
    app: 'shop', env: 'production', service: 'web', release: 3, routeBase: 'shop.production.web', size: {},
    policy: autoscaleSpec({ min: opts.min ?? 1, max: opts.max ?? 10, targets: { inflight_per_instance: 2 } }),
    current: state.current,
    instances: Array.from({ length: state.current }, (_, i) => ({ id: `i${i}`, ready: true })),
  });
  const metrics = (): MetricsSnapshot => ({
    time: now, generation: 1, pid: 1, unrouted: 0,
    routes: [{
      id: 'shop.production.web', requests: ZERO, inFlight: state.held + state.inFlight * state.current, retries: 0, ejections: 0, latencyMs: { '10s': Q, '60s': Q },
      groups: [{
        release: 'v3', weight: 100, requests: ZERO, inFlight: 0, retries: 0, ejections: 0, latencyMs: { '10s': Q, '60s': Q },
        instances: Array.from({ length: state.current }, (_, i) => ({
          id: `i${i}`, host: '127.0.0.1', port: 1, health: 'healthy' as const, ejected: false, drain: 'serving', requests: ZERO, inFlight: state.inFlight, retries: 0, ejections: 0, latencyMs: { '10s': Q, '60s': Q },
        })),
      }],
    }],
  });
  const controller = new AutoscaleController({
    sources: { services: async () => [svc()], metrics: () => (state.routerDown ? undefined : metrics()) },
    scaler: {
      scale: async (_a, _e, _s, order) => {
        if (state.lock) throw new WharfError('LOCK_HELD', 'shop/production is locked by alice (apply)');
        if (state.stale) throw new WharfError('CONFLICT', 'stale, shop/production now runs v4');
        orders.push(order);
        state.current = order.to;
      },
    },
    freeze: { frozen: () => state.frozen },
    clock: { now: () => now },
    ticker: () => () => undefined,
  });
  const second = async () => {
    now += 1_000;
    await controller.tick();
    await Promise.all(controller.list().map((t) => t.acting));
  };
  return { state, orders, controller, second };
}

describe('the autoscaling controller', () => {
  it('orders a scale-up within the panic window of a burst, with the reason and figures of the decision', async () => {
    const w = world({ current: 2 });
    for (let s = 0; s < 10; s++) await w.second();
    assert.equal(w.orders.length, 0, 'no change on a quiet service');
    w.state.inFlight = 5;
    let seconds = 0;
    while (w.orders.length === 0 && seconds < 10) (await w.second(), seconds++);
    assert.ok(seconds <= 6, `ordered after ${seconds} s`);
    const order = w.orders[0]!;
    assert.equal(order.from, 2);
    assert.match(order.reason, /^web 2 → \d+: .* in flight per instance > target 2/);
    assert.ok(order.figures!.targets[0]!.burst! >= 4);
    const status = statusOf(w.controller.list()[0]!);
    assert.equal(status.decisions.at(-1)!.outcome, 'scaled');
    assert.notEqual(status.panic, null);
  });

  it('decides while the environment\'s lock is held, acts on none of it, and acts afresh once it is free', async () => {
    const w = world({ current: 1 });
    for (let s = 0; s < 5; s++) await w.second();
    w.state.lock = true;
    w.state.inFlight = 6;
    for (let s = 0; s < 5; s++) await w.second();
    assert.equal(w.orders.length, 0);
    const outcomes = w.controller.list()[0]!.decisions.map((d) => d.outcome);
    assert.ok(outcomes.filter((o) => o === 'lock-held').length >= 2, outcomes.join(' '));
    w.state.lock = false;
    await w.second();
    assert.equal(w.orders.length, 1, 'one order, from the figures of that second, not a queue of stale ones');
  });

  it('calls an order the scale path finds stale (a new live release) stale, and decides afresh', async () => {
    const w = world({ current: 1 });
    w.state.stale = true;
    w.state.inFlight = 6;
    await w.second();
    assert.equal(w.controller.list()[0]!.decisions.at(-1)!.outcome, 'stale');
    w.state.stale = false;
    await w.second();
    assert.equal(w.orders.length, 1);
  });

  it('does not act while the service rolls out, and acts after', async () => {
    const w = world({ current: 1 });
    w.state.frozen = true;
    w.state.inFlight = 6;
    for (let s = 0; s < 5; s++) await w.second();
    assert.equal(w.orders.length, 0);
    assert.equal(w.controller.list()[0]!.decisions.at(-1)!.outcome, 'frozen');
    w.state.frozen = false;
    await w.second();
    assert.equal(w.orders.length, 1);
  });

  it('starts a service at zero as soon as the router reports demand, once', async () => {
    const w = world({ current: 0, min: 0 });
    await w.second();
    await Promise.all([w.controller.demand('shop.production.web'), w.controller.demand('shop.production.web#1')]);
    await Promise.all(w.controller.list().map((t) => t.acting));
    assert.deepEqual(w.orders.map((o) => [o.from, o.to, o.reason]), [[0, 1, 'web 0 → 1: requests are waiting (scale from zero)']]);
  });

  it('starts a service at zero when its route holds requests, even if the demand event was missed', async () => {
    const w = world({ current: 0, min: 0 });
    await w.second();
    assert.equal(w.orders.length, 0);
    assert.equal(w.controller.list()[0]!.decisions.at(-1)!.reason, 'web holds at 0: idle; the router holds the next request and asks for an instance');
    w.state.held = 3;
    await w.second();
    assert.deepEqual(w.orders.map((o) => o.to), [1]);
  });

  it('holds the count on a gap in the router\'s figures', async () => {
    const w = world({ current: 3 });
    w.state.routerDown = true;
    for (let s = 0; s < 400; s++) await w.second();
    assert.equal(w.orders.length, 0);
    assert.match(w.controller.list()[0]!.decisions.at(-1)!.reason, /figures missing/);
  });
});
