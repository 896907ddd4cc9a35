import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { isWharfError } from '../errors.js';
import { RespClient, text } from './resp-client.js';
import { addonRig, seedEnvironments, type AddonRig } from './testing.js';

/** Connects with a redis:// URL as an app would. */
async function connectUrl(raw: string): Promise<RespClient> {
  const url = new URL(raw);
  return RespClient.connect({ host: url.hostname, port: Number(url.port), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) });
}

async function withUrl<T>(raw: string, fn: (c: RespClient) => Promise<T>): Promise<T> {
  const c = await connectUrl(raw);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

describe('Redis add-ons on the managed server', () => {
  let rig: AddonRig;
  let prod: Record<string, string>;
  let staging: Record<string, string>;
  before(async () => {
    rig = addonRig();
    await seedEnvironments(rig.store, 'shop', 'production', 'staging');
    await rig.manager.ensure('shop', 'production', 'cache', { type: 'redis' });
    await rig.manager.ensure('shop', 'staging', 'cache', { type: 'redis' });
    prod = await rig.manager.varsFor('shop', 'production');
    staging = await rig.manager.varsFor('shop', 'staging');
  });
  after(() => rig.stop());

  it('gives REDIS_URL and the key prefix, and the app writes and reads under it', async () => {
    assert.equal(prod['REDIS_KEY_PREFIX'], 'shop:production:cache:');
    await withUrl(prod['REDIS_URL']!, async (c) => {
      await c.call('SET', `${prod['REDIS_KEY_PREFIX']}greeting`, 'hello');
      await c.call('HSET', `${prod['REDIS_KEY_PREFIX']}user:1`, 'name', 'ada');
      await c.call('RPUSH', `${prod['REDIS_KEY_PREFIX']}jobs`, 'a', 'b', 'c');
      assert.equal(text(await c.call('GET', `${prod['REDIS_KEY_PREFIX']}greeting`)), 'hello');
    });
  });

  it('keeps environments apart: staging can neither read nor write production\'s keys, nor reach past its prefix', async () => {
    await withUrl(staging['REDIS_URL']!, async (c) => {
      await assert.rejects(c.call('GET', `${prod['REDIS_KEY_PREFIX']}greeting`), /NOPERM/);
      await assert.rejects(c.call('SET', `${prod['REDIS_KEY_PREFIX']}greeting`, 'pwned'), /NOPERM/);
      await assert.rejects(c.call('FLUSHALL'), /NOPERM/);
      await assert.rejects(c.call('KEYS', '*'), /NOPERM/);
      await assert.rejects(c.call('PUBLISH', `${prod['REDIS_KEY_PREFIX']}events`, 'x'), /NOPERM/);
      await c.call('SET', `${staging['REDIS_KEY_PREFIX']}mine`, 'ok');
    });
    await withUrl(prod['REDIS_URL']!, async (c) => assert.equal(text(await c.call('GET', `${prod['REDIS_KEY_PREFIX']}greeting`)), 'hello'));
    // Without logging in, nothing: the default user is off.
    const url = new URL(prod['REDIS_URL']!);
    const anonymous = await RespClient.connect({ host: url.hostname, port: Number(url.port) });
    try {
      await assert.rejects(anonymous.call('GET', `${prod['REDIS_KEY_PREFIX']}greeting`), /NOAUTH/);
    } finally {
      anonymous.close();
    }
  });

  it('backs up the prefix, verifies it by restoring into scratch, and restores it', async () => {
    const backup = await rig.backups.backup('shop', 'production', 'cache', { verify: true });
    assert.deepEqual(backup.counts, { hash: 1, list: 1, string: 1 });
    assert.equal(backup.verification?.ok, true);
    await withUrl(prod['REDIS_URL']!, async (c) => {
      await c.call('DEL', `${prod['REDIS_KEY_PREFIX']}greeting`);
      await c.call('SET', `${prod['REDIS_KEY_PREFIX']}later`, 'x');
    });
    await rig.backups.restore('shop', 'production', 'cache', backup.id);
    await withUrl(prod['REDIS_URL']!, async (c) => {
      assert.equal(text(await c.call('GET', `${prod['REDIS_KEY_PREFIX']}greeting`)), 'hello');
      assert.equal(await c.call('EXISTS', `${prod['REDIS_KEY_PREFIX']}later`), 0);
      assert.equal(await c.call('LLEN', `${prod['REDIS_KEY_PREFIX']}jobs`), 3);
    });
    // Staging's keys were not touched by production's restore.
    await withUrl(staging['REDIS_URL']!, async (c) => assert.equal(text(await c.call('GET', `${staging['REDIS_KEY_PREFIX']}mine`)), 'ok'));
  });

  it('fails verify and restore of a corrupted backup, and changes nothing', async () => {
    const backup = await rig.backups.backup('shop', 'production', 'cache');
    writeFileSync(backup.file, readFileSync(backup.file, 'utf8').replace(/"v":"(.)/, (_m, ch: string) => `"v":"${ch === 'A' ? 'B' : 'A'}`));
    await withUrl(prod['REDIS_URL']!, (c) => c.call('SET', `${prod['REDIS_KEY_PREFIX']}after`, '1'));
    await assert.rejects(rig.backups.verify(backup.id), (e) => isWharfError(e) && e.code === 'BACKUP_CORRUPT');
    assert.equal((await rig.store.getBackup(backup.id))?.verification?.ok, false);
    await assert.rejects(rig.backups.restore('shop', 'production', 'cache', backup.id), (e) => isWharfError(e) && e.code === 'BACKUP_CORRUPT');
    await withUrl(prod['REDIS_URL']!, async (c) => assert.equal(text(await c.call('GET', `${prod['REDIS_KEY_PREFIX']}after`)), '1'));
  });

  it('detaches without --purge (login refused, keys kept) and re-attaches the same keys', async () => {
    await rig.manager.destroy({ app: 'shop', env: 'staging', name: 'cache', purge: false }, 'ada');
    await assert.rejects(connectUrl(staging['REDIS_URL']!), /WRONGPASS|disabled/);
    await rig.manager.ensure('shop', 'staging', 'cache', { type: 'redis' });
    await withUrl(staging['REDIS_URL']!, async (c) => assert.equal(text(await c.call('GET', `${staging['REDIS_KEY_PREFIX']}mine`)), 'ok'));
  });

  it('purges with the app\'s name: the keys and the user are gone, other environments\' stay', async () => {
    await rig.manager.destroy({ app: 'shop', env: 'staging', name: 'cache', purge: true, confirm: 'shop' }, 'ada');
    await assert.rejects(connectUrl(staging['REDIS_URL']!), /WRONGPASS/);
    const admin = await rig.servers.managed('redis');
    const c = await RespClient.connect(admin);
    try {
      assert.equal(await c.call('EXISTS', `${staging['REDIS_KEY_PREFIX']}mine`), 0);
      assert.equal(text(await c.call('GET', `${prod['REDIS_KEY_PREFIX']}greeting`)), 'hello');
    } finally {
      c.close();
    }
  });

  it('starts a redis-server that died again, under supervision, with its keys', async () => {
    const before = rig.servers.redis.pid!;
    await rig.servers.redis.stop();
    const stopSupervising = rig.servers.supervise(50, () => undefined);
    try {
      const deadline = Date.now() + 60_000;
      while ((rig.servers.redis.pid ?? before) === before) {
        assert.ok(Date.now() < deadline, 'the supervisor did not start redis-server again within 60 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      stopSupervising();
    }
    const vars = await rig.manager.varsFor('shop', 'production');
    await withUrl(vars['REDIS_URL']!, async (c) => assert.equal(text(await c.call('GET', `${prod['REDIS_KEY_PREFIX']}greeting`)), 'hello'));
  });

  it('re-adopts the running redis-server when the manager is made again', async () => {
    const pid = rig.servers.redis.pid;
    assert.ok(pid);
    const again = rig.remake();
    assert.equal((await again.servers.recover()).redis?.pid, pid);
    const vars = await again.manager.varsFor('shop', 'production');
    await withUrl(vars['REDIS_URL']!, async (c) => assert.equal(text(await c.call('GET', `${prod['REDIS_KEY_PREFIX']}greeting`)), 'hello'));
  });
});
