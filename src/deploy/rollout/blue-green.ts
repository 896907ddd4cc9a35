import { releaseName } from '../release-snapshot.js';
import { sides, startFresh } from './instances.js';
import { RolloutFailure, type ServiceRollout } from './types.js';

/**
 * Blue-green: the whole new set starts and passes the health gate at weight 0, then all
 * traffic switches to it in one table push. The old set keeps running at weight 0 through
 * the warm window (warm-reaper.ts), so a rollback is a switch back.
 */
export async function rollBlueGreen(r: ServiceRollout): Promise<void> {
  await r.setWeight(0);
  const { fresh } = await sides(r);
  await startFresh(r, r.count - fresh.length);
  if (r.signals.aborted) throw new RolloutFailure(r.signals.aborted);
  const started = r.now();
  await r.setWeight(100);
  await r.progress('switched', `traffic switched to ${releaseName(r.release.version)} in ${r.now() - started} ms`, { weight: 100 });
}
