import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceRecord } from '../types.js';
import { AWKWARD_BODY, assertSameJson, audit, event, rejectsWithCode, resource, seed, type UseStore } from './fixtures.js';

export function resourcesContract(use: UseStore): void {
  describe('resources and commit', () => {
    it('records the resources of a commit and lists them by kind, then name', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        const db: ResourceRecord = { app: 'shop', env: 'production', kind: 'addon', name: 'postgres', body: { plan: 'small' }, appliedAt: 3_000 };
        const settings: ResourceRecord = { ...resource('shop', 'production', 'production', { release: 'npm run migrate' }), kind: 'environment' };
        await store.commit({ putResources: [resource('shop', 'production', 'web'), settings, db, resource('shop', 'production', 'api')] });
        const listed = await store.listResources('shop', 'production');
        assert.deepEqual(listed, [db, settings, resource('shop', 'production', 'api'), resource('shop', 'production', 'web')]);
      }));

    it('returns JSON bodies exactly as written, key order included', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.commit({ putResources: [resource('shop', 'production', 'web', AWKWARD_BODY)] });
        const [web] = await store.listResources('shop', 'production');
        assertSameJson(web?.body, AWKWARD_BODY);
      }));

    it('round-trips bodies that are not objects', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        const bodies: unknown[] = [null, 0, 'text', [1, 'two'], true];
        await store.commit({ putResources: bodies.map((body, i) => resource('shop', 'production', `s${i}`, body)) });
        assert.deepEqual((await store.listResources('shop', 'production')).map((r) => r.body), bodies);
      }));

    it('replaces a resource put again under the same kind and name', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.commit({ putResources: [resource('shop', 'production', 'web', { instances: 1 })] });
        const updated = { ...resource('shop', 'production', 'web', { instances: 4 }), appliedAt: 9_000 };
        await store.commit({ putResources: [updated] });
        assert.deepEqual(await store.listResources('shop', 'production'), [updated]);
      }));

    it('deletes resources by key, and deleting one that is not there changes nothing', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.commit({ putResources: [resource('shop', 'production', 'web'), resource('shop', 'production', 'worker')] });
        await store.commit({
          deleteResources: [
            { app: 'shop', env: 'production', kind: 'service', name: 'worker' },
            { app: 'shop', env: 'production', kind: 'service', name: 'never-was' },
            { app: 'shop', env: 'production', kind: 'addon', name: 'web' },
          ],
        });
        assert.deepEqual(await store.listResources('shop', 'production'), [resource('shop', 'production', 'web')]);
      }));

    it('keeps the resources of each environment apart', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production', 'staging');
        await store.commit({ putResources: [resource('shop', 'production', 'web', 'p'), resource('shop', 'staging', 'web', 's')] });
        assert.deepEqual((await store.listResources('shop', 'staging')).map((r) => r.body), ['s']);
        assert.deepEqual(await store.listResources('shop', 'preview-x'), []);
      }));

    it('records the events and audit entries of a commit with the resources', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.commit({
          putResources: [resource('shop', 'production', 'web')],
          events: [event({ kind: 'apply.started' }), event({ kind: 'apply.finished' })],
          audit: [audit()],
        });
        assert.deepEqual((await store.listEvents()).map((e) => e.kind), ['apply.started', 'apply.finished']);
        assert.equal((await store.listAudit()).length, 1);
      }));

    it('records nothing of a commit whose last record is refused', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        const before = [resource('shop', 'production', 'web', { v: 1 }), resource('shop', 'production', 'worker', { v: 1 })];
        await store.commit({ putResources: before, events: [event()], audit: [audit()] });

        await rejectsWithCode(
          store.commit({
            deleteResources: [{ app: 'shop', env: 'production', kind: 'service', name: 'worker' }],
            putResources: [
              resource('shop', 'production', 'web', { v: 2 }),
              resource('shop', 'production', 'cron', { v: 2 }),
              resource('shop', 'no-such-env', 'web', { v: 2 }),
            ],
            events: [event({ kind: 'apply.finished' })],
            audit: [audit({ operation: 'apply' })],
          }),
          'ENV_NOT_FOUND',
        );

        assert.deepEqual(await store.listResources('shop', 'production'), before);
        assert.equal((await store.listEvents()).length, 1);
        assert.equal((await store.listAudit()).length, 1);
      }));

    it('accepts an empty change set and changes nothing', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.commit({});
        assert.deepEqual(await store.listResources('shop', 'production'), []);
        assert.deepEqual(await store.listEvents(), []);
      }));
  });
}
