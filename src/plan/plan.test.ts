import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { arbitrarySpec } from '../spec/arbitrary.js';
import { compileText } from '../spec/testing.js';
import type { ResourceRecord } from '../state/types.js';
import { matchSnapshot } from '../_util/testing/snapshot.js';
import { desiredState } from './desired.js';
import { hasChanges, plan } from './plan.js';
import { planForJson, renderPlan } from './render.js';
import type { DesiredState, Plan } from './types.js';

function desiredOf(text: string, env = 'production'): DesiredState {
  const result = compileText(text);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.issues));
  return desiredState(result.app.environments.get(env)!);
}

/** What apply records: the desired body of every resource that is not deleted. */
function recordedAfter(p: Plan, before: readonly ResourceRecord[]): ResourceRecord[] {
  const kept = new Map(before.map((r) => [`${r.kind}.${r.name}`, r]));
  for (const c of p.changes) {
    if (c.op === 'delete') kept.delete(c.address);
    else kept.set(c.address, { app: p.app, env: p.env, kind: c.kind, name: c.name, body: c.after, appliedAt: 0 });
  }
  return [...kept.values()];
}

const V1 = `
app: shop
services:
  web:
    run: node server.js
    routes: [{ path: / }]
    instances: 2
    env: { STRIPE_KEY: sk_live_1, LOG_LEVEL: info }
  old:
    run: node old.js
addons:
  db: { type: postgres }
`;
const V2 = `
app: shop
release: node migrate.js
services:
  web:
    run: node server.js
    routes: [{ path: / }, { host: shop.example.com, path: /api }]
    instances: 4
    health: { interval: 2s }
    size: { memory: 512Mi }
    env: { STRIPE_KEY: sk_live_2, LOG_LEVEL: info }
  worker:
    run: node worker.js
addons:
  db: { type: redis }
`;

function withSecret(d: DesiredState): DesiredState {
  return { ...d, resources: d.resources.map((r) => (r.kind === 'service' ? { ...r, sensitive: ['env.STRIPE_KEY'] } : r)) };
}

describe('plan', () => {
  const v1 = withSecret(desiredOf(V1));
  const v2 = withSecret(desiredOf(V2));
  const applied = recordedAfter(plan(v1, [], false), []);
  const p = plan(v2, applied, true);

  it('creates everything on a first apply, environment included', () => {
    const first = plan(v1, [], false);
    assert.equal(first.createsEnvironment, true);
    assert.deepEqual(first.changes.map((c) => `${c.op} ${c.address}`), ['create environment.production', 'create addon.db', 'create service.old', 'create service.web']);
  });

  it('says create, update, replace and delete with per-field diffs', () => {
    assert.deepEqual(p.changes.map((c) => `${c.op} ${c.address}`), [
      'update environment.production',
      'replace addon.db',
      'delete service.old',
      'update service.web',
      'create service.worker',
    ]);
    assert.deepEqual(p.summary, { create: 1, update: 2, replace: 1, delete: 1 });
    const web = p.changes.find((c) => c.address === 'service.web')!;
    assert.deepEqual(web.changes.find((f) => f.path.join('.') === 'instances'), { path: ['instances'], before: 2, after: 4 });
    assert.ok(web.changes.find((f) => f.path.join('.') === 'env.STRIPE_KEY')?.sensitive);
    assert.ok(p.changes.find((c) => c.address === 'addon.db')!.changes[0]!.forcesReplacement);
  });

  it('renders like terraform, with sensitive values masked', () => {
    const text = renderPlan(p, { color: false });
    matchSnapshot(import.meta.url, 'plan-v1-to-v2', text);
    assert.ok(!text.includes('sk_live'), 'a secret leaked into the rendered plan');
    assert.match(text, /~ env\.STRIPE_KEY\s+= \(sensitive value\)/);
    assert.match(text, /~ health\.interval\s+= "1s" -> "2s"/);
    assert.match(text, /\+ size\.memory\s+= "512Mi"/);
    assert.match(text, /-\/\+ addon "db" \{\n\s+~ type = "postgres" -> "redis" # forces replacement/);
  });

  it('colours the symbols unless told not to', () => {
    assert.match(renderPlan(p, { color: true }), /\x1b\[33m  ~\x1b\[0m service "web"/);
    assert.doesNotMatch(renderPlan(p, { color: false }), /\x1b\[/);
  });

  it('keeps secrets out of the JSON form too', () => {
    const json = JSON.stringify(planForJson(p));
    assert.ok(!json.includes('sk_live'), 'a secret leaked into the JSON plan');
    assert.ok(json.includes('(sensitive value)'));
  });

  it('says there is nothing to do when the recorded state matches', () => {
    const same = plan(v2, recordedAfter(p, applied), true);
    assert.equal(hasChanges(same), false);
    assert.equal(renderPlan(same, { color: false }), 'No changes. shop/production matches the spec.\n');
  });

  it('gives equal plans equal hashes and different plans different ones', () => {
    assert.equal(plan(v2, applied, true).hash, p.hash);
    assert.notEqual(plan(v1, applied, true).hash, p.hash);
  });

  it('converges: for any two specs, applying the plan from one to the other leaves nothing to do', () => {
    fc.assert(
      fc.property(arbitrarySpec, arbitrarySpec, (a, b) => {
        const da = desiredOf(stringify(a));
        const db = desiredOf(stringify({ ...b, app: a.app }));
        const afterA = recordedAfter(plan(da, [], false), []);
        const toB = plan(db, afterA, true);
        const afterB = recordedAfter(toB, afterA);
        return !hasChanges(plan(db, afterB, true)) && !hasChanges(plan(da, afterA, true));
      }),
      { numRuns: 300 },
    );
  });
});
