import type { RouterSupervisor } from '../router-supervisor.js';
import type { Route } from '../http/index.js';

/** `wharf router restart`: the listening sockets handed to a new router process, no request lost. */
export function routerRoutes(router: RouterSupervisor): Route[] {
  return [{ method: 'POST', path: '/v1/router/restart', handler: async () => router.restart() }];
}
