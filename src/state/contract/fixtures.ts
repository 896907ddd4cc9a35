import assert from 'node:assert/strict';
import { isWharfError, type ErrorCode } from '../../errors.js';
import type { NewRelease, Store } from '../store.js';
import type { InstanceRecord, LockRecord, NewAudit, NewEvent, ResourceRecord } from '../types.js';

/** Runs `fn` against a fresh, empty store and disposes of it afterwards, pass or fail. */
export type UseStore = (fn: (store: Store) => Promise<void>) => Promise<void>;

/** Records an app and its environments, as apply does before it records anything else. */
export async function seed(store: Store, app: string, ...envs: string[]): Promise<void> {
  await store.ensureApp(app, 1_000);
  for (const name of envs) await store.ensureEnvironment({ app, name, createdAt: 2_000 });
}

export function resource(app: string, env: string, name: string, body: unknown = { run: `./${name}` }): ResourceRecord {
  return { app, env, kind: 'service', name, body, appliedAt: 3_000 };
}

export function newRelease(app: string, env: string, buildId = 'build-1'): NewRelease {
  return { app, env, buildId, configVersion: 1, spec: { services: { web: { run: 'node server.js' } } }, description: `deploy ${buildId}` };
}

export function instance(id: string, overrides: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    id,
    app: 'shop',
    env: 'production',
    service: 'web',
    release: 1,
    state: 'running',
    restarts: 0,
    createdAt: 4_000,
    updatedAt: 4_000,
    ...overrides,
  };
}

export function event(overrides: Partial<NewEvent> = {}): NewEvent {
  return { time: 5_000, app: 'shop', env: 'production', kind: 'apply.started', message: 'apply started', ...overrides };
}

export function audit(overrides: Partial<NewAudit> = {}): NewAudit {
  return { time: 6_000, actor: 'ada', client: 'cli', operation: 'apply', app: 'shop', env: 'production', outcome: 'ok', ...overrides };
}

export function lock(scope: string, token: string, holder = 'ada'): LockRecord {
  return { scope, token, holder, operation: 'apply', pid: 4242, hostname: 'wharf-1', acquiredAt: 7_000 };
}

/**
 * A JSON body with what tends to break a round trip: key order that is not alphabetical,
 * unicode outside the BMP, escapes, numbers at the edges of exactness, empty containers,
 * nulls and deep nesting.
 */
export const AWKWARD_BODY = {
  zeta: 1,
  alpha: { nested: [[], {}, [null, true, false]], 'key with "quotes"': 'back\\slash\nnewline\ttab' },
  unicode: 'café — 東京 — 🚢⚓',
  numbers: [0, -1, 0.1, 1e21, 1.5e-7, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
  empty: '',
  deep: { a: { b: { c: { d: { e: ['f'] } } } } },
  nothing: null,
};

/** Asserts that `value` is deep-equal to `expected` and serialises the same (key order included). */
export function assertSameJson(value: unknown, expected: unknown): void {
  assert.deepEqual(value, expected);
  assert.equal(JSON.stringify(value), JSON.stringify(expected));
}

export async function rejectsWithCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(isWharfError(e), `expected a WharfError, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  });
}
