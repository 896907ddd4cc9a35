import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { audit, event, instance, newRelease, rejectsWithCode, resource, seed, type UseStore } from './fixtures.js';

export function appsAndEnvironmentsContract(use: UseStore): void {
  describe('apps', () => {
    it('creates an app once and returns the first record on every later call', () =>
      use(async (store) => {
        assert.deepEqual(await store.ensureApp('shop', 1_000), { name: 'shop', createdAt: 1_000 });
        assert.deepEqual(await store.ensureApp('shop', 9_000), { name: 'shop', createdAt: 1_000 });
        assert.deepEqual(await store.getApp('shop'), { name: 'shop', createdAt: 1_000 });
        assert.equal((await store.listApps()).length, 1);
      }));

    it('answers undefined for an app it never recorded', () =>
      use(async (store) => {
        await store.ensureApp('shop', 1_000);
        assert.equal(await store.getApp('blog'), undefined);
      }));

    it('lists apps by name', () =>
      use(async (store) => {
        for (const name of ['wiki', 'blog', 'shop']) await store.ensureApp(name, 1_000);
        assert.deepEqual((await store.listApps()).map((a) => a.name), ['blog', 'shop', 'wiki']);
      }));
  });

  describe('environments', () => {
    it('creates an environment once and keeps the first record when asked again with other fields', () =>
      use(async (store) => {
        await store.ensureApp('shop', 1_000);
        const first = { app: 'shop', name: 'staging', from: 'production', expiresAt: 99_000, createdAt: 2_000 };
        assert.deepEqual(await store.ensureEnvironment(first), first);
        assert.deepEqual(await store.ensureEnvironment({ app: 'shop', name: 'staging', createdAt: 8_000 }), first);
        assert.deepEqual(await store.getEnvironment('shop', 'staging'), first);
      }));

    it('leaves optional fields absent, not undefined-valued, when they were not given', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        const env = await store.getEnvironment('shop', 'production');
        assert.deepEqual(env, { app: 'shop', name: 'production', createdAt: 2_000 });
        assert.deepEqual(Object.keys(env ?? {}).sort(), ['app', 'createdAt', 'name']);
      }));

    it('refuses an environment of an app it never recorded', () =>
      use(async (store) => {
        await rejectsWithCode(store.ensureEnvironment({ app: 'ghost', name: 'production', createdAt: 1 }), 'APP_NOT_FOUND');
        assert.deepEqual(await store.listEnvironments('ghost'), []);
      }));

    it('answers undefined for an unknown environment and for an environment of an unknown app', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        assert.equal(await store.getEnvironment('shop', 'staging'), undefined);
        assert.equal(await store.getEnvironment('blog', 'production'), undefined);
      }));

    it("lists one app's environments by name", () =>
      use(async (store) => {
        await seed(store, 'shop', 'staging', 'production', 'preview-login');
        await seed(store, 'blog', 'production');
        const names = (await store.listEnvironments('shop')).map((e) => e.name);
        assert.deepEqual(names, ['preview-login', 'production', 'staging']);
      }));
  });

  describe('destroyEnvironment', () => {
    it('removes the environment with its resources, releases and instances, and nothing of its neighbours', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production', 'staging');
        await seed(store, 'blog', 'staging');
        for (const [app, env] of [['shop', 'production'], ['shop', 'staging'], ['blog', 'staging']] as const) {
          await store.commit({ putResources: [resource(app, env, 'web'), resource(app, env, 'worker')] });
          await store.createRelease(newRelease(app, env), 10_000);
          await store.putInstance(instance(`${app}.${env}.web.v1.a`, { app, env }));
        }

        await store.destroyEnvironment('shop', 'staging');

        assert.equal(await store.getEnvironment('shop', 'staging'), undefined);
        assert.deepEqual(await store.listResources('shop', 'staging'), []);
        assert.deepEqual(await store.listReleases('shop', 'staging'), []);
        assert.deepEqual(await store.listInstances({ app: 'shop', env: 'staging' }), []);
        assert.equal(await store.getInstance('shop.staging.web.v1.a'), undefined);
        for (const [app, env] of [['shop', 'production'], ['blog', 'staging']] as const) {
          assert.ok(await store.getEnvironment(app, env));
          assert.equal((await store.listResources(app, env)).length, 2);
          assert.equal((await store.listReleases(app, env)).length, 1);
          assert.equal((await store.listInstances({ app, env })).length, 1);
        }
        assert.ok(await store.getApp('shop'), 'the app stays when one of its environments goes');
      }));

    it('keeps the events and audit entries of a destroyed environment: history outlives it', () =>
      use(async (store) => {
        await seed(store, 'shop', 'staging');
        await store.commit({ events: [event({ env: 'staging' })], audit: [audit({ env: 'staging' })] });
        await store.destroyEnvironment('shop', 'staging');
        assert.equal((await store.listEvents({ app: 'shop', env: 'staging' })).length, 1);
        assert.equal((await store.listAudit({ app: 'shop', env: 'staging' })).length, 1);
      }));

    it('does nothing when the environment does not exist', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.destroyEnvironment('shop', 'staging');
        await store.destroyEnvironment('ghost', 'production');
        assert.equal((await store.listEnvironments('shop')).length, 1);
      }));
  });
}
