import type { Applier } from '../../apply/applier.js';
import type { Deployer } from '../../deploy/rollout/deployer.js';
import { STRATEGIES, type Strategy } from '../../deploy/rollout/types.js';
import { WharfError } from '../../errors.js';
import { desiredState } from '../../plan/desired.js';
import { planForJson } from '../../plan/render.js';
import type { Route } from '../http/index.js';
import type { AppLoader } from './app-loader.js';
import { optionalMs, optionalString } from './body.js';
import { streamLines } from './ndjson.js';

const ENV = '/v1/apps/:app/envs/:env';

/**
 * deploy, rollback, promote and abort. Deploy and rollback stream their progress as JSON
 * lines (`{progress}`, `{output}`), ending with `{result}` or `{error}`.
 */
export function deployRoutes(applier: Applier, deployer: Deployer, loader: AppLoader): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/deploy',
      handler: async ({ body, caller, res }) => {
        // The same reading as plan and apply: a deploy records what `wharf plan` shows.
        const { app, env, planConfig } = await loader.load(body);
        const strategy = strategyOf(optionalString(body, 'strategy'));
        await streamLines(
          res,
          (line) =>
            applier.apply({
              desired: desiredState(env, planConfig),
              from: env.from,
              source: { dir: app.dir, environment: env, includeUncommitted: (body as { includeUncommitted?: unknown }).includeUncommitted === true },
              by: { actor: caller.actor, client: caller.client },
              deploy: { strategy },
              onProgress: (p) => line('step' in p ? { progress: p } : { output: p }),
            }),
          (result) => ({ result: { plan: planForJson(result.plan), applied: result.applied, release: result.release } }),
        );
      },
    },
    {
      method: 'POST',
      path: `${ENV}/rollback`,
      handler: async ({ params, body, caller, res }) => {
        const to = releaseNumber(optionalString(body, 'to'));
        // How long the command had run when it asked: a warm rollback's second counts from it.
        const issuedMsAgo = optionalMs(body, 'issuedMsAgo');
        await streamLines(
          res,
          (line) => deployer.rollback({ app: params['app']!, env: params['env']!, to, by: caller, issuedMsAgo, onProgress: (p) => line({ progress: p }) }),
          (result) => ({ result }),
        );
      },
    },
    {
      method: 'POST',
      path: `${ENV}/promote`,
      handler: ({ params, caller }) => summary(deployer.promote(params['app']!, params['env']!, caller)),
    },
    {
      method: 'POST',
      path: `${ENV}/abort`,
      handler: ({ params, caller }) => summary(deployer.abort(params['app']!, params['env']!, caller)),
    },
    {
      method: 'GET',
      path: `${ENV}/rollout`,
      handler: ({ params }) => {
        const current = deployer.current(params['app']!, params['env']!);
        return { rollout: current ? summary(current) : null };
      },
    },
  ];
}

function summary(r: ReturnType<Deployer['abort']>) {
  const { signals, ...rest } = r;
  return { ...rest, aborted: signals.aborted, promoted: signals.promoted };
}

function strategyOf(raw: string | undefined): Strategy | undefined {
  if (raw === undefined) return undefined;
  if (!(STRATEGIES as readonly string[]).includes(raw)) throw new WharfError('BAD_REQUEST', `body.strategy: "${raw}" is not a strategy`, { hint: `one of ${STRATEGIES.join(', ')}` });
  return raw as Strategy;
}

/** `v7` or `7`. */
function releaseNumber(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^v?(\d{1,9})$/.exec(raw);
  if (!m) throw new WharfError('BAD_REQUEST', `"${raw}" is not a release`, { hint: 'e.g. v7' });
  return Number(m[1]);
}
