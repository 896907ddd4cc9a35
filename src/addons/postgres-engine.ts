import { WharfError } from '../errors.js';
import { countDifferences } from './backup-files.js';
import { connectionUrl, type AdminEndpoint } from './endpoint.js';
import type { AddonEngine, Location, OpenConnection } from './engine.js';
import { postgresName, scratchDatabase, type AddonAddress } from './names.js';
import { detachPostgres, provisionPostgres, purgePostgres, withPg, type PgStep } from './postgres-admin.js';
import { countDatabase, createDatabase, dropDatabase, dumpPostgres, restorePostgres, swapDatabases, type PgTools } from './postgres-backup.js';

/** PostgreSQL add-ons: a database and a role of the same name (names.ts). */
export class PostgresEngine implements AddonEngine {
  readonly type = 'postgres' as const;

  constructor(private readonly tools: PgTools) {}

  locate(a: AddonAddress, server: AdminEndpoint) {
    const name = postgresName(a);
    return { host: server.host, port: server.port, user: name, database: name };
  }

  version(admin: AdminEndpoint): Promise<string> {
    return withPg(admin, async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v.split(' ')[0]!);
  }

  provision(admin: AdminEndpoint, conn: OpenConnection, afterStep?: (step: PgStep) => Promise<void>): Promise<void> {
    return provisionPostgres(admin, conn.user, conn.password, afterStep);
  }

  detach(admin: AdminEndpoint, conn: Location): Promise<void> {
    return detachPostgres(admin, conn.user);
  }

  purge(admin: AdminEndpoint, conn: Location): Promise<void> {
    return purgePostgres(admin, conn.user);
  }

  vars(conn: OpenConnection) {
    return { url: connectionUrl('postgres', conn, database(conn)), extra: {} };
  }

  /** Attached: as the add-on's own role (it owns everything, and an external admin may not read it); detached: as the admin. */
  dump(admin: AdminEndpoint, conn: OpenConnection, attached: boolean, file: string): Promise<Record<string, number>> {
    return dumpPostgres(attached ? { ...conn, database: database(conn) } : admin, database(conn), file, this.tools);
  }

  async scratchCounts(admin: AdminEndpoint, conn: Location, file: string, id: string): Promise<Record<string, number>> {
    const scratch = scratchDatabase(database(conn), 'verify', id);
    await createDatabase(admin, scratch);
    try {
      await restorePostgres(admin, scratch, file, this.tools);
      return await countDatabase(admin, scratch);
    } finally {
      await dropDatabase(admin, scratch);
    }
  }

  /**
   * Restores into a new database owned by the role (as the role, so it owns what is
   * restored), checks its counts, then swaps it in; the replaced database is kept renamed.
   */
  async restore(admin: AdminEndpoint, conn: OpenConnection, file: string, id: string, expected: Record<string, number>): Promise<{ kept?: string }> {
    const db = database(conn);
    const restored = scratchDatabase(db, 'restore', id);
    await createDatabase(admin, restored, conn.user);
    try {
      await restorePostgres({ ...conn, database: restored }, restored, file, this.tools);
      const differences = countDifferences(expected, await countDatabase(admin, restored));
      if (differences.length) throw new WharfError('BACKUP_VERIFY_FAILED', `backup ${id} did not restore as recorded: ${differences.join('; ')}`);
    } catch (e) {
      await dropDatabase(admin, restored);
      throw e;
    }
    const kept = scratchDatabase(db, 'before', `${Date.now().toString(36)}`);
    await swapDatabases(admin, db, restored, kept);
    return { kept };
  }
}

function database(conn: Pick<Location, 'database'>): string {
  if (!conn.database) throw new WharfError('STATE_CORRUPT', 'a PostgreSQL add-on record has no database name');
  return conn.database;
}
