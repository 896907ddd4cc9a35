import type { Store } from '../../state/store.js';
import { VERSION } from '../../version.js';
import type { Route } from '../http/index.js';
import type { RouterPriority } from '../router-supervisor.js';

export interface RouterStatus extends RouterPriority {
  pid: number | undefined;
  listen: { host: string; port: number };
}

export function systemRoutes(store: Store, info: { dataDir: string; startedAt: number; router: () => RouterStatus | null }): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/status',
      handler: () => ({ ok: true, version: VERSION, pid: process.pid, dataDir: info.dataDir, startedAt: info.startedAt, router: info.router() }),
    },
    { method: 'GET', path: '/v1/apps', handler: async () => ({ apps: await store.listApps() }) },
    {
      method: 'GET',
      path: '/v1/apps/:app/envs',
      handler: async ({ params }) => ({ environments: await store.listEnvironments(params['app']!) }),
    },
    {
      method: 'GET',
      path: '/v1/apps/:app/envs/:env/resources',
      handler: async ({ params }) => ({ resources: await store.listResources(params['app']!, params['env']!) }),
    },
  ];
}
