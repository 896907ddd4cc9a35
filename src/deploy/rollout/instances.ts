import { WharfError } from '../../errors.js';
import { formatDuration } from '../../spec/duration.js';
import type { InstanceRecord } from '../../state/types.js';
import { releaseName } from '../release-snapshot.js';
import { RolloutFailure, type ServiceRollout } from './types.js';

/**
 * The service's active instances of the new release, and the ones it replaces: those of the
 * stable (live) release, or of any other release on a first deploy. Instances of older
 * releases kept warm at weight 0 are not replaced: the warm reaper stops them in time.
 */
export async function sides(r: ServiceRollout): Promise<{ fresh: InstanceRecord[]; old: InstanceRecord[] }> {
  const all = await r.fleet.active(r.app, r.env, r.service);
  const replaced = (i: InstanceRecord) => (r.stable ? i.release === r.stable.version : i.release !== r.release.version);
  return { fresh: all.filter((i) => i.release === r.release.version), old: all.filter(replaced) };
}

/** Starts `n` instances of the new release behind the health (or liveness) gate; a failed gate fails the rollout. */
export async function startFresh(r: ServiceRollout, n: number): Promise<string[]> {
  if (n <= 0) return [];
  await r.progress('starting', `starting ${n} instance${n === 1 ? '' : 's'} of ${releaseName(r.release.version)}`, { count: n });
  try {
    const ids = await r.fleet.startReady(r.app, r.env, r.service, r.release, n);
    await r.progress('ready', `${n} instance${n === 1 ? '' : 's'} of ${releaseName(r.release.version)} passed the ${r.spec.kind === 'web' ? 'health' : 'liveness'} gate`, { instances: ids });
    return ids;
  } catch (e) {
    if (e instanceof WharfError && e.code === 'DEPLOY_FAILED') throw new RolloutFailure(e.message);
    throw e;
  }
}

/**
 * A new instance that stopped serving after it passed the gate (crashed, restarting,
 * failing the router's checks): the rollout's reason to stop.
 */
export async function brokenFresh(r: ServiceRollout): Promise<string | undefined> {
  const { fresh } = await sides(r);
  const bad = fresh.find((i) => i.state === 'crashed' || i.state === 'crash-loop' || i.state === 'unhealthy' || i.restarts > 0);
  if (!bad) return undefined;
  return `${bad.id} is ${bad.state}${bad.reason ? ` (${bad.reason})` : ''} after ${bad.restarts} restart${bad.restarts === 1 ? '' : 's'}`;
}

/** How often a min_ready hold looks at the new instances: a crash ends it within this. */
const HOLD_CHECK_MS = 250;

/**
 * The min_ready hold (deploy.min_ready; Kubernetes' minReadySeconds): the new instances
 * serve real traffic for that long before the rollout goes on, and one that breaks in that
 * time (brokenFresh) fails the rollout while what it would have replaced still runs. An
 * abort fails it at once; a promote ends it. `say` words the hold for its length.
 */
export async function holdReady(r: ServiceRollout, say: (length: string) => string): Promise<void> {
  const ms = r.spec.deploy.min_ready ?? 0; // a release frozen before min_ready existed has none
  if (ms <= 0) return;
  await r.progress('holding', say(formatDuration(ms)), { ms });
  const end = r.now() + ms;
  for (;;) {
    await r.signals.sleep(Math.max(0, Math.min(end - r.now(), HOLD_CHECK_MS)));
    if (r.signals.aborted) throw new RolloutFailure(r.signals.aborted);
    const broken = await brokenFresh(r);
    if (broken) throw new RolloutFailure(`${releaseName(r.release.version)} broke within min_ready (${formatDuration(ms)}) on real traffic: ${broken}`, { minReadyMs: ms });
    if (r.now() >= end || r.signals.promoted) return;
  }
}

/** Oldest first, so the instances that served longest go first. */
export function oldestFirst(list: InstanceRecord[]): InstanceRecord[] {
  return [...list].sort((a, b) => a.createdAt - b.createdAt);
}
