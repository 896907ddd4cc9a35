import type { EnvManager } from '../../envs/env-manager.js';
import { WharfError } from '../../errors.js';
import { loadApp } from '../../spec/load.js';
import type { Route } from '../http/index.js';
import { appDir, optionalString, requiredString } from './body.js';

/** env create (and clone), destroy and diff; `GET /v1/apps/:app/envs` (system-routes.ts) lists them. */
export function envRoutes(envs: EnvManager): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/apps/:app/envs',
      handler: async ({ params, body, caller }) => {
        const app = loadApp(appDir(body));
        if (app.spec.app !== params['app']) throw new WharfError('BAD_REQUEST', `${app.dir} holds app ${app.spec.app}, not ${params['app']}`);
        const ttl = (body as { ttlMs?: unknown }).ttlMs;
        if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl <= 0)) throw new WharfError('BAD_REQUEST', 'body.ttlMs: expected a positive whole number of milliseconds');
        return envs.create({
          app,
          name: requiredString(body, 'name'),
          from: optionalString(body, 'from'),
          ttlMs: ttl as number | undefined,
          withConfig: flag(body, 'withConfig'),
          withData: flag(body, 'withData'),
          includeUncommitted: flag(body, 'includeUncommitted'),
          by: caller,
        });
      },
    },
    {
      method: 'POST',
      path: '/v1/apps/:app/envs/:env/destroy',
      handler: async ({ params, body, caller }) => {
        await envs.destroy(params['app']!, params['env']!, optionalString(body, 'confirm'), caller);
        return { destroyed: params['env'] };
      },
    },
    {
      method: 'GET',
      path: '/v1/apps/:app/envs/:env/diff/:other',
      handler: async ({ params }) => ({ diff: await envs.diff(params['app']!, params['env']!, params['other']!) }),
    },
  ];
}

function flag(body: unknown, name: string): boolean {
  const value = (body as Record<string, unknown>)[name];
  if (value !== undefined && typeof value !== 'boolean') throw new WharfError('BAD_REQUEST', `body.${name}: expected true or false`);
  return value === true;
}
