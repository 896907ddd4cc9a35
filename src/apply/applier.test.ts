import { processIsAlive } from '../runtime/proc-table.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { WharfError } from '../errors.js';
import { desiredState } from '../plan/desired.js';
import { hasChanges } from '../plan/plan.js';
import type { DesiredState, ResourceChange } from '../plan/types.js';
import { arbitrarySpec } from '../spec/arbitrary.js';
import { compileText } from '../spec/testing.js';
import { SqliteStore } from '../state/sqlite/sqlite-store.js';
import { RecordingTarget } from '../targets/recording/recording-target.js';
import { Applier } from './applier.js';
import { envLockScope, type LockHost } from './env-lock.js';
import type { Target } from './target.js';

const SPEC = `
app: shop
services:
  web: { run: node server.js, routes: [{ path: / }], instances: 2 }
  worker: { run: node worker.js }
  clock: { run: node clock.js }
addons:
  db: { type: postgres }
`;

function desired(text: string, env = 'production'): DesiredState {
  const result = compileText(text);
  assert.ok(result.ok);
  return desiredState(result.app.environments.get(env)!);
}

const host: LockHost = { pid: process.pid, hostname: hostname(), isAlive: processIsAlive, now: Date.now };
const by = { actor: 'alice', client: 'cli' };

