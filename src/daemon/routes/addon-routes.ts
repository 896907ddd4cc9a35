import type { AddonBackups } from '../../addons/addon-backups.js';
import type { AddonManager } from '../../addons/addon-manager.js';
import { WharfError, asWharfError } from '../../errors.js';
import type { Store } from '../../state/store.js';
import type { Caller, Route } from '../http/index.js';
import { optionalString, requiredString } from './body.js';

export interface AddonRouteDeps {
  store: Store;
  manager: AddonManager;
  backups: AddonBackups;
  now: () => number;
}

const ADDON = '/v1/apps/:app/envs/:env/addons/:name';

/** `wharf addons …`: list, info, backups, backup, verify, restore, destroy, and the data copy of `env clone --with-data`. */
export function addonRoutes({ store, manager, backups, now }: AddonRouteDeps): Route[] {
  /** Runs a mutation and writes its audit entry, ok or error (never with a password: none is in `details`). */
  const audited = async <T>(caller: Caller, operation: string, app: string, env: string, details: object, fn: () => Promise<T>): Promise<T> => {
    const entry = (outcome: 'ok' | 'error', more: object = {}) => store.appendAudit({ time: now(), actor: caller.actor, client: caller.client, operation, app, env, outcome, details: { ...details, ...more } });
    try {
      const result = await fn();
      await entry('ok');
      return result;
    } catch (e) {
      await entry('error', { error: asWharfError(e).code }).catch(() => undefined);
      throw e;
    }
  };
  const at = (params: Readonly<Record<string, string>>) => ({ app: params['app']!, env: params['env']!, name: params['name']! });

  return [
    {
      method: 'GET',
      path: '/v1/apps/:app/envs/:env/addons',
      handler: async ({ params }) => ({ addons: await manager.list(params['app']!, params['env']!) }),
    },
    {
      method: 'GET',
      path: ADDON,
      handler: async ({ params, query, caller }) => {
        const { app, env, name } = at(params);
        if (query.get('reveal') !== '1') return { addon: await manager.info(app, env, name, false) };
        // Showing a password is itself recorded: who saw which add-on's credentials, and when.
        return { addon: await audited(caller, 'addon.reveal', app, env, { addon: name }, () => manager.info(app, env, name, true)) };
      },
    },
    {
      method: 'GET',
      path: `${ADDON}/backups`,
      handler: async ({ params }) => {
        const { app, env, name } = at(params);
        await manager.access(app, env, name);
        return { backups: await backups.list(app, env, name) };
      },
    },
    {
      method: 'POST',
      path: `${ADDON}/backups`,
      handler: async ({ params, body, caller }) => {
        const { app, env, name } = at(params);
        const verify = (body as { verify?: unknown } | undefined)?.verify === true;
        return { backup: await audited(caller, 'addon.backup', app, env, { addon: name, verify }, () => backups.backup(app, env, name, { verify })) };
      },
    },
    {
      method: 'POST',
      path: `${ADDON}/backups/:id/verify`,
      handler: async ({ params, caller }) => {
        const { app, env, name } = at(params);
        const id = params['id']!;
        return { backup: await audited(caller, 'addon.verify', app, env, { addon: name, backup: id }, () => backups.verify(id)) };
      },
    },
    {
      method: 'POST',
      path: `${ADDON}/restore`,
      handler: async ({ params, body, caller }) => {
        const { app, env, name } = at(params);
        const id = requiredString(body, 'backup');
        return await audited(caller, 'addon.restore', app, env, { addon: name, backup: id }, () => backups.restore(app, env, name, id));
      },
    },
    {
      method: 'POST',
      path: `${ADDON}/destroy`,
      handler: async ({ params, body, caller }) => {
        const { app, env, name } = at(params);
        const purge = (body as { purge?: unknown } | undefined)?.purge === true;
        const confirm = optionalString(body, 'confirm');
        return await audited(caller, purge ? 'addon.purge' : 'addon.detach', app, env, { addon: name }, () => manager.destroy({ app, env, name, purge, confirm }, caller.actor));
      },
    },
    {
      method: 'POST',
      path: `${ADDON}/copy-from`,
      handler: async ({ params, body, caller }) => {
        const { app, env, name } = at(params);
        const from = requiredString(body, 'env');
        if (from === env) throw new WharfError('BAD_REQUEST', `body.env: copying ${app}/${env}'s add-on ${name} onto itself`);
        return { backup: await audited(caller, 'addon.copy', app, env, { addon: name, from }, () => backups.copyData(app, from, env, name)) };
      },
    },
  ];
}
