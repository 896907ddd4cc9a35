import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ejectionMs, mayEject } from './ejection.js';
import { nextHealth } from './health-state.js';
import { shouldRetry } from './retry-policy.js';

describe('nextHealth', () => {
  const t = { healthyThreshold: 2, unhealthyThreshold: 3 };
  it('takes an instance out after 3 consecutive failures and back after 2 passes', () => {
    let h = { state: 'healthy' as const, streak: 0 } as ReturnType<typeof nextHealth>;
    for (const passed of [false, false]) h = nextHealth(h, passed, t);
    assert.equal(h.state, 'healthy');
    h = nextHealth(h, false, t);
    assert.equal(h.state, 'unhealthy');
    h = nextHealth(h, true, t);
    assert.equal(h.state, 'unhealthy');
    h = nextHealth(h, true, t);
    assert.equal(h.state, 'healthy');
  });
  it('resets the streak when a result agrees with the state', () => {
    let h = nextHealth({ state: 'healthy', streak: 0 }, false, t);
    h = nextHealth(h, false, t);
    h = nextHealth(h, true, t);
    h = nextHealth(h, false, t);
    assert.deepEqual(h, { state: 'healthy', streak: 1 });
  });
});

describe('ejection', () => {
  it('lasts 30 s times the number of ejections, at most 300 s', () => {
    assert.deepEqual([1, 2, 3, 10, 11, 50].map((n) => ejectionMs(n)), [30_000, 60_000, 90_000, 300_000, 300_000, 300_000]);
  });
  it('never ejects more than half of a group', () => {
    assert.equal(mayEject(1, 0), false);
    assert.equal(mayEject(2, 0), true);
    assert.equal(mayEject(2, 1), false);
    assert.equal(mayEject(5, 2), false);
    assert.equal(mayEject(6, 2), true);
  });
});

describe('shouldRetry', () => {
  const ctx = (method: string, hasBody = false, attempts = 1) => ({ method, hasBody, attempts });
  it('retries a connection failure once, whatever the method', () => {
    assert.equal(shouldRetry({ kind: 'connect-failed' }, ctx('POST', true)), true);
    assert.equal(shouldRetry({ kind: 'connect-failed' }, ctx('GET', false, 2)), false);
  });
  it('retries 502/503/504 only for idempotent requests without a body', () => {
    for (const status of [502, 503, 504]) {
      assert.equal(shouldRetry({ kind: 'response', status }, ctx('GET')), true);
      assert.equal(shouldRetry({ kind: 'response', status }, ctx('POST')), false);
      assert.equal(shouldRetry({ kind: 'response', status }, ctx('PUT', true)), false);
    }
    assert.equal(shouldRetry({ kind: 'response', status: 500 }, ctx('GET')), false);
  });
  it('never repeats a POST or PATCH whose bytes were sent', () => {
    assert.equal(shouldRetry({ kind: 'reset-after-send' }, ctx('POST', true)), false);
    assert.equal(shouldRetry({ kind: 'reset-after-send' }, ctx('PATCH', true)), false);
    assert.equal(shouldRetry({ kind: 'reset-after-send' }, ctx('POST', false)), false);
    assert.equal(shouldRetry({ kind: 'reset-after-send' }, ctx('GET')), true);
  });
});
