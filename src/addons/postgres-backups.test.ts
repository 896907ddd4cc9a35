import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { isWharfError } from '../errors.js';
import { addonRig, seedEnvironments, type AddonRig } from './testing.js';

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

const count = async (url: string, table: string) => (await query(url, `SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

describe('PostgreSQL add-on backups', () => {
  let rig: AddonRig;
  let url: string;
  before(async () => {
    rig = addonRig();
    await seedEnvironments(rig.store, 'shop', 'production', 'staging');
    await rig.manager.ensure('shop', 'production', 'db', { type: 'postgres' });
    url = (await rig.manager.varsFor('shop', 'production'))['DATABASE_URL']!;
    await query(url, 'CREATE TABLE users (id int primary key); CREATE SCHEMA billing; CREATE TABLE billing.invoices (id int, amount numeric)');
    await query(url, 'INSERT INTO users SELECT generate_series(1, 50); INSERT INTO billing.invoices SELECT g, g * 1.5 FROM generate_series(1, 7) g');
  });
  after(() => rig.stop());

  it('dumps with a checksum and the row counts of every table, then verifies it in a scratch database', async () => {
    const backup = await rig.backups.backup('shop', 'production', 'db', { verify: true });
    assert.deepEqual(backup.counts, { 'billing.invoices': 7, 'public.users': 50 });
    assert.match(backup.sha256, /^[0-9a-f]{64}$/);
    assert.equal(backup.verification?.ok, true);
    assert.deepEqual(await rig.store.getBackup(backup.id), backup);
    // The scratch database is gone afterwards.
    const admin = await rig.servers.managed('postgres');
    const adminUrl = `postgres://${admin.user}:${encodeURIComponent(admin.password)}@${admin.host}:${admin.port}/postgres`;
    assert.equal((await query(adminUrl, "SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE '%_ver_%'")).rows[0].n, 0);
  });

  it('restores a backup into the environment\'s database, keeping the replaced data aside', async () => {
    const backup = await rig.backups.backup('shop', 'production', 'db');
    await query(url, 'DELETE FROM users WHERE id > 10; INSERT INTO billing.invoices VALUES (99, 1)');
    const { kept } = await rig.backups.restore('shop', 'production', 'db', backup.id);
    assert.equal(await count(url, 'users'), 50);
    assert.equal(await count(url, 'billing.invoices'), 7);
    assert.ok(kept);
    // The app's role still owns what was restored: it can write to it.
    await query(url, 'INSERT INTO users VALUES (1000)');
    await query(url, 'DELETE FROM users WHERE id = 1000');
  });

  it('fails verify and restore of a corrupted backup loudly, and changes nothing', async () => {
    const backup = await rig.backups.backup('shop', 'production', 'db');
    const bytes = readFileSync(backup.file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0xff;
    writeFileSync(backup.file, bytes);
    await query(url, 'INSERT INTO users VALUES (2000)');

    await assert.rejects(rig.backups.verify(backup.id), (e) => isWharfError(e) && e.code === 'BACKUP_CORRUPT' && /checksum/.test(e.message));
    const recorded = await rig.store.getBackup(backup.id);
    assert.equal(recorded?.verification?.ok, false);
    const events = await rig.store.listEvents({ app: 'shop', env: 'production' });
    assert.ok(events.some((e) => e.kind === 'addon.backup.failed' && e.message.includes(backup.id)));

    await assert.rejects(rig.backups.restore('shop', 'production', 'db', backup.id), (e) => isWharfError(e) && e.code === 'BACKUP_CORRUPT');
    assert.equal(await count(url, 'users'), 51);
  });

  it('copies production\'s data into staging\'s fresh add-on (env clone --with-data)', async () => {
    await rig.manager.ensure('shop', 'staging', 'db', { type: 'postgres' });
    await rig.backups.copyData('shop', 'production', 'staging', 'db');
    const staging = (await rig.manager.varsFor('shop', 'staging'))['DATABASE_URL']!;
    assert.notEqual(staging, url);
    assert.equal(await count(staging, 'users'), 51);
    assert.equal(await count(staging, 'billing.invoices'), 7);
  });
});
