import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileSpec } from '../spec/compile.js';
import { YamlSource } from '../spec/yaml-source.js';
import type { ResolvedEnvironment } from '../spec/resolve.js';
import type { ResourceRecord } from '../state/types.js';
import { deriveEnvironment } from './derive.js';
import { envDiff, type DiffSide } from './env-diff.js';
import { expiredEnvironments } from './env-reaper.js';

function production(): ResolvedEnvironment {
  const yaml = [
    'app: shop',
    'env: { LOG: info }',
    'services:',
    '  web: { run: node s.js, instances: 3, routes: [{ host: shop.example.com, path: /, tls: { cert: c.pem, key: k.pem } }, { host: shop.example.com, path: /api }] }',
    '  worker: { run: node w.js }',
    'environments:',
    '  production: {}',
    '',
  ].join('\n');
  const result = compileSpec(YamlSource.parse('wharf.yaml', yaml).source!);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result.app.environments.get('production')!;
}

describe('deriving an environment from another', () => {
  it('keeps services, counts and env, and moves every route onto the copy\'s own host without TLS', () => {
    const copy = deriveEnvironment(production(), 'preview-login');
    assert.equal(copy.name, 'preview-login');
    assert.equal(copy.from, 'production');
    assert.equal(copy.services['web']!.instances, 3);
    assert.deepEqual(copy.env, { LOG: 'info' });
    assert.deepEqual(copy.services['web']!.routes, [
      { host: 'web.preview-login.shop.localhost', path: '/', https_redirect: false, implicit: false },
      { host: 'web.preview-login.shop.localhost', path: '/api', https_redirect: false, implicit: false },
    ]);
    assert.ok(JSON.stringify(copy).indexOf('shop.example.com') === -1, 'no explicit host of the source is copied');
    assert.deepEqual(copy.services['worker']!.routes, []);
  });
});

const svc = (env: string, body: object): ResourceRecord => ({ app: 'shop', env, kind: 'service', name: 'web', body: { routes: [{ host: `web.${env}.shop.localhost`, path: '/' }], ...body }, appliedAt: 1 });
const side = (env: string, resources: ResourceRecord[], config: Record<string, string>, live?: DiffSide['live']): DiffSide => ({ env, resources, config: new Map(Object.entries(config)), live });

describe('env diff', () => {
  it('shows spec drift but not each environment\'s own hosts, and env fields without values', () => {
    const d = envDiff(
      side('production', [svc('production', { instances: 4, env: { TOKEN: '(secret a)' } })], {}),
      side('staging', [svc('staging', { instances: 1, env: { TOKEN: '(secret b)' } }), { app: 'shop', env: 'staging', kind: 'addon', name: 'db', body: { type: 'postgres' }, appliedAt: 1 }], {}),
    );
    assert.deepEqual(d.spec, [
      { address: 'addon.db', kind: 'only-b' },
      { address: 'service.web', kind: 'differs', fields: [{ path: 'instances', a: 4, b: 1 }, { path: 'env.TOKEN' }] },
    ]);
    assert.deepEqual(d.addons, [{ name: 'db', b: { type: 'postgres' } }]);
    assert.ok(!JSON.stringify(d).includes('(secret'), 'env values never appear');
  });

  it('shows config keys that differ as "differs", never their values', () => {
    const d = envDiff(side('a', [], { SAME: 'h1', DIFF: 'h2', ONLY_A: 'h3' }), side('b', [], { SAME: 'h1', DIFF: 'h9', ONLY_B: 'h4' }));
    assert.deepEqual(d.config, [{ name: 'DIFF', state: 'differs' }, { name: 'ONLY_A', state: 'only-a' }, { name: 'ONLY_B', state: 'only-b' }]);
    assert.ok(!JSON.stringify(d).includes('h2'));
  });

  it('compares the live releases by build', () => {
    const d = envDiff(side('a', [], {}, { version: 7, buildId: 'b1', configVersion: 2 }), side('b', [], {}, { version: 2, buildId: 'b1', configVersion: 1 }));
    assert.equal(d.releases.sameBuild, true);
    assert.equal(envDiff(side('a', [], {}, { version: 7, buildId: 'b1', configVersion: 2 }), side('b', [], {})).releases.sameBuild, false);
  });
});

describe('preview expiry', () => {
  it('picks the environments whose TTL has passed, and never one without a TTL', () => {
    const envs = [
      { app: 'shop', name: 'production', createdAt: 0 },
      { app: 'shop', name: 'preview-a', expiresAt: 1_000, createdAt: 0 },
      { app: 'shop', name: 'preview-b', expiresAt: 2_000, createdAt: 0 },
    ];
    assert.deepEqual(expiredEnvironments(envs, 1_000).map((e) => e.name), ['preview-a']);
    assert.deepEqual(expiredEnvironments(envs, 999), []);
  });
});
