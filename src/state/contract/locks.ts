import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lock, type UseStore } from './fixtures.js';

const SCOPE = 'env:shop/production';

export function locksContract(use: UseStore): void {
  describe('locks', () => {
    it('takes a free lock and reports it held', () =>
      use(async (store) => {
        const mine = lock(SCOPE, 'token-a');
        assert.deepEqual(await store.acquireLock(mine), { acquired: true, lock: mine });
        assert.deepEqual(await store.getLock(SCOPE), mine);
      }));

    it('refuses a held lock at once and names the holder', () =>
      use(async (store) => {
        const first = lock(SCOPE, 'token-a', 'ada');
        await store.acquireLock(first);
        assert.deepEqual(await store.acquireLock(lock(SCOPE, 'token-b', 'grace')), { acquired: false, heldBy: first });
        assert.deepEqual(await store.acquireLock(lock(SCOPE, 'token-a', 'ada')), { acquired: false, heldBy: first }, 'not re-entrant');
        assert.deepEqual(await store.getLock(SCOPE), first);
      }));

    it('grants exactly one of several concurrent acquisitions', () =>
      use(async (store) => {
        const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((t) => store.acquireLock(lock(SCOPE, `token-${t}`, t))));
        const winners = results.filter((r) => r.acquired);
        assert.equal(winners.length, 1);
        const winner = winners[0]!.acquired ? winners[0]!.lock : undefined;
        for (const r of results) if (!r.acquired) assert.deepEqual(r.heldBy, winner);
      }));

    it('releases only with the holder token', () =>
      use(async (store) => {
        await store.acquireLock(lock(SCOPE, 'token-a'));
        assert.equal(await store.releaseLock(SCOPE, 'token-b'), false);
        assert.equal((await store.getLock(SCOPE))?.token, 'token-a');
        assert.equal(await store.releaseLock(SCOPE, 'token-a'), true);
        assert.equal(await store.getLock(SCOPE), undefined);
        assert.equal(await store.releaseLock(SCOPE, 'token-a'), false, 'a second release finds nothing');
      }));

    it('lets another holder take the lock once it is released', () =>
      use(async (store) => {
        await store.acquireLock(lock(SCOPE, 'token-a'));
        await store.releaseLock(SCOPE, 'token-a');
        const next = lock(SCOPE, 'token-b', 'grace');
        assert.deepEqual(await store.acquireLock(next), { acquired: true, lock: next });
      }));

    it('force-releases a lock whoever holds it and returns what it removed', () =>
      use(async (store) => {
        const stale = lock(SCOPE, 'token-a');
        await store.acquireLock(stale);
        assert.deepEqual(await store.forceReleaseLock(SCOPE), stale);
        assert.equal(await store.getLock(SCOPE), undefined);
        assert.equal(await store.forceReleaseLock(SCOPE), undefined);
        assert.equal((await store.acquireLock(lock(SCOPE, 'token-b'))).acquired, true);
      }));

    it('keeps locks of different scopes independent', () =>
      use(async (store) => {
        assert.equal((await store.acquireLock(lock('env:shop/production', 't1'))).acquired, true);
        assert.equal((await store.acquireLock(lock('env:shop/staging', 't2'))).acquired, true);
        await store.releaseLock('env:shop/production', 't1');
        assert.equal((await store.getLock('env:shop/staging'))?.token, 't2');
        assert.equal(await store.getLock('env:blog/production'), undefined);
      }));
  });
}
