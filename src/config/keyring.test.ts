import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isWharfError, type ErrorCode } from '../errors.js';
import { SqliteStore } from '../state/sqlite/sqlite-store.js';
import { seal } from './cipher.js';
import { Keyring } from './keyring.js';
import { masterKeyFile, newMasterKey, nextKeyFile, writeKeyFile } from './master-key.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function fresh(): Promise<{ dir: string; store: SqliteStore }> {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-keyring-'));
  dirs.push(dir);
  const store = SqliteStore.open(join(dir, 'state.db'));
  await store.ensureApp('shop', 1);
  await store.ensureEnvironment({ app: 'shop', name: 'production', createdAt: 1 });
  return { dir, store };
}

async function plantSecret(store: SqliteStore, keyring: Keyring, value = 'planted'): Promise<void> {
  const where = { app: 'shop', env: 'production', name: 'TOKEN' };
  await store.putConfigVersion({ app: 'shop', env: 'production', description: 'd', entries: [{ name: 'TOKEN', secret: true, sealed: keyring.seal(where, value), digest: keyring.digest(value) }] }, 2);
}

/** Every file of the dir with its bytes, to show that a refused start wrote nothing. */
function snapshot(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
}

async function refuses(promise: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(isWharfError(e), String(e));
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

describe('the keyring', () => {
  it('creates a 0600 master key file at the first start, and uses the same key after', async () => {
    const { dir, store } = await fresh();
    const first = await Keyring.open(store, dir, {});
    assert.equal(statSync(masterKeyFile(dir)).mode & 0o777, 0o600);
    await plantSecret(store, first);
    const again = await Keyring.open(store, dir, {});
    assert.equal(again.keyId, first.keyId);
    await store.close();
  });

  it('refuses to start when secrets are recorded and the key file is gone, and writes no new key', async () => {
    const { dir, store } = await fresh();
    await plantSecret(store, await Keyring.open(store, dir, {}));
    rmSync(masterKeyFile(dir));
    await store.close();
    const before = snapshot(dir);
    const reopened = SqliteStore.open(join(dir, 'state.db'));
    await refuses(Keyring.open(reopened, dir, {}), 'MASTER_KEY_MISSING', /holds 1 secret value sealed with master key [0-9a-f]{16}, and there is no master key/);
    await reopened.close();
    assert.deepEqual(snapshot(dir), before, 'no file was written or changed');
  });

  it('refuses a wrong key from the file or from WHARF_MASTER_KEY, saying which keys, and changes no file', async () => {
    const { dir, store } = await fresh();
    const right = await Keyring.open(store, dir, {});
    await plantSecret(store, right);
    await store.close();
    writeKeyFile(masterKeyFile(dir), newMasterKey());
    const before = snapshot(dir);
    const reopened = SqliteStore.open(join(dir, 'state.db'));
    await refuses(Keyring.open(reopened, dir, {}), 'MASTER_KEY_MISMATCH', new RegExp(`sealed with master key ${right.keyId}, but the master key from ${masterKeyFile(dir)} is`));
    const env = { WHARF_MASTER_KEY: newMasterKey().bytes.reveal().toString('base64') };
    await refuses(Keyring.open(reopened, dir, env), 'MASTER_KEY_MISMATCH', /but the master key from \$WHARF_MASTER_KEY is/);
    await refuses(Keyring.open(reopened, dir, { WHARF_MASTER_KEY: 'not-a-key' }), 'MASTER_KEY_INVALID', /\$WHARF_MASTER_KEY does not hold a master key/);
    await reopened.close();
    assert.deepEqual(snapshot(dir), before);
  });

  it('takes the key from WHARF_MASTER_KEY without writing a key file', async () => {
    const { dir, store } = await fresh();
    const key = newMasterKey();
    const keyring = await Keyring.open(store, dir, { WHARF_MASTER_KEY: key.bytes.reveal().toString('hex') });
    assert.equal(keyring.keyId, key.id);
    assert.equal(existsSync(masterKeyFile(dir)), false);
    await refuses(keyring.rotate(store, { actor: 'ada', client: 'cli' }, Date.now), 'USAGE', /comes from \$WHARF_MASTER_KEY/);
    await store.close();
  });

  it('rotates: every value re-encrypted under the new key, readable after a restart, audited', async () => {
    const { dir, store } = await fresh();
    const keyring = await Keyring.open(store, dir, {});
    await plantSecret(store, keyring, 'before-rotation');
    const old = keyring.keyId;
    const result = await keyring.rotate(store, { actor: 'ada', client: 'cli' }, () => 9);
    assert.deepEqual(result, { from: old, to: keyring.keyId, values: 1 });
    assert.notEqual(keyring.keyId, old);
    assert.equal(existsSync(nextKeyFile(dir)), false);
    const [sealed] = await store.listSealedValues();
    assert.equal(sealed?.sealed.keyId, keyring.keyId);
    const restarted = await Keyring.open(store, dir, {});
    assert.equal(restarted.unseal({ app: 'shop', env: 'production', name: 'TOKEN' }, sealed!.sealed), 'before-rotation');
    assert.deepEqual((await store.listAudit()).map((a) => [a.operation, a.details]), [['secrets.rotate-key', { from: old, to: keyring.keyId, values: 1 }]]);
    await store.close();
  });

  it('finishes a rotation cut off after its commit, and drops one cut off before', async () => {
    const { dir, store } = await fresh();
    const keyring = await Keyring.open(store, dir, {});
    await plantSecret(store, keyring);
    // Before the commit: the new key was written, the values are still under the old one.
    writeKeyFile(nextKeyFile(dir), newMasterKey());
    assert.equal((await Keyring.open(store, dir, {})).keyId, keyring.keyId);
    assert.equal(existsSync(nextKeyFile(dir)), false);
    // After the commit: the values are under the new key, which never got renamed into place.
    const next = newMasterKey();
    writeKeyFile(nextKeyFile(dir), next);
    const [s] = await store.listSealedValues();
    const where = { app: 'shop', env: 'production', name: 'TOKEN' };
    await store.resealValues(next.id, [{ ...s!, sealed: seal(next, where, keyring.unseal(where, s!.sealed)) }]);
    assert.equal((await Keyring.open(store, dir, {})).keyId, next.id);
    assert.equal(existsSync(nextKeyFile(dir)), false);
    await store.close();
  });
});
