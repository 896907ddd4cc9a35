import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

/**
 * Whether a process is running. A zombie (dead, not yet reaped: its parent, often a PID 1
 * that does not reap orphans, never waited for it) answers signal 0 but is not running.
 */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; comm may hold spaces and parentheses (proc(5)).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no procfs (not Linux): signal 0 is all there is
  }
}
