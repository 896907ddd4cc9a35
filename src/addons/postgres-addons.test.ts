import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { isWharfError } from '../errors.js';
import { stopPid } from './server-process.js';
import { addonRig, seedEnvironments, type AddonRig } from './testing.js';

async function query(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

function rejectsWith(code: string, pattern?: RegExp) {
  return (e: unknown) => {
    assert.ok(isWharfError(e), `expected a WharfError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(`${e.message} ${e.hint ?? ''}`, pattern);
    return true;
  };
}

describe('PostgreSQL add-ons on the managed cluster', () => {
  let rig: AddonRig;
  before(async () => {
    rig = addonRig();
    await seedEnvironments(rig.store, 'shop', 'production', 'staging', 'preview-a');
  });
  after(() => rig.stop());

  it('provisions a database the app reaches with DATABASE_URL, and a query runs in it', async () => {
    const record = await rig.manager.ensure('shop', 'production', 'db', { type: 'postgres' });
    assert.equal(record.state, 'attached');
    assert.doesNotMatch(JSON.stringify(await rig.store.getAddon('shop', 'production', 'db')), /"password"/);
    const vars = await rig.manager.varsFor('shop', 'production');
    assert.equal(vars['DATABASE_URL'], vars['DB_URL']);
    await query(vars['DATABASE_URL']!, 'CREATE TABLE orders (id serial primary key, total int)');
    await query(vars['DATABASE_URL']!, 'INSERT INTO orders (total) VALUES (10), (20)');
    assert.deepEqual((await query(vars['DATABASE_URL']!, 'SELECT sum(total)::int AS s FROM orders')).rows, [{ s: 30 }]);
  });

  it('keeps two environments apart: one\'s credentials cannot connect to the other\'s database', async () => {
    await rig.manager.ensure('shop', 'production', 'db', { type: 'postgres' });
    await rig.manager.ensure('shop', 'staging', 'db', { type: 'postgres' });
    const prod = new URL((await rig.manager.varsFor('shop', 'production'))['DATABASE_URL']!);
    const staging = new URL((await rig.manager.varsFor('shop', 'staging'))['DATABASE_URL']!);
    assert.notEqual(prod.pathname, staging.pathname);
    const crossed = new URL(staging);
    crossed.pathname = prod.pathname;
    await assert.rejects(query(crossed.toString(), 'SELECT 1'), /permission denied for database/);
    assert.deepEqual((await query(staging.toString(), 'SELECT 1 AS one')).rows, [{ one: 1 }]);
  });

  it('fails cleanly when the server goes down mid-provisioning, and a retry succeeds', async () => {
    let stopOnce = true;
    const { manager, servers } = rig.remake({
      afterStep: async (step) => {
        if (step === 'role' && stopOnce) {
          stopOnce = false;
          await stopPid(servers.postgres.pid!, 'postgres', 'SIGINT');
        }
      },
    });
    await assert.rejects(manager.ensure('shop', 'preview-a', 'db', { type: 'postgres' }), rejectsWith('TARGET_FAILED', /retry/));
    assert.equal(servers.postgres.pid, undefined);
    const failed = await rig.store.getAddon('shop', 'preview-a', 'db');
    assert.equal(failed?.state, 'failed');
    assert.ok(failed?.reason);
    const events = await rig.store.listEvents({ app: 'shop', env: 'preview-a' });
    assert.ok(events.some((e) => e.kind === 'addon.failed'));
    // The retry starts the cluster again and finds the role the first attempt made.
    const retried = await manager.ensure('shop', 'preview-a', 'db', { type: 'postgres' });
    assert.equal(retried.state, 'attached');
    const url = (await manager.varsFor('shop', 'preview-a'))['DATABASE_URL']!;
    assert.deepEqual((await query(url, 'SELECT current_database() = $1 AS ours', [retried.connection.database])).rows, [{ ours: true }]);
  });

  it('re-adopts the running cluster when the manager is made again, without starting another', async () => {
    const pid = rig.servers.postgres.pid ?? (await rig.servers.managed('postgres'), rig.servers.postgres.pid);
    assert.ok(pid);
    const again = rig.remake();
    const recovered = await again.servers.recover();
    assert.equal(recovered.postgres?.pid, pid);
    const vars = await again.manager.varsFor('shop', 'production');
    assert.deepEqual((await query(vars['DATABASE_URL']!, 'SELECT count(*)::int AS n FROM orders')).rows, [{ n: 2 }]);
  });

  it('refuses to destroy a production add-on without the app\'s name, and says what to type', async () => {
    await assert.rejects(
      rig.manager.destroy({ app: 'shop', env: 'production', name: 'db', purge: false }, 'ada'),
      rejectsWith('CONFIRMATION_REQUIRED', /--confirm shop/),
    );
    await assert.rejects(
      rig.manager.destroy({ app: 'shop', env: 'staging', name: 'db', purge: true }, 'ada'),
      rejectsWith('CONFIRMATION_REQUIRED', /wharf addons destroy db -e staging --purge --confirm shop/),
    );
    assert.equal((await rig.store.getAddon('shop', 'production', 'db'))?.state, 'attached');
  });

  it('detaches without --purge, keeping the data, and re-adding the add-on re-attaches the same database', async () => {
    const url = (await rig.manager.varsFor('shop', 'production'))['DATABASE_URL']!;
    const { action } = await rig.manager.destroy({ app: 'shop', env: 'production', name: 'db', purge: false, confirm: 'shop' }, 'ada');
    assert.equal(action, 'detach');
    assert.equal((await rig.store.getAddon('shop', 'production', 'db'))?.state, 'detached');
    assert.deepEqual(await rig.manager.varsFor('shop', 'production'), {});
    await assert.rejects(query(url, 'SELECT 1'), /not permitted to log in/);
    await rig.manager.ensure('shop', 'production', 'db', { type: 'postgres' });
    assert.equal((await rig.manager.varsFor('shop', 'production'))['DATABASE_URL'], url);
    assert.deepEqual((await query(url, 'SELECT count(*)::int AS n FROM orders')).rows, [{ n: 2 }]);
  });

  it('purges with --purge and the app\'s name: the database, the role and the record are gone', async () => {
    const record = (await rig.store.getAddon('shop', 'staging', 'db'))!;
    const { action } = await rig.manager.destroy({ app: 'shop', env: 'staging', name: 'db', purge: true, confirm: 'shop' }, 'ada');
    assert.equal(action, 'purge');
    assert.equal(await rig.store.getAddon('shop', 'staging', 'db'), undefined);
    const admin = await rig.servers.managed('postgres');
    const adminUrl = `postgres://${admin.user}:${encodeURIComponent(admin.password)}@${admin.host}:${admin.port}/postgres`;
    assert.deepEqual((await query(adminUrl, 'SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [record.connection.database])).rows, [{ n: 0 }]);
    assert.deepEqual((await query(adminUrl, 'SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1', [record.connection.user])).rows, [{ n: 0 }]);
  });

  it('refuses an add-on whose spec asks for a version the server does not run, before making anything', async () => {
    const admin = await rig.servers.managed('postgres');
    const adminUrl = `postgres://${admin.user}:${encodeURIComponent(admin.password)}@${admin.host}:${admin.port}/postgres`;
    const major = Number((await query(adminUrl, "SELECT current_setting('server_version_num')::int / 10000 AS m")).rows[0].m);
    assert.equal((await rig.manager.ensure('shop', 'staging', 'versioned', { type: 'postgres', version: String(major) })).state, 'attached');
    await assert.rejects(rig.manager.ensure('shop', 'staging', 'wrong', { type: 'postgres', version: String(major + 1) }), rejectsWith('TARGET_FAILED', /asks for postgres/));
    assert.equal(await rig.store.getAddon('shop', 'staging', 'wrong'), undefined);
  });

  it('refuses to turn an add-on with data into one of another type', async () => {
    await assert.rejects(rig.manager.ensure('shop', 'production', 'db', { type: 'redis' }), rejectsWith('CONFLICT', /another name/));
  });
});
