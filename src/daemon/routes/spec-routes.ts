import type { Applier } from '../../apply/applier.js';
import { desiredState, type PlanConfig } from '../../plan/desired.js';
import { environmentSpec } from '../../envs/environment-spec.js';
import type { Store } from '../../state/store.js';
import { WharfError } from '../../errors.js';
import { hasChanges } from '../../plan/plan.js';
import { planForJson, renderPlan } from '../../plan/render.js';
import type { PlanText } from '../../client/wharf-client.js';
import { AppCache } from '../../spec/app-cache.js';
import { pickEnvironment } from '../../spec/load.js';
import type { Route } from '../http/index.js';
import { appDir, optionalString } from './body.js';

/** With config: plans show the set values over the spec's env, and created environments resolve. */
export interface SpecRouteConfig {
  store: Store;
  planConfig: (app: string, env: string) => Promise<PlanConfig>;
}

/** validate, plan and apply: the spec of an app folder against the recorded state. */
export function specRoutes(applier: Applier, config?: SpecRouteConfig): Route[] {
  // One daemon, one cache: `wharf plan` then `wharf apply` of an unchanged spec read it once.
  const apps = new AppCache();
  const load = async (body: unknown) => {
    const app = apps.load(appDir(body));
    const name = optionalString(body, 'env');
    // An environment made by `wharf env create` is not declared; its spec derives from its source's.
    const env = name !== undefined && config && !app.environments.has(name) ? await environmentSpec(app, name, config.store) : pickEnvironment(app, name);
    return { app, env, planConfig: await config?.planConfig(env.app, env.name) };
  };
  return [
    {
      method: 'POST',
      path: '/v1/validate',
      handler: ({ body }) => {
        const app = apps.load(appDir(body));
        return { app: app.spec.app, file: app.file, environments: [...app.environments.keys()], notes: app.notes };
      },
    },
    {
      method: 'POST',
      path: '/v1/plan',
      handler: async ({ body }) => {
        const format = optionalString(body, 'format') ?? 'json';
        if (format !== 'json' && format !== 'text') throw new WharfError('BAD_REQUEST', `body.format: expected "json" or "text", got "${format}"`);
        const { env, planConfig } = await load(body);
        const p = await applier.plan(desiredState(env, planConfig));
        // `wharf plan` asks for the text: rendered here, in the long-running daemon, it spares
        // the CLI process a 2 MB answer (1,000 services) and rendering it with a cold JIT.
        if (format === 'text') {
          const text = renderPlan(p, { color: (body as { color?: unknown }).color === true });
          return { app: p.app, env: p.env, text, changes: hasChanges(p), summary: p.summary, hash: p.hash } satisfies PlanText;
        }
        return { plan: planForJson(p) };
      },
    },
    {
      method: 'POST',
      path: '/v1/apply',
      handler: async ({ body, caller }) => {
        const { app, env, planConfig } = await load(body);
        const result = await applier.apply({
          desired: desiredState(env, planConfig),
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
