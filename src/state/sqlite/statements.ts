/**
 * The SQL the SQLite store runs, in one place so the queries can be read against the
 * schema (migrations.ts) side by side. `LIMIT -1` means no limit in SQLite.
 *
 * Lists with optional filters get one statement per combination of filters present
 * (`app = @app AND env = @env`), so that SQLite can use the (app, env, …) indexes; a
 * catch-all `(@app IS NULL OR app = @app)` would make it scan. The column names come
 * from `presentFilters`' fixed list, never from the caller.
 */

/** The names in `columns` whose value in `filter` is given, in the order of `columns`. */
export function presentFilters<T extends object>(filter: T, columns: readonly (keyof T & string)[]): string[] {
  return columns.filter((column) => filter[column] !== undefined);
}

/** `a = @a AND b = @b` for the given columns; `1` (true) for none. */
function matching(columns: readonly string[]): string {
  return columns.length === 0 ? '1' : columns.map((column) => `${column} = @${column}`).join(' AND ');
}

export const SQL = {
  insertApp: 'INSERT INTO apps (name, created_at) VALUES (@name, @created_at) ON CONFLICT (name) DO NOTHING',
  getApp: 'SELECT * FROM apps WHERE name = @name',
  listApps: 'SELECT * FROM apps ORDER BY name',

  insertEnvironment: `
    INSERT INTO environments (app, name, from_env, expires_at, created_at)
    VALUES (@app, @name, @from_env, @expires_at, @created_at)
    ON CONFLICT (app, name) DO NOTHING`,
  getEnvironment: 'SELECT * FROM environments WHERE app = @app AND name = @name',
  listEnvironments: 'SELECT * FROM environments WHERE app = @app ORDER BY name',
  deleteEnvironment: 'DELETE FROM environments WHERE app = @app AND name = @name',

  listResources: 'SELECT * FROM resources WHERE app = @app AND env = @env ORDER BY kind, name',
  putResource: `
    INSERT INTO resources (app, env, kind, name, body, applied_at)
    VALUES (@app, @env, @kind, @name, @body, @applied_at)
    ON CONFLICT (app, env, kind, name) DO UPDATE SET body = excluded.body, applied_at = excluded.applied_at`,
  deleteResource: 'DELETE FROM resources WHERE app = @app AND env = @env AND kind = @kind AND name = @name',

  latestRelease: 'SELECT coalesce(max(version), 0) AS latest FROM releases WHERE app = @app AND env = @env',
  insertRelease: `
    INSERT INTO releases
      (app, env, version, build_id, config_version, spec, status, description, reason, created_at, updated_at)
    VALUES (@app, @env, @version, @build_id, @config_version, @spec, 'pending', @description, NULL, @now, @now)`,
  getRelease: 'SELECT * FROM releases WHERE app = @app AND env = @env AND version = @version',
  listReleases: 'SELECT * FROM releases WHERE app = @app AND env = @env ORDER BY version DESC LIMIT @limit',
  // INDEXED BY: without statistics the planner would walk the primary key for the order and
  // read every row's status, which lies after its snapshot (overflow pages).
  listReleasesWithStatus: `
    SELECT * FROM releases INDEXED BY releases_by_status
    WHERE app = @app AND env = @env AND status IN (SELECT value FROM json_each(@statuses))
    ORDER BY version DESC LIMIT @limit`,
  setReleaseStatus: `
    UPDATE releases SET status = @status, reason = @reason, updated_at = @now
    WHERE app = @app AND env = @env AND version = @version`,

  putInstance: `
    INSERT INTO instances
      (id, app, env, service, release, state, pid, pid_start_time, port, restarts, reason, created_at, updated_at)
    VALUES
      (@id, @app, @env, @service, @release, @state, @pid, @pid_start_time, @port, @restarts, @reason, @created_at, @updated_at)
    ON CONFLICT (id) DO UPDATE SET
      app = excluded.app, env = excluded.env, service = excluded.service, release = excluded.release,
      state = excluded.state, pid = excluded.pid, pid_start_time = excluded.pid_start_time,
      port = excluded.port, restarts = excluded.restarts, reason = excluded.reason,
      created_at = excluded.created_at, updated_at = excluded.updated_at`,
  getInstance: 'SELECT * FROM instances WHERE id = @id',
  listInstances: (filters: readonly string[]) =>
    `SELECT * FROM instances WHERE ${matching(filters)} ORDER BY app, env, service, id`,
  deleteInstance: 'DELETE FROM instances WHERE id = @id',

  insertEvent: `
    INSERT INTO events (time, app, env, service, kind, message, data)
    VALUES (@time, @app, @env, @service, @kind, @message, @data)`,
  getEvent: 'SELECT * FROM events WHERE id = @id',
  /** Resuming: the first `limit` events after the client's last id, so none is skipped. */
  listEventsAfter: (filters: readonly string[]) =>
    `SELECT * FROM events WHERE ${matching(filters)} AND id > @after_id ORDER BY id LIMIT @limit`,
  /** The tail: the most recent `limit` events, turned oldest first. */
  listEventsLatest: (filters: readonly string[]) =>
    `SELECT * FROM (SELECT * FROM events WHERE ${matching(filters)} ORDER BY id DESC LIMIT @limit) ORDER BY id`,

  insertAudit: `
    INSERT INTO audit (time, actor, client, operation, app, env, outcome, details)
    VALUES (@time, @actor, @client, @operation, @app, @env, @outcome, @details)`,
  getAudit: 'SELECT * FROM audit WHERE id = @id',
  listAudit: (filters: readonly string[]) =>
    `SELECT * FROM (SELECT * FROM audit WHERE ${matching(filters)} ORDER BY id DESC LIMIT @limit) ORDER BY id`,

  latestConfigVersion: 'SELECT coalesce(max(version), 0) AS latest FROM config_versions WHERE app = @app AND env = @env',
  insertConfigVersion: `
    INSERT INTO config_versions (app, env, version, description, created_at)
    VALUES (@app, @env, @version, @description, @created_at)`,
  insertConfigValue: `
    INSERT INTO config_values (app, env, version, name, value, key_id, nonce, ciphertext, digest)
    VALUES (@app, @env, @version, @name, @value, @key_id, @nonce, @ciphertext, @digest)`,
  getConfigVersion: 'SELECT * FROM config_versions WHERE app = @app AND env = @env AND version = @version',
  listConfigVersions: 'SELECT * FROM config_versions WHERE app = @app AND env = @env ORDER BY version DESC LIMIT @limit',
  listConfigValues: 'SELECT * FROM config_values WHERE app = @app AND env = @env AND version = @version ORDER BY name',
  listSealedValues: 'SELECT * FROM config_values WHERE key_id IS NOT NULL ORDER BY app, env, version, name',
  resealValue: `
    UPDATE config_values SET key_id = @key_id, nonce = @nonce, ciphertext = @ciphertext
    WHERE app = @app AND env = @env AND version = @version AND name = @name AND key_id IS NOT NULL`,
  countSealedUnderOtherKeys: 'SELECT count(*) AS n FROM config_values WHERE key_id IS NOT NULL AND key_id <> @key_id',

  getLock: 'SELECT * FROM locks WHERE scope = @scope',
  insertLock: `
    INSERT INTO locks (scope, token, holder, operation, pid, hostname, acquired_at)
    VALUES (@scope, @token, @holder, @operation, @pid, @hostname, @acquired_at)`,
  releaseLock: 'DELETE FROM locks WHERE scope = @scope AND token = @token',
  forceReleaseLock: 'DELETE FROM locks WHERE scope = @scope',
} as const;
