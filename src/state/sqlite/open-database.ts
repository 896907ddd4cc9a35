import { closeSync, chmodSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { DEFAULT_STATE_BUSY_TIMEOUT_MS } from '../../defaults.js';
import { WharfError } from '../../errors.js';
import { MIGRATIONS, WHARF_APPLICATION_ID, migrate, refuseNewerSchema, type Migration } from './migrations.js';

export interface OpenDatabaseOptions {
  /** @default DEFAULT_STATE_BUSY_TIMEOUT_MS */
  busyTimeoutMs?: number;
  /** @default MIGRATIONS (tests pass longer lists to prove later steps apply) */
  migrations?: readonly Migration[];
}

/**
 * Opens (creating if needed) Wharf's SQLite state file and brings its schema up to date.
 *
 * The file is created 0600 before SQLite touches it: it holds the audit trail and, later,
 * encrypted config, and SQLite gives the -wal and -shm files the main file's mode.
 *
 * Connection settings, and why:
 * - journal_mode=WAL: readers and the writer never block each other, and one commit is
 *   one append to the log rather than a rewrite of the pages.
 * - synchronous=NORMAL: in WAL mode this fsyncs at checkpoints, not at every commit.
 *   The database cannot be corrupted by it; a power cut (not a process crash) may lose the
 *   last commits before the checkpoint. Wharf records what it did, and the next plan
 *   diffs against the real state and converges, so that loss is recoverable, while an
 *   fsync per event (instances report often) is not cheap on the disks Wharf runs on.
 * - busy_timeout: a write that meets another process's write transaction waits for it
 *   instead of failing at once (every write transaction is BEGIN IMMEDIATE, so the wait
 *   happens at BEGIN, where SQLite can honour it, never at a read-to-write upgrade; the
 *   one upgrade left, switching a fresh file to WAL, is retried by retryWhileBusy).
 * - foreign_keys=ON: destroyEnvironment relies on the cascades. SQLite's default is off
 *   per connection; better-sqlite3's build turns it on, and we do not depend on a build flag.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): BetterSqlite3.Database {
  createPrivateFile(file);
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_STATE_BUSY_TIMEOUT_MS;
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true, timeout: busyTimeoutMs });
    refuseForeignDatabase(db, file);
    // Before the first write (switching to WAL is one): a newer file stays untouched.
    refuseNewerSchema(db, file, options.migrations ?? MIGRATIONS);
    const connection = db;
    const mode = retryWhileBusy(() => connection.pragma('journal_mode = WAL', { simple: true }), busyTimeoutMs);
    if (mode !== 'wal') {
      throw new WharfError('STATE_CORRUPT', `the state database ${file} cannot use write-ahead logging (journal mode stays "${String(mode)}")`, {
        hint: 'Keep the data dir on a local filesystem: WAL needs shared memory, which network filesystems do not provide.',
      });
    }
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file, options.migrations ?? MIGRATIONS);
    return db;
  } catch (e) {
    db?.close();
    throw translateSqliteError(e, file);
  }
}

const CORRUPT_HINT =
  'The file is damaged or is not a Wharf state database. Move it aside to start with empty state, or restore it from a backup; `sqlite3 FILE "PRAGMA integrity_check"` shows the damage.';
const UNREADABLE_HINT =
  'Check that the path is a regular file and that the user running wharf can read and write it and its folder (the file should be mode 0600).';

/**
 * Turns SQLite's and the filesystem's "cannot use this file" errors into STATE_CORRUPT
 * with the path and what to do, and a write lock held past the busy timeout into
 * CONFLICT; anything else passes through unchanged.
 */
export function translateSqliteError(e: unknown, file: string): unknown {
  if (e instanceof WharfError) return e;
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  const message = e instanceof Error ? e.message : String(e);
  if (code.startsWith('SQLITE_BUSY')) {
    return new WharfError('CONFLICT', `the state database ${file} stayed locked by another process past the busy timeout`, {
      hint: 'Another Wharf process is holding a write transaction open. Check for a stuck `wharf` process (`wharf daemon stop`), then retry.',
      details: { file, sqliteCode: code },
      cause: e,
    });
  }
  const damaged = code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
  const unreadable =
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_IOERR') ||
    code.startsWith('SQLITE_READONLY') ||
    code === 'SQLITE_PERM' ||
    ['EACCES', 'EPERM', 'EISDIR', 'ENOENT', 'ENOTDIR', 'EROFS'].includes(code);
  if (!damaged && !unreadable) return e;
  return new WharfError(
    'STATE_CORRUPT',
    `the state database ${file} is ${damaged ? 'damaged' : 'unreadable'}: ${message}`,
    { hint: damaged ? CORRUPT_HINT : UNREADABLE_HINT, details: { file, sqliteCode: code }, cause: e },
  );
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * Retries `step` while SQLite answers BUSY, until `timeoutMs` has passed.
 *
 * Where waiting could deadlock SQLite answers BUSY at once, without calling the busy
 * handler: two processes opening a fresh file together both hold a read lock when they
 * ask to switch it to WAL, and one of them must step back and try again. The race test
 * (race.test.ts) hits this. The pause blocks the thread; it happens only while opening.
 */
function retryWhileBusy<T>(step: () => T, timeoutMs: number): T {
  const deadline = Date.now() + timeoutMs;
  for (let pauseMs = 1; ; pauseMs = Math.min(2 * pauseMs, 50)) {
    try {
      return step();
    } catch (e) {
      const busy = typeof e === 'object' && e !== null && 'code' in e && String(e.code).startsWith('SQLITE_BUSY');
      if (!busy || Date.now() >= deadline) throw e;
      Atomics.wait(PAUSE, 0, 0, pauseMs);
    }
  }
}

function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'a', 0o600));
    // An existing file keeps its mode through open(2); tighten it, as ssh insists for keys.
    chmodSync(file, 0o600);
  } catch (e) {
    throw translateSqliteError(e, file);
  }
}

/**
 * A SQLite file that already has tables but not Wharf's application id belongs to
 * something else: migrating it would write Wharf's tables into another program's data.
 *
 * One statement reads all three facts, so they come from one snapshot: read one by one,
 * another process's first migration committing in between would make a fresh file look
 * foreign (no id yet, but tables).
 */
function refuseForeignDatabase(db: BetterSqlite3.Database, file: string): void {
  const { applicationId, version, tables } = db
    .prepare(
      `SELECT (SELECT application_id FROM pragma_application_id) AS applicationId,
              (SELECT user_version FROM pragma_user_version) AS version,
              (SELECT count(*) FROM sqlite_schema) AS tables`,
    )
    .get() as { applicationId: number; version: number; tables: number };
  if (applicationId === WHARF_APPLICATION_ID) return;
  if (applicationId === 0 && tables === 0 && version === 0) return;
  throw new WharfError('STATE_CORRUPT', `${file} is a SQLite database, but not a Wharf state database`, {
    hint: 'Point --data-dir at a Wharf data dir, or move this file aside so Wharf can create its own.',
    details: { file, applicationId },
  });
}
