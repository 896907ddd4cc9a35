import { AutoscaleController } from '../autoscale/controller.js';
import { intervalTicker, type RolloutFreeze } from '../autoscale/controller-types.js';
import type { Fleet } from '../deploy/fleet.js';
import type { Operations } from '../deploy/operations.js';
import type { Store } from '../state/store.js';
import { DaemonAutoscaleSources } from './autoscale-sources.js';
import type { RouterSupervisor } from './router-supervisor.js';

/**
 * The autoscaler, wired to the router's figures, the fleet and the `wharf scale` path, and
 * frozen by `freeze` (the deployer) while a rollout of the environment runs: it keeps
 * deciding from old and new instances' load, and acts once the rollout ends.
 */
export function wireAutoscaler(deps: { store: Store; fleet: Fleet; operations: Operations; router: RouterSupervisor; now: () => number; freeze: RolloutFreeze }): AutoscaleController {
  const { store, fleet, operations, router, now, freeze } = deps;
  return new AutoscaleController({
    sources: new DaemonAutoscaleSources(store, fleet, router, now),
    scaler: { scale: async (app, env, service, order) => void (await operations.autoscale(app, env, service, order)) },
    freeze,
    clock: { now },
    ticker: intervalTicker,
    log: (line) => console.log(line),
  });
}
