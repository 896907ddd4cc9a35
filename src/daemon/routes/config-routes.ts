import { isAbsolute } from 'node:path';
import type { ConfigService } from '../../config/config-service.js';
import type { Assignment } from '../../config/config-rules.js';
import { snapshotOf } from '../../deploy/release-snapshot.js';
import { environmentSpec } from '../../envs/environment-spec.js';
import { WharfError } from '../../errors.js';
import { loadApp } from '../../spec/load.js';
import { liveRelease, type Store } from '../../state/store.js';
import type { Route } from '../http/index.js';
import { optionalString } from './body.js';

const ENV = '/v1/apps/:app/envs/:env';

/**
 * config, config get/set/unset and secrets rotate-key. Secrets are masked in every answer
 * unless the request says `reveal=true`, which is audited.
 */
export function configRoutes(store: Store, config: ConfigService): Route[] {
  return [
    {
      method: 'GET',
      path: `${ENV}/config`,
      handler: async ({ params, query, caller }) => {
        const { app, env } = names(params);
        const specEnv = await specEnvOf(store, app, env, query.get('dir') ?? undefined);
        return config.list(app, env, { specEnv: specEnv.env, reveal: query.get('reveal') === 'true', by: caller });
      },
    },
    {
      method: 'GET',
      path: `${ENV}/config/:name`,
      handler: async ({ params, query, caller }) => {
        const { app, env } = names(params);
        const specEnv = await specEnvOf(store, app, env, query.get('dir') ?? undefined);
        return { var: await config.get(app, env, params['name']!, { specEnv: specEnv.env, reveal: query.get('reveal') === 'true', by: caller }) };
      },
    },
    {
      method: 'POST',
      path: `${ENV}/config`,
      handler: async ({ params, body, caller }) => {
        const { app, env } = names(params);
        const { declared } = await specEnvOf(store, app, env, optionalString(body, 'dir'));
        return config.set(app, env, assignments(body), caller, { declared });
      },
    },
    {
      method: 'POST',
      path: `${ENV}/config/unset`,
      handler: async ({ params, body, caller }) => {
        const { app, env } = names(params);
        const list = (body as { names?: unknown } | undefined)?.names;
        if (!Array.isArray(list) || !list.every((n) => typeof n === 'string')) throw new WharfError('BAD_REQUEST', 'body.names: expected a list of variable names');
        return config.unset(app, env, list as string[], caller);
      },
    },
    {
      method: 'POST',
      path: '/v1/secrets/rotate-key',
      handler: async ({ caller }) => config.rotateKey(caller),
    },
  ];
}

function names(params: Record<string, string>): { app: string; env: string } {
  return { app: params['app']!, env: params['env']! };
}

function assignments(body: unknown): Assignment[] {
  const vars = (body as { vars?: unknown } | undefined)?.vars;
  if (!Array.isArray(vars)) throw new WharfError('BAD_REQUEST', 'body.vars: expected a list of {name, value, secret}');
  return vars.map((v: unknown, i) => {
    const { name, value, secret } = (v ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof value !== 'string' || (secret !== undefined && typeof secret !== 'boolean')) {
      throw new WharfError('BAD_REQUEST', `body.vars[${i}]: expected {name: string, value: string, secret?: boolean}`);
    }
    return { name, value, secret: secret === true };
  });
}

/**
 * The spec's env of the environment, which the listing merges with the set values: from the
 * app folder when the client names it, else from the live release's snapshot. `declared`:
 * the folder's spec knows the environment, so config may be set before its first apply.
 */
async function specEnvOf(store: Store, app: string, env: string, dir: string | undefined): Promise<{ env: Record<string, string>; declared: boolean }> {
  if (dir !== undefined) {
    if (!isAbsolute(dir)) throw new WharfError('BAD_REQUEST', `dir: expected an absolute path, got "${dir}"`);
    const loaded = loadApp(dir);
    if (loaded.spec.app !== app) throw new WharfError('BAD_REQUEST', `${dir} holds app ${loaded.spec.app}, not ${app}`);
    const spec = await environmentSpec(loaded, env, store);
    return { env: spec.env, declared: true };
  }
  const live = await liveRelease(store, app, env);
  return { env: live ? snapshotOf(live).environment.env : {}, declared: false };
}
