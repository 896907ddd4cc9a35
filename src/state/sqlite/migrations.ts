import type BetterSqlite3 from 'better-sqlite3';
import { WharfError } from '../../errors.js';

/**
 * The SQLite schema, as an ordered list of numbered steps.
 *
 * The schema version lives in the database header (`PRAGMA user_version`), so it is read
 * and written in the same transaction as the step it records: a step is applied entirely
 * or not at all, and never twice. The list is append-only: a released step is never
 * edited, a change is a new step. Later issues add their tables here as steps 3, 4 …
 * (add-ons, builds) when the code that uses them lands.
 *
 * Conventions: STRICT tables (a wrong type is an error, not a silent coercion), times in
 * milliseconds since the epoch as INTEGER, JSON bodies as TEXT so that they round-trip
 * byte for byte (key order included). Closed vocabularies (resource kinds, release
 * statuses) are not CHECK constraints: they grow with Wharf, SQLite cannot alter a CHECK
 * without rebuilding the table, and types.ts already owns them.
 */
export interface Migration {
  /** 1, 2, 3 … in order, no gaps. */
  version: number;
  name: string;
  sql: string;
}

/** `PRAGMA application_id` of a Wharf state file ("WHRF"), so a foreign SQLite file is refused. */
export const WHARF_APPLICATION_ID = 0x57485246;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'apps, environments, resources, releases, instances, events, audit, locks',
    sql: `
      PRAGMA application_id = ${WHARF_APPLICATION_ID};

      CREATE TABLE apps (
        name TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE environments (
        app TEXT NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
        name TEXT NOT NULL,
        from_env TEXT,
        expires_at INTEGER,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (app, name)
      ) STRICT;

      CREATE TABLE resources (
        app TEXT NOT NULL,
        env TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        applied_at INTEGER NOT NULL,
        PRIMARY KEY (app, env, kind, name),
        FOREIGN KEY (app, env) REFERENCES environments (app, name) ON DELETE CASCADE
      ) STRICT;

      CREATE TABLE releases (
        app TEXT NOT NULL,
        env TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version > 0),
        build_id TEXT NOT NULL,
        config_version INTEGER NOT NULL,
        spec TEXT NOT NULL,
        status TEXT NOT NULL,
        description TEXT NOT NULL,
        reason TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (app, env, version),
        FOREIGN KEY (app, env) REFERENCES environments (app, name) ON DELETE CASCADE
      ) STRICT;

      CREATE TABLE instances (
        id TEXT PRIMARY KEY,
        app TEXT NOT NULL,
        env TEXT NOT NULL,
        service TEXT NOT NULL,
        release INTEGER NOT NULL,
        state TEXT NOT NULL,
        pid INTEGER,
        pid_start_time INTEGER,
        port INTEGER,
        restarts INTEGER NOT NULL,
        reason TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        FOREIGN KEY (app, env) REFERENCES environments (app, name) ON DELETE CASCADE
      ) STRICT;
      CREATE INDEX instances_by_service ON instances (app, env, service, id);

      -- AUTOINCREMENT: ids are never reused, even after old events are pruned, so a client
      -- resuming a stream from its last id can never be handed a different event.
      -- No foreign key: the timeline and the audit trail outlive the environments they tell of.
      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time INTEGER NOT NULL,
        app TEXT NOT NULL,
        env TEXT,
        service TEXT,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        data TEXT
      ) STRICT;
      CREATE INDEX events_by_env ON events (app, env, id);

      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time INTEGER NOT NULL,
        actor TEXT NOT NULL,
        client TEXT NOT NULL,
        operation TEXT NOT NULL,
        app TEXT,
        env TEXT,
        outcome TEXT NOT NULL,
        details TEXT
      ) STRICT;
      CREATE INDEX audit_by_env ON audit (app, env, id);

      CREATE TABLE locks (
        scope TEXT PRIMARY KEY,
        token TEXT NOT NULL,
        holder TEXT NOT NULL,
        operation TEXT NOT NULL,
        pid INTEGER NOT NULL,
        hostname TEXT NOT NULL,
        acquired_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'config versions',
    // A version is written whole (every entry copied), so a release's configVersion names
    // exactly the config it ran with. A secret has no plain value column to leak into:
    // only its ciphertext, nonce, key id and keyed digest (src/config/).
    sql: `
      CREATE TABLE config_versions (
        app TEXT NOT NULL,
        env TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version > 0),
        description TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (app, env, version),
        FOREIGN KEY (app, env) REFERENCES environments (app, name) ON DELETE CASCADE
      ) STRICT;

      CREATE TABLE config_values (
        app TEXT NOT NULL,
        env TEXT NOT NULL,
        version INTEGER NOT NULL,
        name TEXT NOT NULL,
        value TEXT,
        key_id TEXT,
        nonce TEXT,
        ciphertext TEXT,
        digest TEXT,
        PRIMARY KEY (app, env, version, name),
        FOREIGN KEY (app, env, version) REFERENCES config_versions (app, env, version) ON DELETE CASCADE,
        -- exactly one of: a plain value, or a sealed one with all of its parts
        CHECK ((value IS NOT NULL AND key_id IS NULL AND nonce IS NULL AND ciphertext IS NULL AND digest IS NULL)
            OR (value IS NULL AND key_id IS NOT NULL AND nonce IS NOT NULL AND ciphertext IS NOT NULL AND digest IS NOT NULL))
      ) STRICT;
      CREATE INDEX config_values_by_key ON config_values (key_id);
    `,
  },
  {
    version: 3,
    name: 'add-ons and their backups',
    sql: `
      -- No foreign key to environments: an add-on's data outlives the environment's records
      -- until it is purged, and its record is how Wharf finds that data again.
      CREATE TABLE addons (
        app TEXT NOT NULL,
        env TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        mode TEXT NOT NULL,
        state TEXT NOT NULL,
        connection TEXT NOT NULL,
        admin_url_from TEXT,
        reason TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (app, env, name)
      ) STRICT;

      CREATE TABLE backups (
        id TEXT PRIMARY KEY,
        app TEXT NOT NULL,
        env TEXT NOT NULL,
        addon TEXT NOT NULL,
        type TEXT NOT NULL,
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        counts TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        verification TEXT
      ) STRICT;
      CREATE INDEX backups_by_addon ON backups (app, env, addon, created_at);
    `,
  },
  {
    version: 4,
    name: 'releases by status',
    sql: `
      -- The live release, and those deploying, are read on every router table push and
      -- every warm-reaper sweep: found through this index, without reading the snapshots
      -- of the whole history (a snapshot is the row's bulk and lies before its status).
      CREATE INDEX releases_by_status ON releases (app, env, status, version);
    `,
  },
];

export interface MigrationResult {
  /** Schema version found before migrating. */
  from: number;
  /** Schema version after migrating. */
  to: number;
  /** Versions applied by this call, in order. */
  applied: number[];
}

/**
 * Brings the database to the newest version in `migrations`, one transaction per step.
 *
 * Each step re-reads the version inside its own BEGIN IMMEDIATE transaction, so two
 * processes opening a fresh file at once apply every step exactly once between them.
 * A database newer than the code is refused untouched: an older Wharf must not write to
 * a schema it does not understand.
 */
export function migrate(
  db: BetterSqlite3.Database,
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
): MigrationResult {
  checkOrder(migrations);
  const latest = migrations.length;
  const from = schemaVersion(db);
  refuseNewer(from, latest, file);
  const applied: number[] = [];
  for (const step of migrations) {
    const ran = db
      .transaction(() => {
        const current = schemaVersion(db);
        refuseNewer(current, latest, file);
        if (current >= step.version) return false;
        db.exec(step.sql);
        db.pragma(`user_version = ${step.version}`);
        return true;
      })
      .immediate();
    if (ran) applied.push(step.version);
  }
  return { from, to: schemaVersion(db), applied };
}

export function schemaVersion(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Throws STATE_TOO_NEW when the file's schema is ahead of `migrations`; reads only. */
export function refuseNewerSchema(db: BetterSqlite3.Database, file: string, migrations: readonly Migration[] = MIGRATIONS): void {
  refuseNewer(schemaVersion(db), migrations.length, file);
}

function refuseNewer(found: number, latest: number, file: string): void {
  if (found <= latest) return;
  throw new WharfError(
    'STATE_TOO_NEW',
    `the state database ${file} has schema version ${found}; this Wharf knows versions up to ${latest}`,
    {
      hint: 'A newer Wharf wrote this file. Run that version (or newer), or point --data-dir elsewhere; this Wharf will not write to it.',
      details: { file, schemaVersion: found, supportedVersion: latest },
    },
  );
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((step, index) => {
    if (step.version !== index + 1) {
      throw new WharfError(
        'INTERNAL',
        `migration "${step.name}" has version ${step.version}; expected ${index + 1} (versions run 1, 2, 3 … without gaps)`,
      );
    }
  });
}
