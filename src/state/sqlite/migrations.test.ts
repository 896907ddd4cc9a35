import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isWharfError } from '../../errors.js';
import { seed } from '../contract/fixtures.js';
import { MIGRATIONS, migrate, schemaVersion, type Migration } from './migrations.js';
import { openDatabase } from './open-database.js';
import { SqliteStore } from './sqlite-store.js';

const root = mkdtempSync(join(tmpdir(), 'wharf-migrations-'));
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
const freshFile = () => join(root, `state-${++counter}.db`);

/** A later step, as a future issue would append it. */
const ADD_BUILDS: Migration = {
  version: MIGRATIONS.length + 1,
  name: 'builds',
  sql: 'CREATE TABLE builds (id TEXT PRIMARY KEY, app TEXT NOT NULL) STRICT;',
};

function tables(db: Database.Database): string[] {
  return db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
}

describe('migrations', () => {
  it('numbers its steps 1, 2, 3 … without gaps', () => {
    assert.deepEqual(MIGRATIONS.map((m) => m.version), MIGRATIONS.map((_, i) => i + 1));
  });

  it('applies every step to a fresh file once, and nothing when the file is opened again', () => {
    const file = freshFile();
    const db = openDatabase(file);
    assert.equal(schemaVersion(db), MIGRATIONS.length);
    assert.deepEqual(tables(db), ['addons', 'apps', 'audit', 'backups', 'config_values', 'config_versions', 'environments', 'events', 'instances', 'locks', 'releases', 'resources']);
    assert.deepEqual(migrate(db, file), { from: MIGRATIONS.length, to: MIGRATIONS.length, applied: [] });
    db.close();

    const fresh = new Database(freshFile());
    assert.deepEqual(migrate(fresh, 'fresh'), { from: 0, to: MIGRATIONS.length, applied: MIGRATIONS.map((m) => m.version) });
    fresh.close();
  });

  it('applies a step appended later to an existing file, once, keeping its data', async () => {
    const file = freshFile();
    const store = SqliteStore.open(file);
    await seed(store, 'shop', 'production');
    await store.close();

    const db = openDatabase(file, { migrations: [...MIGRATIONS, ADD_BUILDS] });
    assert.equal(schemaVersion(db), ADD_BUILDS.version);
    assert.ok(tables(db).includes('builds'));
    assert.deepEqual(migrate(db, file, [...MIGRATIONS, ADD_BUILDS]).applied, []);
    db.close();

    const reopened = SqliteStore.open(join(file), { migrations: [...MIGRATIONS, ADD_BUILDS] });
    assert.ok(await reopened.getEnvironment('shop', 'production'));
    await reopened.close();
  });

  it('rolls a failing step back entirely and leaves the version where it was', () => {
    const file = freshFile();
    openDatabase(file).close();
    const broken: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'half a step',
      sql: 'CREATE TABLE builds (id TEXT PRIMARY KEY) STRICT; CREATE TABLE broken (;',
    };
    assert.throws(() => openDatabase(file, { migrations: [...MIGRATIONS, broken] }), /syntax error/);
    const db = new Database(file);
    assert.equal(schemaVersion(db), MIGRATIONS.length);
    assert.ok(!tables(db).includes('builds'), 'the first statement of the failed step is undone');
    db.close();
  });

  it('refuses a file written by a newer Wharf with STATE_TOO_NEW and leaves it untouched', () => {
    const file = freshFile();
    openDatabase(file, { migrations: [...MIGRATIONS, ADD_BUILDS] }).close();
    const before = readFileSync(file);

    assert.throws(
      () => SqliteStore.open(file),
      (e: unknown) => {
        assert.ok(isWharfError(e));
        assert.equal(e.code, 'STATE_TOO_NEW');
        assert.ok(e.message.includes(file));
        assert.match(e.message, new RegExp(`version ${ADD_BUILDS.version}.*up to ${MIGRATIONS.length}`));
        assert.ok(e.hint);
        return true;
      },
    );
    assert.ok(readFileSync(file).equals(before), 'not a byte of the newer file is changed');
  });

  it('refuses a migration list with a gap or out of order', () => {
    const db = new Database(':memory:');
    const gap: Migration = { ...ADD_BUILDS, version: MIGRATIONS.length + 2 };
    assert.throws(() => migrate(db, ':memory:', [...MIGRATIONS, gap]), /expected/);
    assert.equal(schemaVersion(db), 0, 'nothing is applied from a list that is wrong');
    db.close();
  });
});
