import type {
  AddonRecord,
  AppRecord,
  BackupRecord,
  AuditRecord,
  ChangeSet,
  ConfigEntry,
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
} from './types.js';

export type LockResult = { acquired: true; lock: LockRecord } | { acquired: false; heldBy: LockRecord };

export interface EventQuery {
  app?: string;
  env?: string;
  /** Only events with an id greater than this (resume a stream). */
  afterId?: number;
  /**
   * Without `afterId`: the most recent `limit` events. With it: the first `limit` events
   * after that id, so a client paging forward with its last id never skips one.
   * Either way returned oldest first.
   */
  limit?: number;
}

export interface AuditQuery {
  app?: string;
  env?: string;
  /** The most recent `limit` entries, returned oldest first. */
  limit?: number;
}

export interface NewRelease {
  app: string;
  env: string;
  buildId: string;
  configVersion: number;
  spec: unknown;
  description: string;
}

export interface NewConfigVersion {
  app: string;
  env: string;
  description: string;
  /** The complete config of the new version (not a change to the previous one). */
  entries: ConfigEntry[];
}

/**
 * Wharf's state. One interface, one contract suite (store-contract.ts) that every
 * implementation runs: the embedded SQLite store now, a PostgreSQL one later.
 *
 * Methods are async so that a networked implementation fits; each method is atomic, and
 * every change that touches several records goes through a single method (`commit`,
 * `createRelease`, `destroyEnvironment`, `putConfigVersion`, `resealValues`) so that it is one transaction.
 *
 * Records read back are deep-equal to those written (absent optional fields stay absent,
 * JSON keeps its key order). Lists are ordered: apps and environments by name, resources
 * by kind then name, instances by app, env, service then id. Getters answer undefined for
 * a missing record; resources, releases and instances of an unrecorded environment are
 * refused with ENV_NOT_FOUND. The contract suite checks all of this.
 */
export interface Store {
  // Apps and environments.
  ensureApp(name: string, now: number): Promise<AppRecord>;
  getApp(name: string): Promise<AppRecord | undefined>;
  listApps(): Promise<AppRecord[]>;
  /** Records the environment unless it exists, and returns the recorded one (APP_NOT_FOUND without the app). */
  ensureEnvironment(env: EnvironmentRecord): Promise<EnvironmentRecord>;
  getEnvironment(app: string, env: string): Promise<EnvironmentRecord | undefined>;
  listEnvironments(app: string): Promise<EnvironmentRecord[]>;
  /**
   * Removes the environment and every resource, release and instance record of it, in one
   * transaction. Its events and audit entries stay (history outlives it); no-op when absent.
   */
  destroyEnvironment(app: string, env: string): Promise<void>;

  // Resources: what the last apply made real; plans diff against these.
  listResources(app: string, env: string): Promise<ResourceRecord[]>;
  /** Records resource changes, events and audit entries in one transaction. */
  commit(change: ChangeSet): Promise<void>;

  // Releases.
  /** Numbers the release (highest so far + 1 for the environment) in the same transaction. */
  createRelease(release: NewRelease, now: number): Promise<ReleaseRecord>;
  getRelease(app: string, env: string, version: number): Promise<ReleaseRecord | undefined>;
  /** Newest first. */
  listReleases(app: string, env: string, limit?: number): Promise<ReleaseRecord[]>;
  /**
   * Newest first, only those whose status is one of `statuses`. What runs or serves (live,
   * deploying) is a handful of rows however long the history; reading the newest N of all
   * and filtering would parse every snapshot on the way, and miss the live release behind
   * N failed ones.
   */
  listReleasesWithStatus(app: string, env: string, statuses: readonly ReleaseStatus[], limit?: number): Promise<ReleaseRecord[]>;
  /** Sets status, reason (undefined clears it) and update time; NOT_FOUND for an unrecorded release. */
  setReleaseStatus(
    app: string,
    env: string,
    version: number,
    status: ReleaseStatus,
    reason: string | undefined,
    now: number,
  ): Promise<void>;

  // Config: complete, numbered versions per environment.
  /**
   * Records `config` as the environment's next version (highest so far + 1), with the
   * events and audit entries of `change`, in one transaction. ENV_NOT_FOUND without the
   * environment; BAD_REQUEST for two entries of one name.
   */
  putConfigVersion(config: NewConfigVersion, now: number, change?: ChangeSet): Promise<ConfigVersionRecord>;
  /** That version, or without one the latest; undefined when there is none. Entries by name. */
  getConfig(app: string, env: string, version?: number): Promise<ConfigVersionRecord | undefined>;
  /** Newest first. */
  listConfigVersions(app: string, env: string, limit?: number): Promise<ConfigVersionRecord[]>;
  /** Every sealed value of every version of every environment (to check and rotate the master key). */
  listSealedValues(): Promise<SealedEntryRef[]>;
  /**
   * Replaces sealed values (same app, env, version and name; the digest stays), with
   * `change`, in one transaction. Refuses with CONFLICT, writing nothing, when any sealed
   * value would be left under a key other than `keyId`: a rotation re-encrypts all or none.
   */
  resealValues(keyId: string, values: SealedEntryRef[], change?: ChangeSet): Promise<void>;

  // Instances.
  putInstance(instance: InstanceRecord): Promise<void>;
  getInstance(id: string): Promise<InstanceRecord | undefined>;
  listInstances(filter?: { app?: string; env?: string; service?: string }): Promise<InstanceRecord[]>;
  deleteInstance(id: string): Promise<void>;

  // Timeline and audit trail.
  appendEvent(event: NewEvent): Promise<EventRecord>;
  listEvents(query?: EventQuery): Promise<EventRecord[]>;
  appendAudit(entry: NewAudit): Promise<AuditRecord>;
  listAudit(query?: AuditQuery): Promise<AuditRecord[]>;

  // Locks: at most one holder per scope.
  /** Takes the lock if free; otherwise says who holds it. Never waits; not re-entrant. */
  acquireLock(lock: LockRecord): Promise<LockResult>;
  /** Releases the lock if `token` is the holder's; returns whether it did. */
  releaseLock(scope: string, token: string): Promise<boolean>;
  getLock(scope: string): Promise<LockRecord | undefined>;
  /** Removes the lock whoever holds it (`wharf lock release`); returns the removed record. */
  forceReleaseLock(scope: string): Promise<LockRecord | undefined>;

  // Add-ons and their backups. Neither is removed with its environment: they name data
  // that stays on its server (or in the backups folder) until purged on purpose.
  /** Records or replaces the add-on; ENV_NOT_FOUND for an unrecorded environment. */
  putAddon(addon: AddonRecord): Promise<void>;
  getAddon(app: string, env: string, name: string): Promise<AddonRecord | undefined>;
  /** By app, env, then name. */
  listAddons(filter?: { app?: string; env?: string }): Promise<AddonRecord[]>;
  deleteAddon(app: string, env: string, name: string): Promise<void>;
  /** Records or replaces the backup (by id). */
  putBackup(backup: BackupRecord): Promise<void>;
  getBackup(id: string): Promise<BackupRecord | undefined>;
  /** Newest first. */
  listBackups(app: string, env: string, addon: string): Promise<BackupRecord[]>;

  close(): Promise<void>;
}

/** The environment's live release, if it has one. */
export async function liveRelease(store: Pick<Store, 'listReleasesWithStatus'>, app: string, env: string): Promise<ReleaseRecord | undefined> {
  return (await store.listReleasesWithStatus(app, env, ['live'], 1))[0];
}
