import { releaseName } from '../release-snapshot.js';
import { holdReady, oldestFirst, sides, startFresh } from './instances.js';
import { nextRollingStep, rollingWeight } from './rolling-plan.js';
import { RolloutFailure, type ServiceRollout } from './types.js';

/**
 * Rolling: a few new instances at a time, each past the health gate before an old one is
 * drained for it (rolling-plan.ts decides how many); traffic is shared by ready instances.
 * A web step's new instances then serve next to the old ones for min_ready before one drains
 * (holdReady). Workers take the same path, behind the liveness gate, which is their hold.
 */
export async function rollRolling(r: ServiceRollout): Promise<void> {
  const { max_surge: surge, max_unavailable: unavailable } = r.spec.deploy;
  for (;;) {
    if (r.signals.aborted) throw new RolloutFailure(r.signals.aborted);
    const now = await sides(r);
    const step = nextRollingStep({ desired: r.count, surge, unavailable, fresh: now.fresh.length, old: now.old.length });
    if (step.done) break;
    await startFresh(r, step.start);
    const fresh = now.fresh.length + step.start;
    await r.setWeight(rollingWeight(fresh, now.old.length));
    if (step.start > 0 && step.stop > 0 && r.spec.kind === 'web') {
      const n = step.start === 1 ? '1 new instance serves' : `${step.start} new instances serve`;
      await holdReady(r, (length) => `${n} next to the old ones for ${length} before one drains (min_ready)`);
    }
    if (step.stop > 0) {
      const leaving = oldestFirst(now.old).slice(0, step.stop);
      await r.progress('draining', `draining ${leaving.length} old instance${leaving.length === 1 ? '' : 's'} (${leaving.map((i) => releaseName(i.release)).join(', ')})`, { instances: leaving.map((i) => i.id) });
      await r.setWeight(rollingWeight(fresh, now.old.length - step.stop));
      await r.fleet.stopInstances(leaving.map((i) => i.id));
    }
  }
  await r.setWeight(100);
}
