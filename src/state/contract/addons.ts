import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AddonRecord, BackupRecord } from '../types.js';
import { rejectsWithCode, seed, type UseStore } from './fixtures.js';

export function addon(env: string, name: string, overrides: Partial<AddonRecord> = {}): AddonRecord {
  return {
    app: 'shop',
    env,
    name,
    type: 'postgres',
    mode: 'managed',
    state: 'attached',
    connection: { host: '127.0.0.1', port: 5432, user: `u_${name}`, sealedPassword: 'a1:n:t:b', database: `d_${name}` },
    createdAt: 1_000,
    updatedAt: 2_000,
    ...overrides,
  };
}

export function backup(id: string, overrides: Partial<BackupRecord> = {}): BackupRecord {
  return {
    id,
    app: 'shop',
    env: 'production',
    addon: 'db',
    type: 'postgres',
    file: `/data/backups/${id}.dump`,
    sha256: 'ab'.repeat(32),
    sizeBytes: 1234,
    counts: { 'public.orders': 3, 'public.users': 0 },
    createdAt: 5_000,
    ...overrides,
  };
}

export function addonsContract(use: UseStore): void {
  describe('add-ons and backups', () => {
    it('reads back an add-on as written, optional fields absent or present', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        const plain = addon('production', 'db');
        const full = addon('production', 'cache', {
          type: 'redis',
          mode: 'external',
          state: 'failed',
          connection: { host: 'redis.internal', port: 6380, user: 'shop', sealedPassword: 'x', keyPrefix: 'shop:production:cache:' },
          adminUrlFrom: 'REDIS_ADMIN_URL',
          reason: 'connection refused',
        });
        await store.putAddon(plain);
        await store.putAddon(full);
        assert.deepEqual(await store.getAddon('shop', 'production', 'db'), plain);
        assert.deepEqual(await store.getAddon('shop', 'production', 'cache'), full);
        assert.equal(await store.getAddon('shop', 'production', 'nope'), undefined);
      }));

    it('replaces an add-on put again, and lists add-ons by app, environment, then name', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production', 'staging');
        await store.putAddon(addon('staging', 'db'));
        await store.putAddon(addon('production', 'db'));
        await store.putAddon(addon('production', 'cache'));
        const detached = addon('production', 'db', { state: 'detached', reason: 'destroyed by ada', updatedAt: 9_000 });
        await store.putAddon(detached);
        assert.deepEqual(await store.listAddons({ app: 'shop' }), [addon('production', 'cache'), detached, addon('staging', 'db')]);
        assert.deepEqual(await store.listAddons({ app: 'shop', env: 'staging' }), [addon('staging', 'db')]);
        assert.equal((await store.listAddons()).length, 3);
      }));

    it('refuses an add-on of an unrecorded environment', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await rejectsWithCode(store.putAddon(addon('staging', 'db')), 'ENV_NOT_FOUND');
      }));

    it('keeps add-on and backup records when their environment is destroyed, until deleted on purpose', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.putAddon(addon('production', 'db'));
        await store.putBackup(backup('b1'));
        await store.destroyEnvironment('shop', 'production');
        assert.deepEqual(await store.getAddon('shop', 'production', 'db'), addon('production', 'db'));
        assert.deepEqual(await store.getBackup('b1'), backup('b1'));
        await store.deleteAddon('shop', 'production', 'db');
        await store.deleteAddon('shop', 'production', 'never-was');
        assert.equal(await store.getAddon('shop', 'production', 'db'), undefined);
      }));

    it('lists the backups of one add-on newest first, and records a verification', () =>
      use(async (store) => {
        await store.putBackup(backup('b1', { createdAt: 1_000 }));
        await store.putBackup(backup('b3', { createdAt: 3_000 }));
        await store.putBackup(backup('b2', { createdAt: 2_000 }));
        await store.putBackup(backup('other', { addon: 'cache', type: 'redis', counts: { string: 4 } }));
        assert.deepEqual((await store.listBackups('shop', 'production', 'db')).map((b) => b.id), ['b3', 'b2', 'b1']);
        const verified = backup('b2', { createdAt: 2_000, verification: { ok: false, at: 4_000, message: 'public.orders: 3 rows in the backup, 2 restored' } });
        await store.putBackup(verified);
        assert.deepEqual(await store.getBackup('b2'), verified);
        assert.equal(await store.getBackup('missing'), undefined);
      }));
  });
}
