import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { liveRelease } from '../store.js';
import { AWKWARD_BODY, assertSameJson, newRelease, rejectsWithCode, seed, type UseStore } from './fixtures.js';

export function releasesContract(use: UseStore): void {
  describe('releases', () => {
    it('creates a pending release numbered v1 with every field it was given', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        const created = await store.createRelease(newRelease('shop', 'production', 'build-7'), 10_000);
        assert.deepEqual(created, {
          ...newRelease('shop', 'production', 'build-7'),
          version: 1,
          status: 'pending',
          createdAt: 10_000,
          updatedAt: 10_000,
        });
        assert.deepEqual(await store.getRelease('shop', 'production', 1), created);
      }));

    it('numbers releases v1, v2, v3 per environment, independently of other environments and apps', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production', 'staging');
        await seed(store, 'blog', 'production');
        const versions: string[] = [];
        for (const [app, env] of [
          ['shop', 'production'],
          ['shop', 'production'],
          ['shop', 'staging'],
          ['blog', 'production'],
          ['shop', 'production'],
          ['shop', 'staging'],
        ] as const) {
          versions.push(`${app}/${env}@v${(await store.createRelease(newRelease(app, env), 10_000)).version}`);
        }
        assert.deepEqual(versions, [
          'shop/production@v1',
          'shop/production@v2',
          'shop/staging@v1',
          'blog/production@v1',
          'shop/production@v3',
          'shop/staging@v2',
        ]);
      }));

    it('gives concurrent createRelease calls distinct consecutive numbers', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        const created = await Promise.all(
          Array.from({ length: 12 }, (_, i) => store.createRelease(newRelease('shop', 'production', `build-${i}`), 10_000 + i)),
        );
        const versions = created.map((r) => r.version).sort((a, b) => a - b);
        assert.deepEqual(versions, Array.from({ length: 12 }, (_, i) => i + 1));
        const stored = await store.listReleases('shop', 'production');
        for (const release of created) {
          assert.equal(stored.find((r) => r.version === release.version)?.buildId, release.buildId);
        }
      }));

    it('lists releases newest first, up to the limit', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        for (let i = 0; i < 5; i++) await store.createRelease(newRelease('shop', 'production'), 10_000 + i);
        assert.deepEqual((await store.listReleases('shop', 'production')).map((r) => r.version), [5, 4, 3, 2, 1]);
        assert.deepEqual((await store.listReleases('shop', 'production', 2)).map((r) => r.version), [5, 4]);
        assert.deepEqual(await store.listReleases('shop', 'staging'), []);
      }));

    it('lists releases by status, newest first, and finds the live one behind any number of failed ones', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production', 'staging');
        for (let i = 0; i < 30; i++) await store.createRelease(newRelease('shop', 'production'), 10_000 + i);
        await store.setReleaseStatus('shop', 'production', 2, 'superseded', undefined, 11_000);
        await store.setReleaseStatus('shop', 'production', 3, 'live', undefined, 11_000);
        for (let v = 4; v <= 29; v++) await store.setReleaseStatus('shop', 'production', v, 'failed', 'health gate', 12_000);
        await store.setReleaseStatus('shop', 'production', 30, 'deploying', undefined, 13_000);
        assert.equal((await liveRelease(store, 'shop', 'production'))?.version, 3);
        assert.deepEqual((await store.listReleasesWithStatus('shop', 'production', ['live', 'deploying', 'pending'])).map((r) => [r.version, r.status]), [
          [30, 'deploying'],
          [3, 'live'],
          [1, 'pending'],
        ]);
        assert.deepEqual((await store.listReleasesWithStatus('shop', 'production', ['failed'], 2)).map((r) => r.version), [29, 28]);
        assert.deepEqual(await store.listReleasesWithStatus('shop', 'production', []), []);
        assert.equal(await liveRelease(store, 'shop', 'staging'), undefined);
        assert.deepEqual(await store.getRelease('shop', 'production', 3), (await store.listReleasesWithStatus('shop', 'production', ['live']))[0]);
      }));

    it('returns the spec snapshot exactly as written', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.createRelease({ ...newRelease('shop', 'production'), spec: AWKWARD_BODY }, 10_000);
        assertSameJson((await store.getRelease('shop', 'production', 1))?.spec, AWKWARD_BODY);
      }));

    it('answers undefined for a release it never recorded', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.createRelease(newRelease('shop', 'production'), 10_000);
        assert.equal(await store.getRelease('shop', 'production', 2), undefined);
        assert.equal(await store.getRelease('shop', 'staging', 1), undefined);
      }));

    it('changes status, reason and update time, and keeps the creation time', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.createRelease(newRelease('shop', 'production'), 10_000);
        await store.setReleaseStatus('shop', 'production', 1, 'failed', 'health gate: 3 failures', 11_000);
        let release = await store.getRelease('shop', 'production', 1);
        assert.equal(release?.status, 'failed');
        assert.equal(release?.reason, 'health gate: 3 failures');
        assert.equal(release?.createdAt, 10_000);
        assert.equal(release?.updatedAt, 11_000);

        await store.setReleaseStatus('shop', 'production', 1, 'live', undefined, 12_000);
        release = await store.getRelease('shop', 'production', 1);
        assert.equal(release?.status, 'live');
        assert.ok(release !== undefined && !('reason' in release), 'an undefined reason clears the old one');
      }));

    it('refuses to set the status of a release it never recorded', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await rejectsWithCode(store.setReleaseStatus('shop', 'production', 3, 'live', undefined, 1), 'NOT_FOUND');
      }));

    it('refuses a release of an unknown environment and records nothing', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await rejectsWithCode(store.createRelease(newRelease('shop', 'staging'), 10_000), 'ENV_NOT_FOUND');
        assert.deepEqual(await store.listReleases('shop', 'staging'), []);
      }));
  });
}
