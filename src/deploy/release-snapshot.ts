import type { ResolvedEnvironment, ResolvedService } from '../spec/resolve.js';
import type { ReleaseRecord } from '../state/types.js';

/** What a release freezes: the environment's resolved spec and the build each service runs. */
export interface ReleaseSnapshot {
  environment: ResolvedEnvironment;
  builds: Record<string, { id: string; dir: string }>;
}

export function snapshotOf(release: ReleaseRecord): ReleaseSnapshot {
  return release.spec as ReleaseSnapshot;
}

/** The service as the release froze it, or undefined if the release has no such service. */
export function serviceOf(release: ReleaseRecord, service: string): { spec: ResolvedService; build: { id: string; dir: string } } | undefined {
  const snap = snapshotOf(release);
  const spec = snap.environment.services[service];
  const build = snap.builds[service];
  return spec && build ? { spec, build } : undefined;
}

/** `v7` */
export function releaseName(version: number): string {
  return `v${version}`;
}

/**
 * The decrypted config of an environment at one version, as its instances get it on top
 * of the spec's env. Version 0 is "no config set". The values are the process environment
 * of the app and go nowhere else.
 */
export type ConfigVars = (app: string, env: string, configVersion: number) => Promise<Record<string, string>>;
