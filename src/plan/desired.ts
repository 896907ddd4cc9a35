import type { ResolvedEnvironment } from '../spec/resolve.js';
import type { DesiredState } from './types.js';

/** The resources an environment's spec asks for: the environment, its add-ons and its services. */
export function desiredState(env: ResolvedEnvironment): DesiredState {
  const resources: DesiredState['resources'] = [
    { kind: 'environment', name: env.name, body: { release: env.release ?? null, pipeline: env.pipeline } },
  ];
  for (const [name, addon] of Object.entries(env.addons)) resources.push({ kind: 'addon', name, body: addon });
  for (const svc of Object.values(env.services)) {
    const { name, ...body } = svc;
    resources.push({ kind: 'service', name, body });
  }
  return { app: env.app, env: env.name, resources };
}
