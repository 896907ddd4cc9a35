import type { AutoscaleController } from '../../autoscale/controller.js';
import { statusOf } from '../../autoscale/controller-status.js';
import type { Route } from '../http/index.js';

/**
 * `wharf autoscale status`: the autoscaler's view of an environment's autoscaled services.
 * Without a router the daemon runs no autoscaler (it has no request figures): the list is empty.
 */
export function autoscaleRoutes(autoscaler: AutoscaleController | undefined): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/apps/:app/envs/:env/autoscale',
      handler: ({ params }) => ({
        running: autoscaler !== undefined,
        services: (autoscaler?.list() ?? []).filter((t) => t.service.app === params['app'] && t.service.env === params['env']).map(statusOf),
      }),
    },
  ];
}
