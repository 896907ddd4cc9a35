import { envLockScope, publicLock } from '../../apply/env-lock.js';
import { WharfError } from '../../errors.js';
import type { Store } from '../../state/store.js';
import type { Route } from '../http/index.js';

/** Who holds an environment's lock, and `wharf lock release` for a stale one. */
export function lockRoutes(store: Store, now: () => number): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/apps/:app/envs/:env/lock',
      handler: async ({ params }) => {
        const lock = await store.getLock(envLockScope(params['app']!, params['env']!));
        return { lock: lock ? publicLock(lock) : null };
      },
    },
    {
      method: 'DELETE',
      path: '/v1/apps/:app/envs/:env/lock',
      handler: async ({ params, caller }) => {
        const { app, env } = params as { app: string; env: string };
        const removed = await store.forceReleaseLock(envLockScope(app, env));
        if (!removed) throw new WharfError('NOT_FOUND', `${app}/${env} is not locked`);
        await store.commit({
          events: [{ time: now(), app, env, kind: 'lock.released', message: `lock of ${removed.holder} (${removed.operation}) released by ${caller.actor}` }],
          audit: [{ time: now(), actor: caller.actor, client: caller.client, operation: 'lock.release', app, env, outcome: 'ok', details: { lock: publicLock(removed) } }],
        });
        return { released: publicLock(removed) };
      },
    },
  ];
}
