import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileText } from '../spec/testing.js';
import type { InstanceRecord, ReleaseRecord } from '../state/types.js';
import { validateTable } from '../router/table.js';
import { buildTable } from './route-table.js';

function release(version: number, status: ReleaseRecord['status'], routes = '[{ path: / }, { host: shop.example.com }, { host: shop.example.com, path: /api }]', extra = ''): ReleaseRecord {
  const compiled = compileText(`app: shop\nservices:\n  web: { run: x, routes: ${routes}, deploy: { drain_timeout: 5s }${extra} }\n  worker: { run: y }\n`);
  assert.ok(compiled.ok);
  const environment = compiled.app.environments.get('production')!;
  const builds = { web: { id: 'b', dir: '/builds/b' }, worker: { id: 'b', dir: '/builds/b' } };
  return { app: 'shop', env: 'production', version, buildId: 'b', configVersion: 0, spec: { environment, builds }, status, description: '', createdAt: 0, updatedAt: 0 };
}

function instance(id: string, rel: number, state: string, port?: number, service = 'web'): InstanceRecord {
  return { id, app: 'shop', env: 'production', service, release: rel, state, port, restarts: 0, createdAt: 0, updatedAt: 0 };
}

describe('the route table', () => {
  it('routes each web service by host and path, with its health settings and drain timeout', () => {
    const table = buildTable([{ primary: release(1, 'live'), instances: [instance('a', 1, 'healthy', 20000), instance('w', 1, 'running', undefined, 'worker')] }], new Set(), 7);
    assert.equal(table.generation, 7);
    assert.deepEqual(table.routes.map((r) => [r.id, r.hosts, r.pathPrefix]), [
      ['shop.production.web', ['web.production.shop.localhost', 'shop.example.com'], '/'],
      ['shop.production.web#1', ['shop.example.com'], '/api'],
    ]);
    assert.deepEqual(table.routes[0]!.health, { path: '/healthz', intervalMs: 1000, timeoutMs: 2000, healthyThreshold: 2, unhealthyThreshold: 3 });
    assert.equal(table.routes[0]!.drainTimeoutMs, 5000);
  });

  it('gives the live release the traffic and keeps the previous one warm at weight 0', () => {
    const table = buildTable([{ primary: release(2, 'live'), instances: [instance('old', 1, 'healthy', 20000), instance('new', 2, 'healthy', 20001)] }], new Set(), 1);
    assert.deepEqual(table.routes[0]!.groups.map((g) => [g.release, g.weight, g.instances.map((i) => i.id)]), [['v2', 100, ['new']], ['v1', 0, ['old']]]);
  });

  it('keeps the old release serving while the new one has no instance past the health gate', () => {
    const table = buildTable([{ primary: release(2, 'live'), instances: [instance('old', 1, 'healthy', 20000), instance('new', 2, 'running', 20001)] }], new Set(), 1);
    assert.deepEqual(table.routes[0]!.groups.map((g) => [g.release, g.weight]), [['v1', 100]]);
  });

  it('marks instances being stopped as draining, and shifts the weight away from a group that only drains', () => {
    const table = buildTable([{ primary: release(1, 'live'), instances: [instance('a', 1, 'healthy', 20000), instance('b', 2, 'healthy', 20001)] }], new Set(['a']), 1);
    const groups = table.routes[0]!.groups;
    assert.deepEqual(groups.find((g) => g.release === 'v1')!.instances, [{ id: 'a', host: '127.0.0.1', port: 20000, draining: true }]);
    assert.equal(groups.find((g) => g.release === 'v2')!.weight, 100);
  });

  it('leaves out a route with nothing to serve it, rather than sending a table the router refuses', () => {
    const table = buildTable([{ primary: release(1, 'deploying'), instances: [instance('a', 1, 'running', 20000)] }], new Set(), 1);
    assert.deepEqual(table.routes, []);
  });

  it('keeps the routes of a service that scales to zero, held, with nothing behind them, in a table the router accepts', () => {
    const zero = release(1, 'live', '[{ path: / }]', ', autoscale: { min: 0, max: 3, targets: { inflight_per_instance: 5 } }');
    const empty = buildTable([{ primary: zero, instances: [] }], new Set(), 1);
    assert.deepEqual(empty.routes.map((r) => [r.id, r.hold, r.groups]), [['shop.production.web', {}, []]]);
    assert.doesNotThrow(() => validateTable(empty));
    const draining = buildTable([{ primary: zero, instances: [instance('a', 1, 'healthy', 20000)] }], new Set(['a']), 2);
    assert.deepEqual(draining.routes[0]!.groups.map((g) => [g.weight, g.instances.map((i) => i.draining)]), [[0, [true]]]);
    assert.doesNotThrow(() => validateTable(draining));
  });

  it('does not hold the routes of a service whose autoscale floor is above zero', () => {
    const one = release(1, 'live', '[{ path: / }]', ', autoscale: { min: 1, max: 3, targets: { inflight_per_instance: 5 } }');
    assert.deepEqual(buildTable([{ primary: one, instances: [] }], new Set(), 1).routes, []);
    assert.equal(buildTable([{ primary: one, instances: [instance('a', 1, 'healthy', 20000)] }], new Set(), 1).routes[0]!.hold, undefined);
  });

  it('leaves out a route whose every instance is draining, so the router takes the table and drains them as dropped', () => {
    // The service's last instances stopping (env destroy, scale to 0): a route with only a
    // draining group has no weight above 0, which the router would refuse along with the
    // whole table, leaving each stop to wait out its drain timeout.
    const instances = [instance('a', 1, 'healthy', 20000), instance('b', 1, 'healthy', 20001), instance('w', 1, 'running', undefined, 'worker')];
    const table = buildTable([{ primary: release(1, 'live'), instances }], new Set(['a', 'b']), 1);
    assert.deepEqual(table.routes, []);
    assert.doesNotThrow(() => validateTable(table));
  });

  it('splits a service\'s traffic between the live release and the one a rollout is moving to', () => {
    const instances = [instance('old', 1, 'healthy', 20000), instance('new', 2, 'healthy', 20001)];
    const table = buildTable([{ primary: release(1, 'live'), instances, splits: new Map([['web', { release: 2, weight: 5 }]]) }], new Set(), 1);
    assert.deepEqual(table.routes[0]!.groups.map((g) => [g.release, g.weight]), [['v2', 5], ['v1', 95]]);
  });

  it('keeps all traffic on the live release while the split\'s release has no healthy instance', () => {
    const instances = [instance('old', 1, 'healthy', 20000), instance('new', 2, 'running', 20001)];
    const table = buildTable([{ primary: release(1, 'live'), instances, splits: new Map([['web', { release: 2, weight: 50 }]]) }], new Set(), 1);
    assert.deepEqual(table.routes[0]!.groups.map((g) => [g.release, g.weight]), [['v1', 100]]);
  });

  it('switches all traffic to the new set at a split of 100, keeping the old set warm at 0', () => {
    const instances = [instance('old', 1, 'healthy', 20000), instance('new', 2, 'healthy', 20001)];
    const table = buildTable([{ primary: release(1, 'live'), instances, splits: new Map([['web', { release: 2, weight: 100 }]]) }], new Set(), 1);
    assert.deepEqual(table.routes[0]!.groups.map((g) => [g.release, g.weight, g.instances.length]), [['v2', 100, 1], ['v1', 0, 1]]);
  });
});
