import type BetterSqlite3 from 'better-sqlite3';
import { WharfError } from '../../errors.js';
import type { AuditQuery, EventQuery, LockResult, NewConfigVersion, NewRelease, Store } from '../store.js';
import type {
  AddonRecord,
  AppRecord,
  BackupRecord,
  AuditRecord,
  ChangeSet,
  ConfigVersionRecord,
  EnvironmentRecord,
  EventRecord,
  InstanceRecord,
  LockRecord,
  NewAudit,
  NewEvent,
  ReleaseRecord,
  ReleaseStatus,
  ResourceRecord,
  SealedEntryRef,
} from '../types.js';
import { openDatabase, translateSqliteError, type OpenDatabaseOptions } from './open-database.js';
import * as params from './params.js';
import * as rows from './rows.js';
import { SQL, presentFilters } from './statements.js';
import { ADDON_SQL, addonParams, addonRecord, backupParams, backupRecord } from './addon-statements.js';

/**
 * The embedded Store: one SQLite file in the data dir (see open-database.ts for the
 * connection settings and why).
 *
 * better-sqlite3 is synchronous, so each method runs to completion before any other
 * JavaScript does: calls from one process never interleave. Every write that reads
 * before it writes (numbering a release, taking a lock) or touches several records runs
 * in one BEGIN IMMEDIATE transaction, which takes SQLite's write lock up front, so
 * several processes on the same file are serialised too.
 */
export class SqliteStore implements Store {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  private constructor(
    private readonly db: BetterSqlite3.Database,
    /** The state file, named in errors. */
    readonly file: string,
  ) {}

  /** Opens or creates the state file at `file`, migrating it to the current schema. */
  static open(file: string, options: OpenDatabaseOptions = {}): SqliteStore {
    return new SqliteStore(openDatabase(file, options), file);
  }

  async ensureApp(name: string, now: number): Promise<AppRecord> {
    return this.write(() => {
      this.stmt(SQL.insertApp).run({ name, created_at: now });
      return rows.appRecord(this.stmt(SQL.getApp).get({ name }) as rows.AppRow);
    });
  }

  async getApp(name: string): Promise<AppRecord | undefined> {
    return this.read(() => this.one(SQL.getApp, { name }, rows.appRecord));
  }

  async listApps(): Promise<AppRecord[]> {
    return this.read(() => this.all(SQL.listApps, {}, rows.appRecord));
  }

  async ensureEnvironment(env: EnvironmentRecord): Promise<EnvironmentRecord> {
    return this.write(() => {
      if (this.stmt(SQL.getApp).get({ name: env.app }) === undefined) {
        throw new WharfError('APP_NOT_FOUND', `app "${env.app}" is not recorded, so environment "${env.name}" cannot be`, {
          hint: 'Record the app first (ensureApp).',
        });
      }
      this.stmt(SQL.insertEnvironment).run(params.environmentParams(env));
      return this.requireEnvironment(env.app, env.name);
    });
  }

  async getEnvironment(app: string, env: string): Promise<EnvironmentRecord | undefined> {
    return this.read(() => this.one(SQL.getEnvironment, { app, name: env }, rows.environmentRecord));
  }

  async listEnvironments(app: string): Promise<EnvironmentRecord[]> {
    return this.read(() => this.all(SQL.listEnvironments, { app }, rows.environmentRecord));
  }

  async destroyEnvironment(app: string, env: string): Promise<void> {
    // The foreign keys cascade to resources, releases and instances in the same statement.
    return this.write(() => void this.stmt(SQL.deleteEnvironment).run({ app, name: env }));
  }

  async listResources(app: string, env: string): Promise<ResourceRecord[]> {
    return this.read(() => this.all(SQL.listResources, { app, env }, rows.resourceRecord));
  }

  async commit(change: ChangeSet): Promise<void> {
    return this.write(() => this.applyChange(change));
  }

