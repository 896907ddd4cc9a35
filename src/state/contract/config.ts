import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigEntry, SealedEntryRef } from '../types.js';
import { audit, rejectsWithCode, seed, type UseStore } from './fixtures.js';

const plain = (name: string, value: string): ConfigEntry => ({ name, secret: false, value });
const secret = (name: string, keyId = 'k1', n = '1'): ConfigEntry => ({
  name,
  secret: true,
  sealed: { keyId, nonce: `nonce-${n}`, ciphertext: `cipher-${name}-${n}` },
  digest: `digest-${name}`,
});

export function configContract(use: UseStore): void {
  describe('config versions', () => {
    it('writes complete numbered versions per environment and reads back exactly what was written', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production', 'staging');
        const v1 = await store.putConfigVersion({ app: 'shop', env: 'production', description: 'set A', entries: [plain('A', '1')] }, 10_000);
        const v2 = await store.putConfigVersion({ app: 'shop', env: 'production', description: 'set B', entries: [secret('B'), plain('A', '1')] }, 11_000);
        const s1 = await store.putConfigVersion({ app: 'shop', env: 'staging', description: 'set A', entries: [plain('A', 'x')] }, 12_000);
        assert.deepEqual([v1.version, v2.version, s1.version], [1, 2, 1]);
        assert.deepEqual(v2, { app: 'shop', env: 'production', version: 2, description: 'set B', entries: [plain('A', '1'), secret('B')], createdAt: 11_000 });
        assert.deepEqual(await store.getConfig('shop', 'production'), v2, 'the latest without a version');
        assert.deepEqual(await store.getConfig('shop', 'production', 1), v1);
        assert.deepEqual((await store.listConfigVersions('shop', 'production')).map((c) => c.version), [2, 1]);
        assert.deepEqual((await store.listConfigVersions('shop', 'production', 1)).map((c) => c.version), [2]);
      }));

    it('answers undefined and [] for an environment without config', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        assert.equal(await store.getConfig('shop', 'production'), undefined);
        assert.equal(await store.getConfig('shop', 'nowhere', 3), undefined);
        assert.deepEqual(await store.listConfigVersions('shop', 'production'), []);
      }));

    it('records the change set with the version, and neither when the version is refused', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.putConfigVersion({ app: 'shop', env: 'production', description: 'd', entries: [plain('A', '1')] }, 1, { audit: [audit({ operation: 'config.set' })] });
        assert.deepEqual((await store.listAudit()).map((a) => a.operation), ['config.set']);
        await rejectsWithCode(
          store.putConfigVersion({ app: 'shop', env: 'production', description: 'd', entries: [plain('A', '1'), plain('A', '2')] }, 2, { audit: [audit({ operation: 'config.set' })] }),
          'BAD_REQUEST',
        );
        await rejectsWithCode(store.putConfigVersion({ app: 'shop', env: 'staging', description: 'd', entries: [] }, 2), 'ENV_NOT_FOUND');
        assert.equal((await store.listAudit()).length, 1);
        assert.equal((await store.getConfig('shop', 'production'))?.version, 1);
      }));

    it('lists every sealed value and re-seals them all in one transaction', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production', 'staging');
        await store.putConfigVersion({ app: 'shop', env: 'production', description: 'd', entries: [secret('B'), plain('A', '1')] }, 1);
        await store.putConfigVersion({ app: 'shop', env: 'staging', description: 'd', entries: [secret('C')] }, 2);
        const sealed = await store.listSealedValues();
        assert.deepEqual(sealed.map((s) => `${s.env}/${s.version}/${s.name}@${s.sealed.keyId}`), ['production/1/B@k1', 'staging/1/C@k1']);
        const resealed: SealedEntryRef[] = sealed.map((s) => ({ ...s, sealed: { keyId: 'k2', nonce: 'n2', ciphertext: `new-${s.name}` } }));
        await store.resealValues('k2', resealed, { audit: [audit({ operation: 'secrets.rotate-key' })] });
        const after = await store.getConfig('shop', 'production');
        assert.deepEqual(after?.entries, [plain('A', '1'), { name: 'B', secret: true, sealed: { keyId: 'k2', nonce: 'n2', ciphertext: 'new-B' }, digest: 'digest-B' }]);
        assert.deepEqual((await store.listAudit()).map((a) => a.operation), ['secrets.rotate-key']);
      }));

    it('refuses a re-seal that would leave any value under another key, and changes nothing', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production');
        await store.putConfigVersion({ app: 'shop', env: 'production', description: 'd', entries: [secret('B'), secret('C')] }, 1);
        const [first] = await store.listSealedValues();
        await rejectsWithCode(store.resealValues('k2', [{ ...first!, sealed: { keyId: 'k2', nonce: 'n', ciphertext: 'c' } }]), 'CONFLICT');
        assert.deepEqual((await store.listSealedValues()).map((s) => s.sealed.keyId), ['k1', 'k1']);
      }));

    it('removes an environment\'s config with the environment', () =>
      use(async (store) => {
        await seed(store, 'shop', 'production', 'staging');
        await store.putConfigVersion({ app: 'shop', env: 'staging', description: 'd', entries: [secret('B')] }, 1);
        await store.destroyEnvironment('shop', 'staging');
        assert.equal(await store.getConfig('shop', 'staging'), undefined);
        assert.deepEqual(await store.listSealedValues(), []);
      }));
  });
}
