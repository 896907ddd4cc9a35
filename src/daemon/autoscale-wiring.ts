import { AutoscaleController } from '../autoscale/controller.js';
import { intervalTicker, type RolloutFreeze } from '../autoscale/controller-types.js';
import type { Fleet } from '../deploy/fleet.js';
import type { Operations } from '../deploy/operations.js';
import type { Store } from '../state/store.js';
import { DaemonAutoscaleSources } from './autoscale-sources.js';
import type { RouterSupervisor } from './router-supervisor.js';

/**
 * Until the deploy engine exposes its rollout freeze, nothing is frozen here: a rollout
 * holds the environment's lock, the autoscaler's scale is refused with LOCK_HELD, and the
 * controller decides afresh the next second — so it acts only after the rollout ends.
 */
const NO_FREEZE: RolloutFreeze = { frozen: () => false };

/** The autoscaler, wired to the router's figures, the fleet and the `wharf scale` path. */
export function wireAutoscaler(deps: { store: Store; fleet: Fleet; operations: Operations; router: RouterSupervisor; now: () => number; freeze?: RolloutFreeze }): AutoscaleController {
  const { store, fleet, operations, router, now } = deps;
  return new AutoscaleController({
    sources: new DaemonAutoscaleSources(store, fleet, router, now),
    scaler: { scale: async (app, env, service, order) => void (await operations.autoscale(app, env, service, order)) },
    freeze: deps.freeze ?? NO_FREEZE,
    clock: { now },
    ticker: intervalTicker,
    log: (line) => console.log(line),
  });
}
