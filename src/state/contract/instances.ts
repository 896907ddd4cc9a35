import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { instance, rejectsWithCode, seed, type UseStore } from './fixtures.js';

export function instancesContract(use: UseStore): void {
  describe('instances', () => {
    it('returns an instance with every optional field exactly as put', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        const full = instance('shop.production.web.v1.a1', { pid: 31_337, pidStartTime: 123_456_789, port: 40_001, reason: 'oom', restarts: 2 });
        await store.putInstance(full);
        assert.deepEqual(await store.getInstance(full.id), full);
      }));

    it('leaves optional fields absent when they were not given', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.putInstance(instance('shop.production.web.v1.a1'));
        const got = await store.getInstance('shop.production.web.v1.a1');
        assert.deepEqual(got, instance('shop.production.web.v1.a1'));
        for (const key of ['pid', 'pidStartTime', 'port', 'reason']) assert.ok(!(key in (got ?? {})), key);
      }));

    it('replaces the instance put again under the same id, clearing fields no longer given', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.putInstance(instance('i1', { state: 'starting', pid: 10, port: 40_000 }));
        const next = instance('i1', { state: 'stopped', restarts: 1, updatedAt: 9_000 });
        await store.putInstance(next);
        assert.deepEqual(await store.getInstance('i1'), next);
        assert.equal((await store.listInstances()).length, 1);
      }));

    it('lists instances filtered by app, environment and service, ordered by them and then id', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production', 'staging');
        await seed(store, 'blog', 'production');
        const all = [
          instance('s-p-worker-1', { service: 'worker' }),
          instance('s-p-web-2'),
          instance('s-p-web-1'),
          instance('s-s-web-1', { env: 'staging' }),
          instance('b-p-web-1', { app: 'blog' }),
        ];
        for (const i of all) await store.putInstance(i);
        const ids = async (filter?: { app?: string; env?: string; service?: string }) =>
          (await store.listInstances(filter)).map((i) => i.id);
        assert.deepEqual(await ids(), ['b-p-web-1', 's-p-web-1', 's-p-web-2', 's-p-worker-1', 's-s-web-1']);
        assert.deepEqual(await ids({ app: 'shop' }), ['s-p-web-1', 's-p-web-2', 's-p-worker-1', 's-s-web-1']);
        assert.deepEqual(await ids({ app: 'shop', env: 'production' }), ['s-p-web-1', 's-p-web-2', 's-p-worker-1']);
        assert.deepEqual(await ids({ app: 'shop', env: 'production', service: 'web' }), ['s-p-web-1', 's-p-web-2']);
        assert.deepEqual(await ids({ env: 'production', service: 'web' }), ['b-p-web-1', 's-p-web-1', 's-p-web-2']);
        assert.deepEqual(await ids({ service: 'cron' }), []);
      }));

    it('deletes an instance by id, and deleting an unknown id changes nothing', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.putInstance(instance('i1'));
        await store.putInstance(instance('i2'));
        await store.deleteInstance('i1');
        await store.deleteInstance('never-was');
        assert.equal(await store.getInstance('i1'), undefined);
        assert.deepEqual((await store.listInstances()).map((i) => i.id), ['i2']);
      }));

    it('answers undefined for an instance it never recorded', () =>
      use(async (store) => {
        assert.equal(await store.getInstance('shop.production.web.v1.zz'), undefined);
      }));

    it('refuses an instance of an unknown environment', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await rejectsWithCode(store.putInstance(instance('i1', { env: 'staging' })), 'ENV_NOT_FOUND');
        assert.deepEqual(await store.listInstances(), []);
      }));
  });
}
