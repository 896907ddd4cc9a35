import { processIsAlive } from '../runtime/proc-table.js';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Applier } from '../apply/applier.js';
import type { Target } from '../apply/target.js';
import { openStore } from '../state/open-store.js';
import { VERSION } from '../version.js';
import { EventHub } from './event-hub.js';
import { loadOrCreateToken, startControlServer } from './http/index.js';
import { dataDirPaths, type DaemonInfo } from './paths.js';
import { lockRoutes } from './routes/lock-routes.js';
import { runtimeRoutes } from './routes/runtime-routes.js';
import { specRoutes } from './routes/spec-routes.js';
import { systemRoutes } from './routes/system-routes.js';
import { timelineRoutes } from './routes/timeline-routes.js';
import { RouterSupervisor } from './router-supervisor.js';
import { currentTable } from './router-table-source.js';
import { routerRoutes } from './routes/router-routes.js';
import { wireLocalRuntime } from './runtime-wiring.js';
import { recoverRollouts } from '../deploy/rollout/recovery.js';
import { DEFAULT_WARM_REAPER_INTERVAL_MS } from '../defaults.js';
import { deployRoutes } from './routes/deploy-routes.js';
import { appLoader } from './routes/app-loader.js';
import { wireAddons } from './addon-wiring.js';
import { addonRoutes } from './routes/addon-routes.js';
import { Keyring } from '../config/keyring.js';
import { configVarsFrom, latestConfigValue } from '../config/config-vars.js';
import { wireConfig } from './config-wiring.js';
import type { AutoscaleController } from '../autoscale/controller.js';
import { wireAutoscaler } from './autoscale-wiring.js';
import { autoscaleRoutes } from './routes/autoscale-routes.js';

export interface DaemonOptions {
  dataDir: string;
  /** Also serve the control API on TCP (bearer token required), e.g. for the dashboard. */
  listen?: { host: string; port: number } | undefined;
  /** Where applied resources become real. @default the local runtime */
  target?: Target;
  /**
   * Run the router (the data plane) and serve routed HTTP on `listen`; without it, instances
   * serve on their own ports. `realtime`: its event loop's CPU class (router-supervisor.ts).
   */
  router?: { listen: { host: string; port: number }; realtime?: boolean | undefined } | undefined;
  now?: () => number;
}

export interface Daemon {
  socketPath: string;
  /** The TCP URL, when listening on TCP. */
  url?: string | undefined;
  token: string;
  stop(): Promise<void>;
}

