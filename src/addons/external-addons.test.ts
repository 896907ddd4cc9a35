import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { isWharfError } from '../errors.js';
import { RespClient, text } from './resp-client.js';
import { addonRig, seedEnvironments, type AddonRig } from './testing.js';

/**
 * External mode, against real servers: the rig's own PostgreSQL and Redis stand in for a
 * team's existing servers, reached only through an admin URL held in a variable.
 */
describe('add-ons on external servers', () => {
  let rig: AddonRig;
  before(async () => {
    rig = addonRig();
    await seedEnvironments(rig.store, 'shop', 'production');
    const pgAdmin = await rig.servers.managed('postgres');
    const redisAdmin = await rig.servers.managed('redis');
    rig.variables.set('PG_ADMIN_URL', `postgres://${pgAdmin.user}:${encodeURIComponent(pgAdmin.password)}@127.0.0.1:${pgAdmin.port}/postgres`);
    rig.variables.set('REDIS_ADMIN_URL', `redis://${redisAdmin.user}:${encodeURIComponent(redisAdmin.password)}@127.0.0.1:${redisAdmin.port}`);
  });
  after(() => rig.stop());

  it('refuses an add-on whose admin URL variable is not set, naming the variable', async () => {
    await assert.rejects(
      rig.manager.ensure('shop', 'production', 'legacy', { type: 'postgres', external: { admin_url_from: 'NOT_SET_ANYWHERE' } }),
      (e) => isWharfError(e) && e.code === 'BAD_REQUEST' && /NOT_SET_ANYWHERE/.test(e.message) && /config set/.test(e.hint ?? ''),
    );
  });

  it('fails cleanly while the external server is down, and a retry once it is back succeeds', async () => {
    await rig.servers.postgres.stop();
    const spec = { type: 'postgres' as const, external: { admin_url_from: 'PG_ADMIN_URL' } };
    await assert.rejects(rig.manager.ensure('shop', 'production', 'db', spec), (e) => isWharfError(e) && e.code === 'TARGET_FAILED' && /retry/.test(e.hint ?? ''));
    const failed = await rig.store.getAddon('shop', 'production', 'db');
    assert.equal(failed?.state, 'failed');
    assert.equal(failed?.adminUrlFrom, 'PG_ADMIN_URL');
    assert.doesNotMatch(JSON.stringify(failed), /postgres:\/\//);
    // The "external" server comes back (on a new port: the admin URL is read again at each use).
    const admin = await rig.servers.managed('postgres');
    rig.variables.set('PG_ADMIN_URL', `postgres://${admin.user}:${encodeURIComponent(admin.password)}@127.0.0.1:${admin.port}/postgres`);
    const record = await rig.manager.ensure('shop', 'production', 'db', spec);
    assert.equal(record.mode, 'external');
    assert.equal(record.state, 'attached');
    const client = new pg.Client({ connectionString: (await rig.manager.varsFor('shop', 'production'))['DATABASE_URL']! });
    await client.connect();
    try {
      assert.deepEqual((await client.query('SELECT current_user = $1 AS ok', [record.connection.user])).rows, [{ ok: true }]);
    } finally {
      await client.end();
    }
  });

  it('makes only a confined ACL user on an external Redis', async () => {
    const record = await rig.manager.ensure('shop', 'production', 'cache', { type: 'redis', external: { admin_url_from: 'REDIS_ADMIN_URL' } });
    const url = new URL((await rig.manager.varsFor('shop', 'production'))['REDIS_URL']!);
    const c = await RespClient.connect({ host: url.hostname, port: Number(url.port), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) });
    try {
      await c.call('SET', `${record.connection.keyPrefix}k`, 'v');
      assert.equal(text(await c.call('GET', `${record.connection.keyPrefix}k`)), 'v');
      await assert.rejects(c.call('SET', 'elsewhere', 'v'), /NOPERM/);
    } finally {
      c.close();
    }
  });
});
