import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WharfError } from '../errors.js';
import { validateTable, type Table } from './table.js';

export function sampleTable(port = 9000): Table {
  return {
    generation: 3,
    routes: [
      {
        id: 'shop.production.web',
        hosts: ['web.production.shop.localhost', '*.shop.example.com'],
        pathPrefix: '/',
        health: { path: '/healthz', intervalMs: 1000 },
        sticky: { cookie: 'wharf_release' },
        limits: { maxInFlightPerInstance: 10, queueSize: 5 },
        groups: [
          { release: 'v7', weight: 95, instances: [{ id: 'a', host: '127.0.0.1', port }] },
          { release: 'v8', weight: 5, instances: [{ id: 'b', host: '127.0.0.1', port: port + 1, draining: false }] },
        ],
      },
    ],
    certificates: [{ hosts: ['shop.example.com'], certFile: '/etc/cert.pem', keyFile: '/etc/key.pem' }],
  };
}

function problems(x: unknown): string[] {
  try {
    validateTable(x);
  } catch (e) {
    assert.ok(e instanceof WharfError);
    assert.equal(e.code, 'SPEC_INVALID');
    return (e.details as { path: string }[]).map((p) => p.path);
  }
  return [];
}

describe('validateTable', () => {
  it('accepts a complete table and returns it unchanged', () => {
    const t = sampleTable();
    assert.deepEqual(validateTable(structuredClone(t)), t);
  });

  it('lists every problem of a table at once, each with its path', () => {
    const t = sampleTable() as unknown as { generation: unknown; routes: Record<string, unknown>[] };
    t.generation = -1;
    t.routes[0]!.hosts = ['Bad_Host', '*.ok.example'];
    t.routes[0]!.pathPrefix = 'no-slash';
    (t.routes[0]!.groups as { weight: unknown; instances: { port: unknown }[] }[])[0]!.instances[0]!.port = 70000;
    assert.deepEqual(problems(t), ['generation', 'routes.0.hosts.0', 'routes.0.pathPrefix', 'routes.0.groups.0.instances.0.port']);
  });

  const cases: [string, (t: Table) => void, string][] = [
    ['a duplicate route id', (t) => t.routes.push({ ...t.routes[0]!, hosts: ['other.localhost'] }), 'routes.1.id'],
    ['two routes claiming one host and prefix', (t) => t.routes.push({ ...t.routes[0]!, id: 'x', hosts: ['web.production.shop.localhost'] }), 'routes.1.hosts'],
    ['a group with a negative weight', (t) => (t.routes[0]!.groups[0]!.weight = -1), 'routes.0.groups.0.weight'],
    ['groups whose weights are all zero', (t) => t.routes[0]!.groups.forEach((g) => (g.weight = 0)), 'routes.0.groups'],
    ['a duplicate instance id in a route', (t) => (t.routes[0]!.groups[1]!.instances[0]!.id = 'a'), 'routes.0.groups.1.instances.0.id'],
    ['a duplicate release', (t) => (t.routes[0]!.groups[1]!.release = 'v7'), 'routes.0.groups.1.release'],
    ['a health interval below 10 ms', (t) => (t.routes[0]!.health = { intervalMs: 1 }), 'routes.0.health.intervalMs'],
    ['a cookie name with a space', (t) => (t.routes[0]!.sticky = { cookie: 'a b' }), 'routes.0.sticky.cookie'],
    ['a zero connect timeout', (t) => (t.routes[0]!.limits = { connectTimeoutMs: 0 }), 'routes.0.limits.connectTimeoutMs'],
    ['a certificate without a key file', (t) => (t.certificates![0]!.keyFile = ''), 'certificates.0.keyFile'],
    ['a wildcard in the middle of a host', (t) => (t.routes[0]!.hosts = ['a.*.example.com']), 'routes.0.hosts.0'],
  ];
  for (const [what, mutate, path] of cases) {
    it(`refuses ${what}`, () => {
      const t = sampleTable();
      mutate(t);
      assert.deepEqual(problems(t), [path]);
    });
  }

  it('accepts a held route (a service at zero) without groups or instances, and refuses one that does not hold', () => {
    const held = sampleTable();
    held.routes[0]!.hold = { timeoutMs: 30_000, queueSize: 100 };
    held.routes[0]!.groups = [];
    assert.deepEqual(problems(held), []);
    held.routes[0]!.groups = [{ release: 'v7', weight: 0, instances: [] }];
    assert.deepEqual(problems(held), []);
    const plain = sampleTable();
    plain.routes[0]!.groups = [];
    assert.deepEqual(problems(plain), ['routes.0.groups']);
  });

  it('refuses a hold with a zero timeout or a negative queue size, naming both', () => {
    const t = sampleTable();
    t.routes[0]!.hold = { timeoutMs: 0, queueSize: -1 };
    assert.deepEqual(problems(t), ['routes.0.hold.timeoutMs', 'routes.0.hold.queueSize']);
  });

  it('refuses things that are not tables', () => {
    assert.deepEqual(problems(null), ['']);
    assert.deepEqual(problems({ generation: 1 }), ['routes']);
  });
});
