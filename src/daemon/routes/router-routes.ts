import type { RouterSupervisor } from '../router-supervisor.js';
import type { Store } from '../../state/store.js';
import type { Route } from '../http/index.js';

/**
 * `wharf router restart` (the listening sockets handed to a new router process, no request
 * lost) and the router's figures.
 */
export function routerRoutes(router: RouterSupervisor, store: Store, now: () => number): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/router/restart',
      handler: async ({ caller }) => {
        const result = await router.restart();
        await store.appendAudit({ time: now(), actor: caller.actor, client: caller.client, operation: 'router.restart', outcome: 'ok', details: result });
        return result;
      },
    },
    /** The figures the daemon read from the router last (every second). */
    { method: 'GET', path: '/v1/router/metrics', handler: () => ({ metrics: router.latest ?? null }) },
  ];
}
