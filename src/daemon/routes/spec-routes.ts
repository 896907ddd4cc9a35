import type { Applier } from '../../apply/applier.js';
import { desiredState } from '../../plan/desired.js';
import { WharfError } from '../../errors.js';
import { hasChanges } from '../../plan/plan.js';
import { planForJson, renderPlan } from '../../plan/render.js';
import type { PlanText } from '../../client/wharf-client.js';
import type { Route } from '../http/index.js';
import type { AppLoader } from './app-loader.js';
import { optionalString } from './body.js';

/** validate, plan and apply: the spec of an app folder against the recorded state. */
export function specRoutes(applier: Applier, loader: AppLoader): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/validate',
      handler: ({ body }) => {
        const app = loader.app(body);
        return { app: app.spec.app, file: app.file, environments: [...app.environments.keys()], notes: app.notes };
      },
    },
    {
      method: 'POST',
      path: '/v1/plan',
      handler: async ({ body }) => {
        const format = optionalString(body, 'format') ?? 'json';
        if (format !== 'json' && format !== 'text') throw new WharfError('BAD_REQUEST', `body.format: expected "json" or "text", got "${format}"`);
        const { env, planConfig } = await loader.load(body);
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
        const { app, env, planConfig } = await loader.load(body);
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
