import { hostname } from 'node:os';
import type { Applier } from '../apply/applier.js';
import { ConfigService } from '../config/config-service.js';
import { configForPlan } from '../config/config-view.js';
import type { Keyring } from '../config/keyring.js';
import { DEFAULT_ENV_REAP_INTERVAL_MS } from '../defaults.js';
import { EnvManager, type AddonData } from '../envs/env-manager.js';
import { EnvReaper } from '../envs/env-reaper.js';
import { WharfError } from '../errors.js';
import { processIsAlive } from '../runtime/proc-table.js';
import type { Store } from '../state/store.js';
import { configRoutes } from './routes/config-routes.js';
import { envRoutes } from './routes/env-routes.js';
import type { wireLocalRuntime } from './runtime-wiring.js';

/**
 * Until the add-ons component is wired in: environments have no add-ons to let go of, and
 * `--with-data` has nothing to copy with, which it says rather than cloning without data.
 */
const NO_ADDONS: AddonData = {
  copyData: async (app, from, to, addon) => {
    throw new WharfError('TARGET_FAILED', `cannot copy the data of add-on ${addon} from ${app}/${from} to ${to}: add-on snapshots are not wired in yet`, {
      hint: 'clone without --with-data',
    });
  },
  releaseAddons: async () => undefined,
};

/** Config, secrets and environments, wired: their services, routes and the preview reaper. */
export function wireConfig(deps: { store: Store; keyring: Keyring; runtime: ReturnType<typeof wireLocalRuntime>; applier: Applier; now: () => number; addons?: AddonData }) {
  const { store, keyring, runtime, applier, now } = deps;
  const lockHost = { pid: process.pid, hostname: hostname(), isAlive: processIsAlive, now };
  const config = new ConfigService({ store, keyring, releases: runtime.releaser, rollout: { rollOut: (release, by) => runtime.deployer.rollOut(release, { by }) }, lockHost });
  const stopInstances = async (app: string, env: string) => {
    const services = new Set((await store.listInstances({ app, env })).map((i) => i.service));
    // In parallel: each service's stop waits for its drain and its processes' exit, which
    // one after another made destroying 40 services take ~3.4 s.
    await Promise.all([...services].map((service) => runtime.fleet.stopService(app, env, service)));
  };
  const envs = new EnvManager({ store, apply: (req) => applier.apply(req), config, keyring, stopInstances, addons: deps.addons ?? NO_ADDONS, lockHost });
  const reaper = new EnvReaper({ store, envs, now, log: (line) => console.log(line) });
  return {
    config,
    envs,
    reaper,
    startReaper: () => reaper.start(DEFAULT_ENV_REAP_INTERVAL_MS),
    routes: [...configRoutes(store, config), ...envRoutes(envs)],
    planConfig: async (app: string, env: string) => configForPlan((await store.getConfig(app, env))?.entries ?? []),
  };
}