  async createRelease(release: NewRelease, now: number): Promise<ReleaseRecord> {
    return this.write(() => {
      this.requireEnvironment(release.app, release.env);
      const key = { app: release.app, env: release.env };
      const { latest } = this.stmt(SQL.latestRelease).get(key) as { latest: number };
      this.stmt(SQL.insertRelease).run({
        ...key,
        version: latest + 1,
        build_id: release.buildId,
        config_version: release.configVersion,
        spec: params.requiredJson(release.spec, `the spec of the new release of ${release.app}/${release.env}`),
        description: release.description,
        now,
      });
      return rows.releaseRecord(this.stmt(SQL.getRelease).get({ ...key, version: latest + 1 }) as rows.ReleaseRow);
    });
  }

  async getRelease(app: string, env: string, version: number): Promise<ReleaseRecord | undefined> {
    return this.read(() => this.one(SQL.getRelease, { app, env, version }, rows.releaseRecord));
  }

  async listReleases(app: string, env: string, limit?: number): Promise<ReleaseRecord[]> {
    return this.read(() => this.all(SQL.listReleases, { app, env, limit: limit ?? -1 }, rows.releaseRecord));
  }

  async listReleasesWithStatus(app: string, env: string, statuses: readonly ReleaseStatus[], limit?: number): Promise<ReleaseRecord[]> {
    return this.read(() => this.all(SQL.listReleasesWithStatus, { app, env, statuses: JSON.stringify(statuses), limit: limit ?? -1 }, rows.releaseRecord));
  }

  async setReleaseStatus(
    app: string,
    env: string,
    version: number,
    status: ReleaseStatus,
    reason: string | undefined,
    now: number,
  ): Promise<void> {
    return this.write(() => {
      const { changes } = this.stmt(SQL.setReleaseStatus).run({ app, env, version, status, reason: params.orNull(reason), now });
      if (changes === 0) {
        throw new WharfError('NOT_FOUND', `release v${version} of ${app}/${env} is not recorded`, {
          hint: `List the releases with \`wharf releases -e ${env}\`.`,
        });
      }
    });
  }

  async putConfigVersion(config: NewConfigVersion, now: number, change: ChangeSet = {}): Promise<ConfigVersionRecord> {
    return this.write(() => {
      this.requireEnvironment(config.app, config.env);
      const names = new Set<string>();
      for (const entry of config.entries) {
        if (names.has(entry.name)) throw new WharfError('BAD_REQUEST', `config of ${config.app}/${config.env}: ${entry.name} is given twice`);
        names.add(entry.name);
      }
      const key = { app: config.app, env: config.env };
      const { latest } = this.stmt(SQL.latestConfigVersion).get(key) as { latest: number };
      const version = latest + 1;
      this.stmt(SQL.insertConfigVersion).run({ ...key, version, description: config.description, created_at: now });
      for (const entry of config.entries) this.stmt(SQL.insertConfigValue).run(params.configValueParams({ ...key, version }, entry));
      this.applyChange(change);
      return this.configVersion(config.app, config.env, version)!;
    });
  }

  async getConfig(app: string, env: string, version?: number): Promise<ConfigVersionRecord | undefined> {
    return this.read(() => {
      const wanted = version ?? (this.stmt(SQL.latestConfigVersion).get({ app, env }) as { latest: number }).latest;
      return this.configVersion(app, env, wanted);
    });
  }

  async listConfigVersions(app: string, env: string, limit?: number): Promise<ConfigVersionRecord[]> {
    return this.read(() =>
      (this.stmt(SQL.listConfigVersions).all({ app, env, limit: limit ?? -1 }) as rows.ConfigVersionRow[]).map((row) => this.configVersion(app, env, row.version)!),
    );
  }

  async listSealedValues(): Promise<SealedEntryRef[]> {
    return this.read(() => this.all(SQL.listSealedValues, {}, rows.sealedEntryRef));
  }

  async resealValues(keyId: string, values: SealedEntryRef[], change: ChangeSet = {}): Promise<void> {
    return this.write(() => {
      for (const v of values) {
        const { changes } = this.stmt(SQL.resealValue).run({ app: v.app, env: v.env, version: v.version, name: v.name, key_id: v.sealed.keyId, nonce: v.sealed.nonce, ciphertext: v.sealed.ciphertext });
        if (changes === 0) throw new WharfError('NOT_FOUND', `no sealed config value ${v.name} in version ${v.version} of ${v.app}/${v.env}`);
      }
      const { n } = this.stmt(SQL.countSealedUnderOtherKeys).get({ key_id: keyId }) as { n: number };
      if (n > 0) {
        // Throwing rolls the transaction back: nothing is re-encrypted unless everything is.
        throw new WharfError('CONFLICT', `${n} sealed config value${n === 1 ? ' is' : 's are'} still under another key than ${keyId}`, {
          hint: 'a config change happened during the rotation; run `wharf secrets rotate-key` again',
        });
      }
      this.applyChange(change);
    });
  }

