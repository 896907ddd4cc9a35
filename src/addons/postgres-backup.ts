/**
 * PostgreSQL backups: pg_dump in custom format, with per-table row counts taken in the SAME
 * snapshot as the dump. A REPEATABLE READ transaction exports its snapshot
 * (pg_export_snapshot, docs §9.27.5), counts every table in it, and pg_dump joins it with
 * --snapshot while the transaction stays open, so the counts describe exactly the dump.
 */
import type pg from 'pg';
import type { AdminEndpoint } from './endpoint.js';
import { withPg } from './postgres-admin.js';
import { runTool } from './server-process.js';

export interface PgTools {
  pgDump: string;
  pgRestore: string;
}

/** Dumps `database` (as `as`, who must be able to read all of it) to `file`; resolves the row counts. */
export async function dumpPostgres(as: AdminEndpoint, database: string, file: string, tools: PgTools): Promise<Record<string, number>> {
  return withPg(
    as,
    async (c) => {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await c.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot');
      const counts = await countRows(c);
      await runTool(tools.pgDump, ['--format=custom', `--snapshot=${rows[0]!.snapshot}`, '--no-password', '-h', as.host, '-p', String(as.port), '-U', as.user, '-d', database, '-f', file], {
        env: { PGPASSWORD: as.password },
      });
      await c.query('COMMIT');
      return counts;
    },
    database,
  );
}

/** Restores `file` into the existing, empty `database`, as `as`; objects are owned by `as` (no owner or grants from the dump). */
export async function restorePostgres(as: AdminEndpoint, database: string, file: string, tools: PgTools): Promise<void> {
  await runTool(tools.pgRestore, ['--no-owner', '--no-acl', '--exit-on-error', '--single-transaction', '--no-password', '-h', as.host, '-p', String(as.port), '-U', as.user, '-d', database, file], {
    env: { PGPASSWORD: as.password },
  });
}

/** Rows per ordinary table (`schema.table`), system schemas excepted. */
export async function countRows(c: pg.Client): Promise<Record<string, number>> {
  const tables = await c.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
     ORDER BY 1, 2`,
  );
  const counts: Record<string, number> = {};
  for (const t of tables.rows) {
    const { rows } = await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${c.escapeIdentifier(t.schema)}.${c.escapeIdentifier(t.name)}`);
    counts[`${t.schema}.${t.name}`] = Number(rows[0]!.n);
  }
  return counts;
}

export async function countDatabase(as: AdminEndpoint, database: string): Promise<Record<string, number>> {
  return withPg(as, countRows, database);
}

export async function createDatabase(admin: AdminEndpoint, name: string, owner?: string): Promise<void> {
  await withPg(admin, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}${owner ? ` OWNER ${c.escapeIdentifier(owner)}` : ''}`);
  });
}

export async function dropDatabase(admin: AdminEndpoint, name: string): Promise<void> {
  await withPg(admin, async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)));
}

/**
 * Puts the restored database in the add-on's place: the sessions of both are ended, the
 * current one is renamed to `previous` (kept, so a restore never loses data: purge removes
 * it with the rest), and the restored one takes the add-on's name.
 */
export async function swapDatabases(admin: AdminEndpoint, current: string, restored: string, previous: string): Promise<void> {
  await withPg(admin, async (c) => {
    const id = (n: string) => c.escapeIdentifier(n);
    await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()', [[current, restored]]);
    await c.query(`ALTER DATABASE ${id(current)} RENAME TO ${id(previous)}`);
    await c.query(`ALTER DATABASE ${id(restored)} RENAME TO ${id(current)}`);
    for (const db of [previous, current]) await c.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${id(db)} FROM PUBLIC`);
  });
}
