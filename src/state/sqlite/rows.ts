import type {
  AppRecord,
  AuditRecord,
  ConfigEntry,
  ConfigVersionRecord,
  EnvironmentRecord,
  EventRecord,
  InstanceRecord,
  LockRecord,
  ReleaseRecord,
  ReleaseStatus,
  ResourceKind,
  ResourceRecord,
  SealedEntryRef,
  SealedValue,
} from '../types.js';

/**
 * Rows as SQLite returns them, and their mapping to records (params.ts goes the other way).
 *
 * Records never carry `undefined`-valued keys: a NULL column becomes an absent optional
 * field, so a record read back is deep-equal to the one written. JSON columns hold
 * `JSON.stringify` text; SQL NULL means "no value" (`data` absent), while the text `null`
 * is a JSON null, so the two survive the round trip distinctly.
 */

export interface AppRow {
  name: string;
  created_at: number;
}

export interface EnvironmentRow {
  app: string;
  name: string;
  from_env: string | null;
  expires_at: number | null;
  created_at: number;
}

export interface ResourceRow {
  app: string;
  env: string;
  kind: ResourceKind;
  name: string;
  body: string;
  applied_at: number;
}

export interface ReleaseRow {
  app: string;
  env: string;
  version: number;
  build_id: string;
  config_version: number;
  spec: string;
  status: ReleaseStatus;
  description: string;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface InstanceRow {
  id: string;
  app: string;
  env: string;
  service: string;
  release: number;
  state: string;
  pid: number | null;
  pid_start_time: number | null;
  port: number | null;
  restarts: number;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface EventRow {
  id: number;
  time: number;
  app: string;
  env: string | null;
  service: string | null;
  kind: string;
  message: string;
  data: string | null;
}

export interface AuditRow {
  id: number;
  time: number;
  actor: string;
  client: string;
  operation: string;
  app: string | null;
  env: string | null;
  outcome: 'ok' | 'error';
  details: string | null;
}

export interface ConfigVersionRow {
  app: string;
  env: string;
  version: number;
  description: string;
  created_at: number;
}

export interface ConfigValueRow {
  app: string;
  env: string;
  version: number;
  name: string;
  value: string | null;
  key_id: string | null;
  nonce: string | null;
  ciphertext: string | null;
  digest: string | null;
}

export interface LockRow {
  scope: string;
  token: string;
  holder: string;
  operation: string;
  pid: number;
  hostname: string;
  acquired_at: number;
}

/** Adds `key: value` to a record only when the column was not NULL. */
function optional<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

function optionalParsed<K extends string>(key: K, text: string | null): { [P in K]?: unknown } {
  return (text === null ? {} : { [key]: JSON.parse(text) as unknown }) as { [P in K]?: unknown };
}

export function appRecord(row: AppRow): AppRecord {
  return { name: row.name, createdAt: row.created_at };
}

export function environmentRecord(row: EnvironmentRow): EnvironmentRecord {
  return {
    app: row.app,
    name: row.name,
    ...optional('from', row.from_env),
    ...optional('expiresAt', row.expires_at),
    createdAt: row.created_at,
  };
}

export function resourceRecord(row: ResourceRow): ResourceRecord {
  return {
    app: row.app,
    env: row.env,
    kind: row.kind,
    name: row.name,
    body: JSON.parse(row.body) as unknown,
    appliedAt: row.applied_at,
  };
}

export function releaseRecord(row: ReleaseRow): ReleaseRecord {
  return {
    app: row.app,
    env: row.env,
    version: row.version,
    buildId: row.build_id,
    configVersion: row.config_version,
    spec: JSON.parse(row.spec) as unknown,
    status: row.status,
    description: row.description,
    ...optional('reason', row.reason),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function instanceRecord(row: InstanceRow): InstanceRecord {
  return {
    id: row.id,
    app: row.app,
    env: row.env,
    service: row.service,
    release: row.release,
    state: row.state,
    ...optional('pid', row.pid),
    ...optional('pidStartTime', row.pid_start_time),
    ...optional('port', row.port),
    restarts: row.restarts,
    ...optional('reason', row.reason),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function eventRecord(row: EventRow): EventRecord {
  return {
    id: row.id,
    time: row.time,
    app: row.app,
    ...optional('env', row.env),
    ...optional('service', row.service),
    kind: row.kind,
    message: row.message,
    ...optionalParsed('data', row.data),
  };
}

export function auditRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    time: row.time,
    actor: row.actor,
    client: row.client,
    operation: row.operation,
    ...optional('app', row.app),
    ...optional('env', row.env),
    outcome: row.outcome,
    ...optionalParsed('details', row.details),
  };
}

export function lockRecord(row: LockRow): LockRecord {
  return {
    scope: row.scope,
    token: row.token,
    holder: row.holder,
    operation: row.operation,
    pid: row.pid,
    hostname: row.hostname,
    acquiredAt: row.acquired_at,
  };
}

export function configEntry(row: ConfigValueRow): ConfigEntry {
  if (row.value !== null) return { name: row.name, secret: false, value: row.value };
  return { name: row.name, secret: true, sealed: sealedValue(row), digest: row.digest! };
}

export function sealedEntryRef(row: ConfigValueRow): SealedEntryRef {
  return { app: row.app, env: row.env, version: row.version, name: row.name, sealed: sealedValue(row) };
}

function sealedValue(row: ConfigValueRow): SealedValue {
  return { keyId: row.key_id!, nonce: row.nonce!, ciphertext: row.ciphertext! };
}

export function configVersionRecord(row: ConfigVersionRow, entries: ConfigEntry[]): ConfigVersionRecord {
  return { app: row.app, env: row.env, version: row.version, description: row.description, entries, createdAt: row.created_at };
}