  async putInstance(instance: InstanceRecord): Promise<void> {
    return this.write(() => {
      this.requireEnvironment(instance.app, instance.env);
      this.stmt(SQL.putInstance).run(params.instanceParams(instance));
    });
  }

  async getInstance(id: string): Promise<InstanceRecord | undefined> {
    return this.read(() => this.one(SQL.getInstance, { id }, rows.instanceRecord));
  }

  async listInstances(filter: { app?: string; env?: string; service?: string } = {}): Promise<InstanceRecord[]> {
    const sql = SQL.listInstances(presentFilters(filter, ['app', 'env', 'service']));
    return this.read(() => this.all(sql, filter, rows.instanceRecord));
  }

  async deleteInstance(id: string): Promise<void> {
    return this.write(() => void this.stmt(SQL.deleteInstance).run({ id }));
  }

  async appendEvent(event: NewEvent): Promise<EventRecord> {
    return this.write(() => rows.eventRecord(this.stmt(SQL.getEvent).get({ id: this.insertEvent(event) }) as rows.EventRow));
  }

  async listEvents(query: EventQuery = {}): Promise<EventRecord[]> {
    const filters = presentFilters(query, ['app', 'env']);
    const values = { app: query.app, env: query.env, after_id: query.afterId, limit: query.limit ?? -1 };
    const sql = query.afterId === undefined ? SQL.listEventsLatest(filters) : SQL.listEventsAfter(filters);
    return this.read(() => this.all(sql, values, rows.eventRecord));
  }

  async appendAudit(entry: NewAudit): Promise<AuditRecord> {
    return this.write(() => rows.auditRecord(this.stmt(SQL.getAudit).get({ id: this.insertAudit(entry) }) as rows.AuditRow));
  }

  async listAudit(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const values = { app: query.app, env: query.env, limit: query.limit ?? -1 };
    return this.read(() => this.all(SQL.listAudit(presentFilters(query, ['app', 'env'])), values, rows.auditRecord));
  }

  async acquireLock(lock: LockRecord): Promise<LockResult> {
    return this.write((): LockResult => {
      const held = this.stmt(SQL.getLock).get({ scope: lock.scope }) as rows.LockRow | undefined;
      if (held !== undefined) return { acquired: false, heldBy: rows.lockRecord(held) };
      this.stmt(SQL.insertLock).run(params.lockParams(lock));
      return { acquired: true, lock: { ...lock } };
    });
  }

  async releaseLock(scope: string, token: string): Promise<boolean> {
    return this.write(() => this.stmt(SQL.releaseLock).run({ scope, token }).changes > 0);
  }

  async getLock(scope: string): Promise<LockRecord | undefined> {
    return this.read(() => this.one(SQL.getLock, { scope }, rows.lockRecord));
  }

  async forceReleaseLock(scope: string): Promise<LockRecord | undefined> {
    return this.write(() => {
      const held = this.one(SQL.getLock, { scope }, rows.lockRecord);
      this.stmt(SQL.forceReleaseLock).run({ scope });
      return held;
    });
  }

  async putAddon(addon: AddonRecord): Promise<void> {
    return this.write(() => {
      this.requireEnvironment(addon.app, addon.env);
      this.stmt(ADDON_SQL.putAddon).run(addonParams(addon));
    });
  }

  async getAddon(app: string, env: string, name: string): Promise<AddonRecord | undefined> {
    return this.read(() => this.one(ADDON_SQL.getAddon, { app, env, name }, addonRecord));
  }

  async listAddons(filter: { app?: string; env?: string } = {}): Promise<AddonRecord[]> {
    return this.read(() => this.all(ADDON_SQL.listAddons(presentFilters(filter, ['app', 'env'])), filter, addonRecord));
  }

