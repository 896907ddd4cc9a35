import { sides, startFresh } from './instances.js';
import type { ServiceRollout } from './types.js';

/**
 * Services without routes (workers): the new set starts and passes the liveness gate, then
 * the old set stops. Two sets run side by side for a moment, as on Heroku; a worker that
 * must never run twice belongs behind a queue or a lock of its own.
 */
export async function rollWorker(r: ServiceRollout): Promise<void> {
  const { fresh } = await sides(r);
  await startFresh(r, r.count - fresh.length);
  // Every other release's workers stop: workers are not kept warm (they would keep working).
  const old = (await r.fleet.active(r.app, r.env, r.service)).filter((i) => i.release !== r.release.version);
  if (old.length) {
    await r.progress('stopping', `stopping ${old.length} old instance${old.length === 1 ? '' : 's'}`, { instances: old.map((i) => i.id) });
    await r.fleet.stopInstances(old.map((i) => i.id));
  }
}
