/**
 * What Wharf does on a PostgreSQL server for an add-on: a role with a password and a
 * database it owns, made idempotently (each step checks before it creates, and a
 * concurrent creator's "already exists" counts as done), so a retry after any failure
 * picks up where the last attempt stopped. Also the detach and purge of both.
 */
import pg from 'pg';
import { WharfError } from '../errors.js';
import type { AdminEndpoint } from './endpoint.js';

// SQLSTATEs (PostgreSQL docs, Appendix A): duplicate_object, duplicate_database.
const ALREADY_EXISTS = new Set(['42710', '42P04']);
const CONNECT_TIMEOUT_MS = 10_000;

export type PgStep = 'role' | 'database' | 'grants';

/** Connects as `endpoint` (to `database`, else the endpoint's own), runs `fn`, and always disconnects. */
export async function withPg<T>(endpoint: AdminEndpoint, fn: (c: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const { host, port, user, password } = endpoint;
  const db = database ?? endpoint.database ?? 'postgres';
  const client = new pg.Client({ host, port, user, password, database: db, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An 'error' event (the server went away while idle) must not crash the daemon; the query that needed it fails instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await fn(client);
  } catch (e) {
    throw pgFailure(e, `PostgreSQL at ${host}:${port}/${db}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The role (LOGIN, with `password`) and the database it owns; CONNECT taken from PUBLIC so
 * other add-ons' roles on the same server cannot even connect to it. `afterStep` lets a
 * test stop the server between steps.
 */
export async function provisionPostgres(admin: AdminEndpoint, name: string, password: string, afterStep?: (step: PgStep) => Promise<void>): Promise<void> {
  await withPg(admin, async (c) => {
    const role = c.escapeIdentifier(name);
    const exists = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
    if (exists.rowCount === 0) await ignoreExisting(c.query(`CREATE ROLE ${role} LOGIN PASSWORD ${c.escapeLiteral(password)}`));
    // A role left by an earlier attempt, or detached, gets its login and password (back).
    await c.query(`ALTER ROLE ${role} LOGIN PASSWORD ${c.escapeLiteral(password)}`);
    await afterStep?.('role');
    const db = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    // CREATE DATABASE cannot run inside a transaction block, so it is its own statement.
    if (db.rowCount === 0) await ignoreExisting(c.query(`CREATE DATABASE ${role} OWNER ${role}`));
    await afterStep?.('database');
    await c.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${role} FROM PUBLIC`);
    await c.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${role} TO ${role}`);
    await afterStep?.('grants');
  });
}

/** Login off and the role's sessions ended; the database and its data stay. */
export async function detachPostgres(admin: AdminEndpoint, name: string): Promise<void> {
  await withPg(admin, async (c) => {
    if ((await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount === 0) return;
    await c.query(`ALTER ROLE ${c.escapeIdentifier(name)} NOLOGIN`);
    await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [name]);
  });
}

/** Drops every database the role owns (its own, and any left by an interrupted restore), then the role. */
export async function purgePostgres(admin: AdminEndpoint, name: string): Promise<void> {
  await withPg(admin, async (c) => {
    const owned = await c.query<{ datname: string }>('SELECT datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = $1', [name]);
    for (const { datname } of owned.rows) await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(datname)} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(name)}`);
  });
}

export async function databaseExists(admin: AdminEndpoint, name: string): Promise<boolean> {
  return withPg(admin, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
}

async function ignoreExisting(query: Promise<unknown>): Promise<void> {
  try {
    await query;
  } catch (e) {
    if (!ALREADY_EXISTS.has((e as { code?: string }).code ?? '')) throw e;
  }
}

/**
 * A failure talking to PostgreSQL as a WharfError: TARGET_FAILED, with a hint to retry when
 * the server went away (connection refused or reset, or an admin shutdown: SQLSTATE 57P01).
 */
export function pgFailure(e: unknown, where: string): WharfError {
  if (e instanceof WharfError) return e;
  const code = (e as { code?: string }).code ?? '';
  const message = e instanceof Error ? e.message : String(e);
  const gone = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03'].includes(code) || /terminated|not queryable|connection error|timeout/i.test(message);
  return new WharfError('TARGET_FAILED', `${where}: ${message}`, {
    ...(gone ? { hint: 'The server went away; once it runs again, retry (provisioning picks up where it stopped).' } : {}),
    details: { code },
    cause: e,
  });
}
