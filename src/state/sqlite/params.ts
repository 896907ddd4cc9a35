import { WharfError } from '../../errors.js';
import type { ConfigEntry, EnvironmentRecord, InstanceRecord, LockRecord, NewAudit, NewEvent, ResourceRecord } from '../types.js';

/**
 * Records turned into the named parameters of statements.ts: the inverse of rows.ts.
 * An absent optional field binds as SQL NULL (better-sqlite3 refuses `undefined`).
 */

/** The column for an optional field: SQL NULL when absent. */
export function orNull<T>(value: T | undefined): T | null {
  return value === undefined ? null : value;
}

/** JSON text of an optional value; no value becomes SQL NULL. */
export function optionalJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** JSON text of a value that must be there; `undefined` (or a function) is a caller's bug. */
export function requiredJson(value: unknown, what: string): string {
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) throw new WharfError('INTERNAL', `${what} has no JSON value (got ${typeof value})`);
  return text;
}

export function environmentParams(env: EnvironmentRecord) {
  return {
    app: env.app,
    name: env.name,
    from_env: orNull(env.from),
    expires_at: orNull(env.expiresAt),
    created_at: env.createdAt,
  };
}

export function resourceParams(resource: ResourceRecord) {
  return {
    app: resource.app,
    env: resource.env,
    kind: resource.kind,
    name: resource.name,
    body: requiredJson(resource.body, `the body of ${resource.kind} "${resource.name}" in ${resource.app}/${resource.env}`),
    applied_at: resource.appliedAt,
  };
}

export function instanceParams(instance: InstanceRecord) {
  return {
    id: instance.id,
    app: instance.app,
    env: instance.env,
    service: instance.service,
    release: instance.release,
    state: instance.state,
    pid: orNull(instance.pid),
    pid_start_time: orNull(instance.pidStartTime),
    port: orNull(instance.port),
    restarts: instance.restarts,
    reason: orNull(instance.reason),
    created_at: instance.createdAt,
    updated_at: instance.updatedAt,
  };
}

export function eventParams(event: NewEvent) {
  return {
    time: event.time,
    app: event.app,
    env: orNull(event.env),
    service: orNull(event.service),
    kind: event.kind,
    message: event.message,
    data: optionalJson(event.data),
  };
}

export function auditParams(entry: NewAudit) {
  return {
    time: entry.time,
    actor: entry.actor,
    client: entry.client,
    operation: entry.operation,
    app: orNull(entry.app),
    env: orNull(entry.env),
    outcome: entry.outcome,
    details: optionalJson(entry.details),
  };
}

export function lockParams(lock: LockRecord) {
  return {
    scope: lock.scope,
    token: lock.token,
    holder: lock.holder,
    operation: lock.operation,
    pid: lock.pid,
    hostname: lock.hostname,
    acquired_at: lock.acquiredAt,
  };
}

export function configValueParams(key: { app: string; env: string; version: number }, entry: ConfigEntry) {
  const none = { value: null, key_id: null, nonce: null, ciphertext: null, digest: null };
  if (!entry.secret) return { ...key, ...none, name: entry.name, value: entry.value };
  return { ...key, ...none, name: entry.name, key_id: entry.sealed.keyId, nonce: entry.sealed.nonce, ciphertext: entry.sealed.ciphertext, digest: entry.digest };
}
