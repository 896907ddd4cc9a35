import type { ResolvedEnvironment } from '../spec/resolve.js';
import type { DesiredState } from './types.js';

/** The set config as plans see it (src/config/config-view.ts `configForPlan`): secrets as digests, named to be masked. */
export interface PlanConfig {
  env: Record<string, string>;
  secrets: string[];
}

/**
 * The resources an environment's spec asks for: the environment, its add-ons and its
 * services, each service's env with the set config over the spec's (set wins).
 */
export function desiredState(env: ResolvedEnvironment, config: PlanConfig = { env: {}, secrets: [] }): DesiredState {
  const resources: DesiredState['resources'] = [
    { kind: 'environment', name: env.name, body: { release: env.release ?? null, pipeline: env.pipeline } },
  ];
  for (const [name, addon] of Object.entries(env.addons)) resources.push({ kind: 'addon', name, body: addon });
  for (const svc of Object.values(env.services)) {
    const { name, ...body } = svc;
    const sensitive = config.secrets.map((key) => `env.${key}`);
    resources.push({ kind: 'service', name, body: { ...body, env: { ...body.env, ...config.env } }, ...(sensitive.length ? { sensitive } : {}) });
  }
  return { app: env.app, env: env.name, resources };
}
