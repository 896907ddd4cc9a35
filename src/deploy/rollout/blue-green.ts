import { releaseName } from '../release-snapshot.js';
import { holdReady, sides, startFresh } from './instances.js';
import { RolloutFailure, type ServiceRollout } from './types.js';

/**
 * Blue-green: the whole new set starts and passes the health gate at weight 0, then all
 * traffic switches to it in one table push. The old set keeps running at weight 0 through
 * the warm window (warm-reaper.ts), so a rollback is a switch back; one within min_ready, when
 * a new instance breaks on real traffic, is the rollout's own (holdReady).
 */
export async function rollBlueGreen(r: ServiceRollout): Promise<void> {
  await r.setWeight(0);
  const { fresh } = await sides(r);
  await startFresh(r, r.count - fresh.length);
  if (r.signals.aborted) throw new RolloutFailure(r.signals.aborted);
  const started = r.now();
  await r.setWeight(100);
  await r.progress('switched', `traffic switched to ${releaseName(r.release.version)} in ${r.now() - started} ms`, { weight: 100 });
  const stable = r.stable && releaseName(r.stable.version);
  if (stable) await holdReady(r, (length) => `watching ${releaseName(r.release.version)} on all the traffic for ${length} (min_ready); ${stable} stays warm to switch back to`);
}