describe('apply', () => {
  let dir: string;
  let store: SqliteStore;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'wharf-apply-'));
    store = SqliteStore.open(join(dir, 'state.db'));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes every change through the target, records it, and leaves an empty plan', async () => {
    const target = new RecordingTarget();
    const applier = new Applier(store, target, host);
    const d = desired(SPEC);
    const result = await applier.apply({ desired: d, by });
    assert.equal(result.applied, 5);
    assert.deepEqual(target.applied.map((a) => `${a.change.op} ${a.change.address}`), [
      'create environment.production', 'create addon.db', 'create service.clock', 'create service.web', 'create service.worker',
    ]);
    assert.equal(hasChanges(await applier.plan(d)), false);
    const again = await applier.apply({ desired: d, by });
    assert.equal(again.applied, 0, 'a second apply of the same spec changes nothing');
    const audit = await store.listAudit({ app: 'shop', env: 'production' });
    assert.deepEqual(audit.map((a) => [a.actor, a.client, a.operation, a.outcome]), [['alice', 'cli', 'apply', 'ok'], ['alice', 'cli', 'apply', 'ok']]);
    const kinds = (await store.listEvents({ app: 'shop', env: 'production' })).map((e) => e.kind);
    assert.deepEqual(kinds, ['apply.started', 'resource.create', 'resource.create', 'resource.create', 'resource.create', 'resource.create', 'apply.finished']);
  });

  it('fails a second concurrent apply at once, naming who holds the lock', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: Target = { name: 'slow', apply: () => gate };
    const d = desired(SPEC, 'production');
    const first = new Applier(store, slow, host).apply({ desired: { ...d, env: 'race' }, by: { actor: 'bob', client: 'dashboard' } });
    await waitFor(async () => (await store.getLock(envLockScope('shop', 'race'))) !== undefined);
    await assert.rejects(new Applier(store, new RecordingTarget(), host).apply({ desired: { ...d, env: 'race' }, by }), (e: WharfError) => {
      assert.equal(e.code, 'LOCK_HELD');
      assert.match(e.message, /shop\/race is locked by bob \(apply since .*, pid \d+ on /);
      assert.match(e.hint!, /wharf lock release -e race/);
      return true;
    });
    release();
    await first;
    assert.equal(await store.getLock(envLockScope('shop', 'race')), undefined, 'the lock is released when apply ends');
  });

  it('reports a lock whose process is gone as stale, and applies once it is released', async () => {
    const d = { ...desired(SPEC), env: 'stale' };
    await store.acquireLock({ scope: envLockScope('shop', 'stale'), token: 't', holder: 'carol', operation: 'apply', pid: 2 ** 22 + 7, hostname: hostname(), acquiredAt: 0 });
    const applier = new Applier(store, new RecordingTarget(), host);
    await assert.rejects(applier.apply({ desired: d, by }), (e: WharfError) => e.code === 'LOCK_STALE' && /whose process \d+ is gone/.test(e.message) && /wharf lock release -e stale/.test(e.hint!));
    assert.equal(await store.listResources('shop', 'stale').then((r) => r.length), 0, 'nothing was applied');
    await store.forceReleaseLock(envLockScope('shop', 'stale'));
    assert.equal((await applier.apply({ desired: d, by })).applied, 5);
  });

  it('records exactly what was done when the target fails midway, and the next apply finishes the job', async () => {
    const d = { ...desired(SPEC), env: 'flaky' };
    let calls = 0;
    const flaky: Target = {
      name: 'flaky',
      async apply(change: ResourceChange) {
        if (++calls === 3) throw new Error(`cannot start ${change.address}`);
      },
    };
    const applier = new Applier(store, flaky, host);
    await assert.rejects(applier.apply({ desired: d, by }), (e: WharfError) => e.code === 'APPLY_FAILED' && /create service\.clock failed: cannot start service\.clock/.test(e.message));
    const left = await applier.plan(d);
    assert.deepEqual(left.changes.filter((c) => c.op !== 'noop').map((c) => c.address), ['service.clock', 'service.web', 'service.worker']);
    const audit = await store.listAudit({ app: 'shop', env: 'flaky' });
    assert.equal(audit.at(-1)?.outcome, 'error');
    assert.equal(await store.getLock(envLockScope('shop', 'flaky')), undefined);
    assert.equal((await applier.apply({ desired: d, by })).applied, 3);
    assert.equal(hasChanges(await applier.plan(d)), false);
  });

  it('refuses to apply a plan that changed since it was approved, changing nothing', async () => {
    const d = { ...desired(SPEC), env: 'approved' };
    const applier = new Applier(store, new RecordingTarget(), host);
    const shown = await applier.plan(d);
    await applier.apply({ desired: { ...d, resources: d.resources.slice(0, 2) }, by });
    await assert.rejects(applier.apply({ desired: d, by, expectHash: shown.hash }), (e: WharfError) => e.code === 'CONFLICT');
    assert.equal((await store.listResources('shop', 'approved')).length, 2);
  });

  it('converges for random specs: apply one, apply another, and the plan is empty', async () => {
    const applier = new Applier(store, new RecordingTarget(), host);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(arbitrarySpec, arbitrarySpec, async (a, b) => {
        const env = `prop-${n++}`;
        const da = { ...desired(stringify(a)), env };
        const db = { ...desired(stringify({ ...b, app: a.app })), env };
        await applier.apply({ desired: da, by });
        await applier.apply({ desired: db, by });
        return !hasChanges(await applier.plan(db));
      }),
      { numRuns: 60 },
    );
  });

  it('converges after the applying process is killed midway', async () => {
    const specFile = join(dir, 'wharf.yaml');
    writeFileSync(specFile, SPEC);
    const stateFile = join(dir, 'killed.db');
    const child = spawn(process.execPath, [fileURLToPath(new URL('./testing/apply-child.js', import.meta.url)), stateFile, specFile, '2'], { stdio: 'inherit' });
    const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    assert.equal(signal, 'SIGKILL');

    const killedStore = SqliteStore.open(stateFile);
    try {
      const applier = new Applier(killedStore, new RecordingTarget(), host);
      const d = desired(SPEC);
      const left = await applier.plan(d);
      assert.deepEqual(left.changes.filter((c) => c.op !== 'noop').map((c) => c.address), ['service.clock', 'service.web', 'service.worker']);
      await assert.rejects(applier.apply({ desired: d, by }), (e: WharfError) => e.code === 'LOCK_STALE');
      await killedStore.forceReleaseLock(envLockScope('shop', 'production'));
      assert.equal((await applier.apply({ desired: d, by })).applied, 3);
      assert.equal(hasChanges(await applier.plan(d)), false);
    } finally {
      await killedStore.close();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
