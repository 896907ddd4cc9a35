// The benchmark's own checks: that its fixture is what it claims to be (a valid spec of
// N services over five environments, a ~1 % change, a terraform config that asks for the
// same bodies), and that its arithmetic is right. Needs a compiled dist:
//   WHARF_DIST=.build/benchplan node --test bench/plan/
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ENVIRONMENTS, hcl, isChanged, serviceName, terraformConfig, wharfYaml } from './fixture.mjs';
import { formatMs, summarize } from './stats.mjs';
import { terraformEnv, terraformSummary, terraformVersion } from './terraform.mjs';
import { desiredOf, loadWharf } from './wharf.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = process.env.WHARF_DIST ?? path.join(root, 'dist');
const SERVICES = 100;

describe('the plan benchmark fixture', () => {
  let w;
  let work;
  const specAt = (name, changed) => {
    const dir = path.join(work, name);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'wharf.yaml'), wharfYaml({ services: SERVICES, changed }));
    return dir;
  };

  before(async () => {
    w = await loadWharf(dist);
    work = mkdtempSync(path.join(os.tmpdir(), 'wharf-bench-plan-test-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('is a valid spec whose five environments all resolve with every service', () => {
    const app = w.loadApp(specAt('valid', false));
    assert.deepEqual([...app.environments.keys()], ENVIRONMENTS.map((e) => e.name));
    for (const env of app.environments.values()) assert.equal(Object.keys(env.services).length, SERVICES);
    assert.equal(app.environments.get('staging').from, 'production');
    assert.equal(app.environments.get('staging').services[serviceName(2)].instances, 1);
    assert.equal(app.environments.get('production').services[serviceName(1)].instances, 4);
    assert.equal(app.environments.get('preview-main').addons.db.version, '16');
    assert.equal(app.environments.get('preview-main').addons.cache, undefined);
  });

  it('changes exactly the ~1 % services of the changed variant, in place', () => {
    const base = desiredOf(w, specAt('base', false), 'production');
    const changed = desiredOf(w, specAt('changed', true), 'production');
    const recorded = base.resources.map((r) => ({ app: base.app, env: base.env, kind: r.kind, name: r.name, body: r.body, appliedAt: 0 }));
    const p = w.plan(changed, recorded, true);
    const updated = p.changes.filter((c) => c.op !== 'noop');
    const expected = Array.from({ length: SERVICES }, (_, i) => i + 1).filter(isChanged).map(serviceName);
    assert.ok(expected.length > 0);
    assert.deepEqual(updated.map((c) => c.name), expected);
    for (const c of updated) {
      assert.equal(c.op, 'update');
      assert.deepEqual(c.changes.map((f) => f.path.join('.')).sort(), ['env.LOG_LEVEL', 'instances']);
    }
  });

  it('gives terraform one terraform_data per desired resource, its input the body Wharf diffs', async (t) => {
    if (!terraformVersion()) return t.skip('terraform is not on PATH');
    const desired = desiredOf(w, specAt('tf-source', false), 'production');
    const dir = path.join(work, 'tf');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'main.tf'), terraformConfig(desired));
    const env = { ...process.env, ...terraformEnv(work) };
    const tf = (...args) => execFileSync('terraform', args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 256 << 20 });
    tf('init');
    const planText = tf('plan', '-out', 'plan.bin');
    assert.deepEqual(terraformSummary(planText), { add: desired.resources.length, change: 0, destroy: 0 });
    const shown = JSON.parse(tf('show', '-json', 'plan.bin'));
    const inputs = new Map(shown.resource_changes.map((rc) => [rc.name, rc.change.after.input]));
    assert.equal(inputs.size, desired.resources.length);
    for (const r of desired.resources) assert.deepEqual(inputs.get(`${r.kind}-${r.name}`), r.body);
  });
});

describe('the HCL writer', () => {
  it('quotes keys and escapes template sequences in strings', () => {
    assert.equal(hcl({ 'a-b': 'x${y}%{z}' }), '{\n  "a-b" = "x$${y}%%{z}"\n}');
    assert.equal(hcl([1, true, null]), '[\n  1,\n  true,\n  null\n]');
    assert.equal(hcl({}), '{}');
  });
});

describe('the benchmark arithmetic', () => {
  it('takes the middle sample as the median of an odd count and the mean of the middle two of an even one', () => {
    assert.deepEqual(summarize([5, 1, 3]), { n: 3, median: 3, min: 1, max: 5 });
    assert.deepEqual(summarize([4, 1, 3, 2]), { n: 4, median: 2.5, min: 1, max: 4 });
    assert.throws(() => summarize([]), /no samples/);
  });

  it('shows durations with three significant figures, in seconds from 10 s', () => {
    assert.equal(formatMs(1.23456), '1.23 ms');
    assert.equal(formatMs(1234.5), '1235 ms');
    assert.equal(formatMs(18_210), '18.2 s');
  });

  it('reads terraform\'s plan summary through its colour codes', () => {
    assert.deepEqual(terraformSummary('\x1b[1mPlan:\x1b[0m 0 to add, 10 to change, 0 to destroy.\n'), { add: 0, change: 10, destroy: 0 });
    assert.deepEqual(terraformSummary('No changes. Your infrastructure matches the configuration.'), { add: 0, change: 0, destroy: 0 });
    assert.equal(terraformSummary('Error: bad'), undefined);
  });
});