/**
 * The control daemon: the composition root, and the only place where Wharf's components are
 * wired together. Everything else takes its collaborators as constructor arguments.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const now = options.now ?? Date.now;
  const paths = dataDirPaths(options.dataDir);
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  const rawStore = await openStore(paths.dataDir);
  let runtime: ReturnType<typeof wireLocalRuntime> | undefined;
  let router: RouterSupervisor | undefined;
  let stopSupervising: (() => void) | undefined;
  let autoscaler: AutoscaleController | undefined;
  try {
    // First: a missing or wrong master key stops the start before anything is written.
    const keyring = await Keyring.open(rawStore, paths.dataDir, process.env);
    const token = await loadOrCreateToken(paths.dataDir);
    const hub = await EventHub.create(rawStore);
    const store = hub.observe(rawStore);
    const addons = wireAddons(store, paths.dataDir, now, (app, env, key) => latestConfigValue(store, keyring, app, env, key));
    const fromConfig = configVarsFrom(store, keyring);
    runtime = wireLocalRuntime(store, paths.dataDir, now, {
      onChange: () => void router?.push(),
      traffic: () => router,
      pushTable: async () => router?.push(),
      readMetrics: async () => router?.readFresh(),
      addons: addons.manager,
      // An instance's environment: the spec's env, then its add-ons' URLs (DATABASE_URL …),
      // then the config set for its release (`wharf config set` wins, as on Heroku).
      configVars: async (app, env, version) => ({ ...(await addons.manager.varsFor(app, env)), ...(await fromConfig(app, env, version)) }),
    });
    if (options.router) {
      const { fleet, deployer } = runtime;
      router = new RouterSupervisor({
        dataDir: paths.dataDir,
        listen: options.router.listen,
        table: (g) => currentTable(store, fleet, deployer.splits, g),
        log: (l) => console.log(l),
        onDemand: (e) => void autoscaler?.demand(e.routeId),
        realtime: options.router.realtime,
      });
      const { adopted, pid } = await router.start();
      console.log(`${adopted ? 'adopted the running router' : 'started the router'} (pid ${pid}) on ${options.router.listen.host}:${options.router.listen.port}`);
    }
    const recovered = await runtime.fleet.recover();
    if (recovered.adopted || recovered.restarted) {
      console.log(`re-adopted ${recovered.adopted} running instances, restarted ${recovered.restarted} that had died`);
    }
    // Managed add-on servers outlive the daemon like instances: adopt them, or start them again.
    for (const [type, r] of Object.entries(await addons.servers.recover())) {
      console.log(r.error ? `the managed ${type} server did not start: ${r.error}` : `managed ${type} server running (pid ${r.pid})`);
    }
    stopSupervising = addons.supervise();
    // Rollouts the previous daemon left half-way: traffic is already on the live release
    // (splits live in memory only); roll them back, or finish a first one, in the background.
    const { fleet: recoveredFleet, lockHost } = runtime;
    const rollouts = recoverRollouts({ store, fleet: recoveredFleet, host: lockHost, log: (l) => console.log(l) }).catch((e) => console.log(`recovery failed: ${(e as Error).message}`));
    runtime.reaper.start(DEFAULT_WARM_REAPER_INTERVAL_MS);
    // The autoscaler reads the router's figures: it runs when the router does. A rollout
    // freezes it (the deployer's hook): it keeps deciding, and acts once the rollout ends.
    if (router) autoscaler = wireAutoscaler({ store, fleet: runtime.fleet, operations: runtime.operations, router, now, freeze: runtime.deployer });
    autoscaler?.start();
    const target = options.target ?? runtime.target;
    const applier = new Applier(store, target, { pid: process.pid, hostname: hostname(), isAlive: processIsAlive, now });
    const configs = wireConfig({
      store, keyring, runtime, applier, now,
      addons: {
        copyData: async (app, from, to, addon) => void (await addons.backups.copyData(app, from, to, addon)),
        releaseAddons: async (app, env) => {
          for (const a of await addons.manager.list(app, env)) await addons.manager.detach(app, env, a.name, `environment ${env} destroyed`);
        },
      },
    });
    const apps = appLoader({ store, planConfig: configs.planConfig });
    const startedAt = now();
    const server = await startControlServer({
      socketPath: paths.socket,
      ...(options.listen ? { tcp: options.listen } : {}),
      token,
      routes: [
        ...systemRoutes(store, { dataDir: paths.dataDir, startedAt, router: () => (router ? { pid: router.pid, listen: options.router!.listen, ...router.priority } : null) }),
        ...(router ? routerRoutes(router, store, now) : []),
        ...specRoutes(applier, apps),
        ...configs.routes,
        ...timelineRoutes(store, hub),
        ...lockRoutes(store, now),
        ...runtimeRoutes({ store, fleet: runtime.fleet, operations: runtime.operations, logsDir: runtime.dirs.logs }),
        ...autoscaleRoutes(autoscaler),
        ...deployRoutes(applier, runtime.deployer, apps),
        ...addonRoutes({ store, manager: addons.manager, backups: addons.backups, now }),
      ],
    });
    const info: DaemonInfo = { pid: process.pid, socket: server.socketPath, url: server.tcp?.url, version: VERSION, startedAt };
    configs.startReaper();
    writeFileSync(paths.daemonInfo, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
    let stopped: Promise<void> | undefined;
    const { driver, fleet, reaper } = runtime;
    return {
      socketPath: server.socketPath,
      url: server.tcp?.url,
      token,
      stop: () =>
        (stopped ??= (async () => {
          await server.stop();
          await configs.reaper.stop();
          await autoscaler?.stop();
          await reaper.stop();
          await rollouts;
          // Instances, the router and the add-on servers outlive the daemon: stop supervising them, never the processes.
          stopSupervising?.();
          router?.detach();
          await driver.detach();
          await fleet.settled();
          await hub.settled();
          await rawStore.close();
          rmSync(paths.daemonInfo, { force: true });
        })()),
    };
  } catch (e) {
    // A daemon that failed to start must exit: let go of the router and the instances (they
    // keep running) and of the driver's timers, which would otherwise keep the process alive.
    await autoscaler?.stop();
    router?.detach();
    await runtime?.reaper.stop();
    stopSupervising?.();
    await runtime?.driver.detach();
    await rawStore.close();
    throw e;
  }
}
