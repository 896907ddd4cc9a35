/**
 * What Wharf records. Every record is plain JSON-able data; the store owns persistence only,
 * never decisions.
 */

/** Milliseconds since the Unix epoch. */
export type Millis = number;

export interface AppRecord {
  name: string;
  createdAt: Millis;
}

export interface EnvironmentRecord {
  app: string;
  name: string;
  /** The environment this one was cloned or created from, if any. */
  from?: string | undefined;
  /** Preview environments are destroyed by Wharf when this passes. */
  expiresAt?: Millis | undefined;
  createdAt: Millis;
}

/**
 * Resource kinds a plan manages. `service` and `addon` bodies are the resolved spec of that
 * service or add-on for the environment, exactly as applied; the `environment` resource
 * (named after the environment) holds its own settings: release command and pipeline.
 */
export type ResourceKind = 'environment' | 'service' | 'addon';

/** A resource as the last successful apply left it: the recorded state that plans diff against. */
export interface ResourceRecord {
  app: string;
  env: string;
  kind: ResourceKind;
  name: string;
  /** The applied desired state (JSON). */
  body: unknown;
  appliedAt: Millis;
}

export type ReleaseStatus =
  | 'pending' // created, release command not yet run
  | 'deploying' // rolling out
  | 'live' // serving as the stable release
  | 'superseded' // a newer release went live
  | 'failed' // did not pass a gate; reason says which
  | 'rolled-back'; // was live, then traffic went back to an earlier release

export interface ReleaseRecord {
  app: string;
  env: string;
  /** 1, 2, 3 … per environment; shown as v1, v2 … */
  version: number;
  buildId: string;
  configVersion: number;
  /** The resolved spec of the environment when the release was made. */
  spec: unknown;
  status: ReleaseStatus;
  description: string;
  reason?: string | undefined;
  createdAt: Millis;
  updatedAt: Millis;
}

export interface InstanceRecord {
  /** Stable id, e.g. `shop.production.web.v3.1a2b`. */
  id: string;
  app: string;
  env: string;
  service: string;
  release: number;
  /** The lifecycle state name (runtime/lifecycle.ts). */
  state: string;
  pid?: number | undefined;
  /** Process start time from /proc/<pid>/stat, so a reused pid is never mistaken for ours. */
  pidStartTime?: number | undefined;
  port?: number | undefined;
  restarts: number;
  reason?: string | undefined;
  createdAt: Millis;
  updatedAt: Millis;
}

export interface EventRecord {
  /** Assigned by the store; strictly increasing, so clients resume a stream from the last id. */
  id: number;
  time: Millis;
  app: string;
  env?: string | undefined;
  service?: string | undefined;
  /** Dotted kind, e.g. `apply.started`, `instance.unhealthy`, `autoscale.scaled`. */
  kind: string;
  message: string;
  data?: unknown;
}

export type NewEvent = Omit<EventRecord, 'id'>;

export interface AuditRecord {
  id: number;
  time: Millis;
  /** Who: a user name, `token:<name>`, `slack:<user>`, or `wharf` for Wharf's own decisions. */
  actor: string;
  /** Through which client: `cli`, `dashboard`, `slack`, `api`, `daemon`. */
  client: string;
  /** The control-API operation, e.g. `apply`, `scale`, `config.set`. */
  operation: string;
  app?: string | undefined;
  env?: string | undefined;
  outcome: 'ok' | 'error';
  /** Never holds secret values; the caller masks them before recording. */
  details?: unknown;
}

export type NewAudit = Omit<AuditRecord, 'id'>;

export interface LockRecord {
  /** What is locked, e.g. `env:shop/production`. */
  scope: string;
  /** A random token: only the holder can release the lock with it. */
  token: string;
  holder: string;
  operation: string;
  /** Process that holds it; a lock whose process is gone is stale. */
  pid: number;
  hostname: string;
  acquiredAt: Millis;
}

/** A set of record changes made as one transaction: all of them are recorded, or none. */
export interface ChangeSet {
  putResources?: ResourceRecord[];
  deleteResources?: { app: string; env: string; kind: ResourceKind; name: string }[];
  events?: NewEvent[];
  audit?: NewAudit[];
}

/** Backing services Wharf provisions (spec `addons.NAME.type`). */
export type AddonType = 'postgres' | 'redis';

/**
 * An add-on's lifecycle (addons/addon-manager.ts owns the transitions):
 *
 *   provisioning ──ok──▶ attached ──destroy / removed from spec──▶ detached
 *        │  ▲                ▲                                        │
 *      error└── retry         └────────────── re-added to the spec ◀──┘
 *        ▼
 *      failed ──retry──▶ provisioning            (purge deletes the record and the data)
 */
export type AddonState = 'provisioning' | 'attached' | 'detached' | 'failed';

export interface AddonRecord {
  app: string;
  env: string;
  name: string;
  type: AddonType;
  /** `managed`: on Wharf's own server; `external`: on a server given by an admin URL. */
  mode: 'managed' | 'external';
  state: AddonState;
  /** Where the app connects. The password is sealed (never stored in clear). */
  connection: {
    host: string;
    port: number;
    user: string;
    sealedPassword: string;
    /** PostgreSQL: the database. */
    database?: string | undefined;
    /** Redis: the key (and channel) prefix the user is confined to. */
    keyPrefix?: string | undefined;
  };
  /** External mode: the variable that holds the admin URL (never the URL itself). */
  adminUrlFrom?: string | undefined;
  /** Why the last provisioning failed, or why it is detached. */
  reason?: string | undefined;
  createdAt: Millis;
  updatedAt: Millis;
}

export interface BackupRecord {
  /** Sortable and unique: `b<created, base36><random>`. */
  id: string;
  app: string;
  env: string;
  addon: string;
  type: AddonType;
  /** Absolute path of the dump. */
  file: string;
  sha256: string;
  sizeBytes: number;
  /** Rows per table (PostgreSQL, `schema.table`) or keys per type (Redis), at the dump's snapshot. */
  counts: Record<string, number>;
  createdAt: Millis;
  /** The last verification: restored into scratch and compared, or refused. */
  verification?: { ok: boolean; at: Millis; message: string } | undefined;
}

/**
 * A secret value at rest: AES-256-GCM ciphertext with its tag (src/config/cipher.ts), the
 * nonce it was sealed with, and the id of the master key that sealed it. Base64 text.
 */
export interface SealedValue {
  keyId: string;
  nonce: string;
  /** Ciphertext followed by the 16-byte GCM tag. */
  ciphertext: string;
}

/** One variable of a config version: a plain value, or a secret kept only sealed. */
export type ConfigEntry =
  | { name: string; secret: false; value: string }
  | {
      name: string;
      secret: true;
      sealed: SealedValue;
      /** A keyed hash of the value (src/config/digest.ts): plans and audit entries compare it, never the value. */
      digest: string;
    };

/**
 * The whole config of an environment at one version. Every change writes a complete new
 * version, so a release that names `configVersion` runs with exactly this config.
 */
export interface ConfigVersionRecord {
  app: string;
  env: string;
  /** 1, 2, 3 … per environment. */
  version: number;
  description: string;
  /** Ordered by name. */
  entries: ConfigEntry[];
  createdAt: Millis;
}

/** A sealed value and where it lives, for checking and re-encrypting every one of them. */
export interface SealedEntryRef {
  app: string;
  env: string;
  version: number;
  name: string;
  sealed: SealedValue;
}
