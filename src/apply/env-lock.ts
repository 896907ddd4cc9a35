import { randomBytes } from 'node:crypto';
import { WharfError } from '../errors.js';
import type { Store } from '../state/store.js';
import type { LockRecord } from '../state/types.js';

export interface LockHost {
  pid: number;
  hostname: string;
  /** Whether a process of this host is alive (`process.kill(pid, 0)` in production). */
  isAlive(pid: number): boolean;
  now(): number;
}

export function envLockScope(app: string, env: string): string {
  return `env:${app}/${env}`;
}

/**
 * Takes the environment's lock or fails at once, naming who holds it. A lock whose holder
 * process on this host is gone is stale: reported (never silently taken over), and cleared
 * by `wharf lock release`.
 */
export async function acquireEnvLock(store: Store, host: LockHost, app: string, env: string, holder: string, operation: string): Promise<LockRecord> {
  const lock: LockRecord = {
    scope: envLockScope(app, env),
    token: randomBytes(16).toString('hex'),
    holder,
    operation,
    pid: host.pid,
    hostname: host.hostname,
    acquiredAt: host.now(),
  };
  const result = await store.acquireLock(lock);
  if (result.acquired) return result.lock;
  const held = result.heldBy;
  const since = new Date(held.acquiredAt).toISOString();
  const release = `wharf lock release -e ${env}`;
  if (held.hostname === host.hostname && !host.isAlive(held.pid)) {
    throw new WharfError('LOCK_STALE', `${app}/${env} is locked by ${held.holder} (${held.operation} since ${since}), whose process ${held.pid} is gone`, {
      hint: `if no ${held.operation} is running, run \`${release}\``,
      details: { lock: publicLock(held) },
    });
  }
  throw new WharfError('LOCK_HELD', `${app}/${env} is locked by ${held.holder} (${held.operation} since ${since}, pid ${held.pid} on ${held.hostname})`, {
    hint: `wait for it to finish; if it is stuck, \`${release}\``,
    details: { lock: publicLock(held) },
  });
}

/** A lock without its token: only the holder may know it. */
export function publicLock(lock: LockRecord): Omit<LockRecord, 'token'> {
  const { token: _token, ...rest } = lock;
  return rest;
}
