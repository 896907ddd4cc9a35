import { environmentSpec } from '../../envs/environment-spec.js';
import type { PlanConfig } from '../../plan/desired.js';
import { AppCache } from '../../spec/app-cache.js';
import { pickEnvironment, type LoadedApp } from '../../spec/load.js';
import type { ResolvedEnvironment } from '../../spec/resolve.js';
import type { Store } from '../../state/store.js';
import { appDir, optionalString } from './body.js';

/** With config: plans show the set values over the spec's env, and created environments resolve. */
export interface AppLoaderConfig {
  store: Store;
  planConfig: (app: string, env: string) => Promise<PlanConfig>;
}

export interface LoadedRequest {
  app: LoadedApp;
  env: ResolvedEnvironment;
  planConfig: PlanConfig | undefined;
}

/**
 * What plan, apply and deploy read from a request: the app folder's spec (cached by content,
 * so a plan then an apply of an unchanged spec parse it once), the environment it names —
 * one made by `wharf env create` derives from its source — and the config set for it, which
 * the desired state carries so that what apply records matches what plan shows.
 */
export function appLoader(config?: AppLoaderConfig) {
  const apps = new AppCache();
  return {
    app: (body: unknown): LoadedApp => apps.load(appDir(body)),
    async load(body: unknown): Promise<LoadedRequest> {
      const app = apps.load(appDir(body));
      const name = optionalString(body, 'env');
      const env = name !== undefined && config && !app.environments.has(name) ? await environmentSpec(app, name, config.store) : pickEnvironment(app, name);
      return { app, env, planConfig: await config?.planConfig(env.app, env.name) };
    },
  };
}

export type AppLoader = ReturnType<typeof appLoader>;
