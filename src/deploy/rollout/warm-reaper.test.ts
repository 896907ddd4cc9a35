import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PortPool } from '../../runtime/index.js';
import { openStore } from '../../state/open-store.js';
import type { Store } from '../../state/store.js';
import type { ReleaseStatus } from '../../state/types.js';
import { Fleet } from '../fleet.js';
import { WarmReaper } from './warm-reaper.js';

describe('the warm reaper\'s build collection', () => {
  let dir: string;
  let store: Store;
  let now = 1_000_000;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wharf-reaper-'));
    store = await openStore(dir);
    await store.ensureApp('shop', now);
    await store.ensureEnvironment({ app: 'shop', name: 'production', createdAt: now });
    const statuses: ReleaseStatus[] = ['superseded', 'failed', 'superseded', 'live', 'deploying'];
    for (const [i, status] of statuses.entries()) {
      const r = await store.createRelease({ app: 'shop', env: 'production', buildId: `b${i + 1}`, configVersion: 0, description: '', spec: { environment: { services: {} }, builds: { web: { id: `b${i + 1}`, dir: `/builds/b${i + 1}` } } } }, now);
      await store.setReleaseStatus('shop', 'production', r.version, status, undefined, now);
    }
    // v1's instance still runs (kept warm): its build is in use too.
    await store.putInstance({ id: 'shop.production.web.v1.a', app: 'shop', env: 'production', service: 'web', release: 1, state: 'healthy', restarts: 0, createdAt: now, updatedAt: now });
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never collects the build of a live, deploying or running release', async () => {
    const fleet = new Fleet({ store, ports: new PortPool({ first: 40000, last: 40010 }, async () => true), logsDir: dir, now: () => now });
    let asked: ReadonlySet<string> | undefined;
    const reaper = new WarmReaper({ store, fleet, now: () => now, collectBuilds: async (inUse) => ((asked = inUse), []) });
    // v1 is superseded and its warm window long past: the sweep stops its instance first, which
    // needs a driver; this test is about the builds, so keep v1 inside its window.
    now += 1000;
    await reaper.sweep();
    assert.deepEqual([...asked!].sort(), ['b1', 'b4', 'b5']);
  });
});