  async deleteAddon(app: string, env: string, name: string): Promise<void> {
    return this.write(() => void this.stmt(ADDON_SQL.deleteAddon).run({ app, env, name }));
  }

  async putBackup(backup: BackupRecord): Promise<void> {
    return this.write(() => void this.stmt(ADDON_SQL.putBackup).run(backupParams(backup)));
  }

  async getBackup(id: string): Promise<BackupRecord | undefined> {
    return this.read(() => this.one(ADDON_SQL.getBackup, { id }, backupRecord));
  }

  async listBackups(app: string, env: string, addon: string): Promise<BackupRecord[]> {
    return this.read(() => this.all(ADDON_SQL.listBackups, { app, env, addon }, backupRecord));
  }

  /** The connection's settings as SQLite reports them, for `wharf doctor` and the tests. */
  settings(): { journalMode: string; synchronous: string; foreignKeys: boolean; busyTimeoutMs: number; schemaVersion: number } {
    const pragma = (name: string) => this.db.pragma(name, { simple: true });
    return {
      journalMode: String(pragma('journal_mode')),
      // SQLite answers 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
      synchronous: ['OFF', 'NORMAL', 'FULL', 'EXTRA'][pragma('synchronous') as number] ?? 'UNKNOWN',
      foreignKeys: pragma('foreign_keys') === 1,
      busyTimeoutMs: pragma('busy_timeout') as number,
      schemaVersion: pragma('user_version') as number,
    };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The statements of a change set, inside the caller's transaction. */
  private applyChange(change: ChangeSet): void {
    for (const key of change.deleteResources ?? []) this.stmt(SQL.deleteResource).run(key);
    for (const resource of change.putResources ?? []) {
      this.requireEnvironment(resource.app, resource.env);
      this.stmt(SQL.putResource).run(params.resourceParams(resource));
    }
    for (const event of change.events ?? []) this.insertEvent(event);
    for (const entry of change.audit ?? []) this.insertAudit(entry);
  }

  private configVersion(app: string, env: string, version: number): ConfigVersionRecord | undefined {
    const row = this.stmt(SQL.getConfigVersion).get({ app, env, version }) as rows.ConfigVersionRow | undefined;
    if (row === undefined) return undefined;
    return rows.configVersionRecord(row, this.all(SQL.listConfigValues, { app, env, version }, rows.configEntry));
  }

  private insertEvent(event: NewEvent): number {
    const { lastInsertRowid } = this.stmt(SQL.insertEvent).run(params.eventParams(event));
    return Number(lastInsertRowid);
  }

  private insertAudit(entry: NewAudit): number {
    const { lastInsertRowid } = this.stmt(SQL.insertAudit).run(params.auditParams(entry));
    return Number(lastInsertRowid);
  }

  /** The environment, or ENV_NOT_FOUND; records of an unknown environment are refused by name. */
  private requireEnvironment(app: string, env: string): EnvironmentRecord {
    const found = this.one(SQL.getEnvironment, { app, name: env }, rows.environmentRecord);
    if (found === undefined) {
      throw new WharfError('ENV_NOT_FOUND', `environment "${env}" of app "${app}" is not recorded`, {
        hint: `Create it first: \`wharf apply -e ${env}\` records the environment it applies.`,
        details: { app, env },
      });
    }
    return found;
  }

  private stmt(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private one<Row, T>(sql: string, values: object, map: (row: Row) => T): T | undefined {
    const row = this.stmt(sql).get(values) as Row | undefined;
    return row === undefined ? undefined : map(row);
  }

  private all<Row, T>(sql: string, values: object, map: (row: Row) => T): T[] {
    return (this.stmt(sql).all(values) as Row[]).map(map);
  }

  /** Runs `fn` in one BEGIN IMMEDIATE transaction: all of its writes are recorded, or none. */
  private async write<T>(fn: () => T): Promise<T> {
    return this.read(() => this.db.transaction(fn).immediate());
  }

  /** Runs `fn`, naming the file in errors that say it is damaged or unreadable. */
  private async read<T>(fn: () => T): Promise<T> {
    try {
      return fn();
    } catch (e) {
      throw translateSqliteError(e, this.file);
    }
  }
}
