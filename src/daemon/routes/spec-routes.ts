import type { Applier } from '../../apply/applier.js';
import { desiredState } from '../../plan/desired.js';
import { planForJson } from '../../plan/render.js';
import { loadApp, pickEnvironment } from '../../spec/load.js';
import type { Route } from '../http/index.js';
import { appDir, optionalString } from './body.js';

/** validate, plan and apply: the spec of an app folder against the recorded state. */
export function specRoutes(applier: Applier): Route[] {
  const load = (body: unknown) => {
    const app = loadApp(appDir(body));
    return { app, env: pickEnvironment(app, optionalString(body, 'env')) };
  };
  return [
    {
      method: 'POST',
      path: '/v1/validate',
      handler: ({ body }) => {
        const app = loadApp(appDir(body));
        return { app: app.spec.app, file: app.file, environments: [...app.environments.keys()], notes: app.notes };
      },
    },
    {
      method: 'POST',
      path: '/v1/plan',
      handler: async ({ body }) => {
        const { env } = load(body);
        return { plan: planForJson(await applier.plan(desiredState(env))) };
      },
    },
    {
      method: 'POST',
      path: '/v1/apply',
      handler: async ({ body, caller }) => {
        const { app, env } = load(body);
        const result = await applier.apply({
          desired: desiredState(env),
          from: env.from,
          source: { dir: app.dir, environment: env, includeUncommitted: (body as { includeUncommitted?: unknown }).includeUncommitted === true },
          by: { actor: caller.actor, client: caller.client },
          expectHash: optionalString(body, 'expectHash'),
        });
        return { plan: planForJson(result.plan), applied: result.applied };
      },
    },
  ];
}
