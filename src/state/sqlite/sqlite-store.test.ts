import assert from 'node:assert/strict';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { DEFAULT_STATE_BUSY_TIMEOUT_MS, DEFAULT_STATE_FILE_NAME } from '../../defaults.js';
import { isWharfError } from '../../errors.js';
import { event, lock, newRelease, resource, seed } from '../contract/fixtures.js';
import { openStore } from '../open-store.js';
import { runStoreContract } from '../store-contract.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteStore } from './sqlite-store.js';

const root = mkdtempSync(join(tmpdir(), 'wharf-sqlite-store-'));
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** A fresh data dir under the suite's temp root. */
function freshDir(): string {
  const dir = join(root, `case-${++counter}`);
  mkdirSync(dir);
  return dir;
}

const mode = (file: string) => statSync(file).mode & 0o777;

runStoreContract('SqliteStore', async () => {
  const dir = freshDir();
  const store = SqliteStore.open(join(dir, 'state.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStore on disk', () => {
  it('keeps every record across a close and a reopen', async () => {
    const file = join(freshDir(), 'state.db');
    const first = SqliteStore.open(file);
    await seed(first, 'shop', 'production');
    await first.commit({ putResources: [resource('shop', 'production', 'web')], events: [event()] });
    await first.createRelease(newRelease('shop', 'production'), 10_000);
    await first.acquireLock(lock('env:shop/production', 'token-a'));
    await first.close();

    const second = SqliteStore.open(file);
    try {
      assert.deepEqual(await second.listResources('shop', 'production'), [resource('shop', 'production', 'web')]);
      assert.equal((await second.listEvents()).length, 1);
      assert.equal((await second.createRelease(newRelease('shop', 'production'), 11_000)).version, 2);
      assert.equal((await second.getLock('env:shop/production'))?.token, 'token-a');
    } finally {
      await second.close();
    }
  });

  it('runs in WAL mode with synchronous NORMAL, foreign keys on and a busy timeout', async () => {
    const store = SqliteStore.open(join(freshDir(), 'state.db'));
    try {
      assert.deepEqual(store.settings(), {
        journalMode: 'wal',
        synchronous: 'NORMAL',
        foreignKeys: true,
        busyTimeoutMs: DEFAULT_STATE_BUSY_TIMEOUT_MS,
        schemaVersion: MIGRATIONS.length,
      });
    } finally {
      await store.close();
    }
  });

  it('creates the state file and its write-ahead log readable by the owner only', async () => {
    const file = join(freshDir(), 'state.db');
    const store = SqliteStore.open(file);
    try {
      await store.ensureApp('shop', 1);
      assert.equal(mode(file), 0o600);
      assert.ok(existsSync(`${file}-wal`), 'a write goes to the WAL file');
      assert.equal(mode(`${file}-wal`), 0o600);
    } finally {
      await store.close();
    }
  });

  it('tightens an existing state file that others could read to 0600', async () => {
    const file = join(freshDir(), 'state.db');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    await SqliteStore.open(file).close();
    assert.equal(mode(file), 0o600);
  });

  it('opens the data dir through openStore, creating it private when missing', async () => {
    const dataDir = join(freshDir(), 'nested', '.wharf');
    const store = await openStore(dataDir);
    try {
      await store.ensureApp('shop', 1);
      assert.equal(mode(dataDir), 0o700);
      assert.equal(mode(join(dataDir, DEFAULT_STATE_FILE_NAME)), 0o600);
    } finally {
      await store.close();
    }
  });

  it('refuses a data dir path that is a file with STATE_CORRUPT naming it', async () => {
    const dataDir = join(freshDir(), 'not-a-dir');
    writeFileSync(dataDir, 'x');
    await assert.rejects(openStore(dataDir), (e: unknown) => {
      assert.ok(isWharfError(e));
      assert.equal(e.code, 'STATE_CORRUPT');
      assert.ok(e.message.includes(dataDir) && e.hint);
      return true;
    });
  });
});

describe('SqliteStore refusing what it cannot record', () => {
  it('refuses a commit with a body that has no JSON value, recording none of it', async () => {
    const store = SqliteStore.open(join(freshDir(), 'state.db'));
    try {
      await seed(store, 'shop', 'production');
      const change = { putResources: [resource('shop', 'production', 'web'), resource('shop', 'production', 'worker', undefined)] };
      change.putResources[1]!.body = undefined;
      await assert.rejects(store.commit(change), (e: unknown) => isWharfError(e) && e.code === 'INTERNAL' && /worker/.test(e.message));
      assert.deepEqual(await store.listResources('shop', 'production'), []);
    } finally {
      await store.close();
    }
  });

  it('answers CONFLICT when another process keeps the write lock past the busy timeout', async () => {
    const file = join(freshDir(), 'state.db');
    const store = SqliteStore.open(file, { busyTimeoutMs: 50 });
    const other = new Database(file);
    try {
      other.exec('BEGIN IMMEDIATE');
      await assert.rejects(store.ensureApp('shop', 1), (e: unknown) => isWharfError(e) && e.code === 'CONFLICT' && e.message.includes(file));
      other.exec('ROLLBACK');
      assert.deepEqual(await store.ensureApp('shop', 1), { name: 'shop', createdAt: 1 }, 'it works again once the lock is gone');
    } finally {
      other.close();
      await store.close();
    }
  });
});

describe('SqliteStore on a damaged or foreign file', () => {
  /** Asserts STATE_CORRUPT naming the file, with a hint. */
  function assertStateCorrupt(e: unknown, file: string, says: RegExp): true {
    assert.ok(isWharfError(e), `expected a WharfError, got ${String(e)}`);
    assert.equal(e.code, 'STATE_CORRUPT');
    assert.ok(e.message.includes(file), `the message names ${file}: ${e.message}`);
    assert.match(e.message, says);
    assert.ok(e.hint && e.hint.length > 0, 'a hint says what to do');
    return true;
  }

  it('refuses a file that is not a database with STATE_CORRUPT, the path and a hint', () => {
    const file = join(freshDir(), 'state.db');
    writeFileSync(file, 'this is not a database, it is a shopping list\n'.repeat(200));
    assert.throws(() => SqliteStore.open(file), (e) => assertStateCorrupt(e, file, /damaged/));
  });

  it('refuses a path it cannot open as a file with STATE_CORRUPT', () => {
    const file = join(freshDir(), 'state.db');
    mkdirSync(file);
    assert.throws(() => SqliteStore.open(file), (e) => assertStateCorrupt(e, file, /unreadable/));
  });

  it("refuses another program's SQLite database rather than writing its tables into it", () => {
    const file = join(freshDir(), 'state.db');
    const other = new Database(file);
    other.exec('CREATE TABLE bookmarks (url TEXT)');
    other.close();
    assert.throws(() => SqliteStore.open(file), (e) => assertStateCorrupt(e, file, /not a Wharf state database/));
    const again = new Database(file, { readonly: true });
    const tables = again.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all();
    again.close();
    assert.deepEqual(tables, ['bookmarks']);
  });

  it('reports pages damaged after opening as STATE_CORRUPT when they are read', async () => {
    const file = join(freshDir(), 'state.db');
    const store = SqliteStore.open(file);
    const padding = 'x'.repeat(2_000);
    for (let i = 0; i < 200; i++) await store.appendEvent(event({ message: `e${i}`, data: { padding } }));
    await store.close();
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    try {
      // Keep the first pages (header and schema, which spans several pages as tables are
      // added) and scribble over the second half, where the events are, as a bad disk would.
      for (let offset = Math.floor(size / 2 / 4_096) * 4_096; offset < size; offset += 4_096) writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, offset);
    } finally {
      closeSync(fd);
    }
    const damaged = SqliteStore.open(file);
    try {
      await assert.rejects(damaged.listEvents(), (e) => assertStateCorrupt(e, file, /damaged/));
    } finally {
      await damaged.close();
    }
  });
});
