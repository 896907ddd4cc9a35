import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { desiredState } from '../plan/desired.js';
import { plan } from '../plan/plan.js';
import { planForJson, renderPlan } from '../plan/render.js';
import { compileSpec } from '../spec/compile.js';
import { YamlSource } from '../spec/yaml-source.js';
import type { ResourceRecord } from '../state/types.js';
import { configForPlan } from './config-view.js';

function production() {
  const result = compileSpec(YamlSource.parse('wharf.yaml', 'app: shop\nenv: { GREETING: hello, TOKEN: spec-token }\nservices:\n  web: { run: node s.js }\n').source!);
  assert.ok(result.ok);
  return result.app.environments.get('production')!;
}

/** Config with a plain value and a secret whose digest stands in for it (the value itself never reaches the plan). */
const config = configForPlan([
  { name: 'GREETING', secret: false, value: 'hi' },
  { name: 'TOKEN', secret: true, sealed: { keyId: 'k', nonce: 'n', ciphertext: 'c' }, digest: 'hmac-sha256:aaaa' },
]);

describe('plans with config', () => {
  it('show a set value over the spec\'s, and a secret only as (sensitive value)', () => {
    const p = plan(desiredState(production(), config), [], false);
    const text = renderPlan(p, { color: false });
    assert.match(text, /\+ env\.GREETING\s+= "hi"/);
    assert.match(text, /\+ env\.TOKEN\s+= \(sensitive value\)/);
    assert.ok(!text.includes('hmac-sha256:aaaa') && !JSON.stringify(planForJson(p)).includes('hmac-sha256:aaaa'), 'not even the digest is shown');
  });

  it('show a changed secret as a masked update, and nothing once it is recorded', () => {
    const recorded = (cfg: typeof config): ResourceRecord[] =>
      desiredState(production(), cfg).resources.map((r) => ({ app: 'shop', env: 'production', kind: r.kind, name: r.name, body: r.body, appliedAt: 1 }));
    const changed = configForPlan([{ name: 'TOKEN', secret: true, sealed: { keyId: 'k', nonce: 'n2', ciphertext: 'c2' }, digest: 'hmac-sha256:bbbb' }]);
    const p = plan(desiredState(production(), changed), recorded(config), true);
    const text = renderPlan(p, { color: false });
    assert.match(text, /~ env\.TOKEN\s+= \(sensitive value\)/);
    assert.match(text, /~ env\.GREETING\s+= "hi" -> "hello"/, 'an unset value falls back to the spec\'s');
    assert.equal(plan(desiredState(production(), changed), recorded(changed), true).changes.every((c) => c.op === 'noop'), true);
  });

  it('record a secret as a marker with its digest, and name it sensitive', () => {
    const web = desiredState(production(), config).resources.find((r) => r.kind === 'service')!;
    assert.deepEqual(web.sensitive, ['env.TOKEN']);
    const body = JSON.stringify(web.body);
    assert.match(body, /"TOKEN":"\(secret hmac-sha256:aaaa\)"/);
  });
});
