import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WharfError } from '../errors.js';
import { Builder } from '../build/builder.js';
import { Fleet } from '../deploy/fleet.js';
import type { TrafficControl } from '../deploy/traffic.js';
import { Operations } from '../deploy/operations.js';
import { Releaser } from '../deploy/releaser.js';
import { randomInt } from 'node:crypto';
import { canBind, DEFAULT_PORT_RANGE, defaultIdentity, PortPool, ProcessDriver, run, type Identity, type OneOffOptions, type OneOffSpec } from '../runtime/index.js';
import type { Store } from '../state/store.js';
import { LocalTarget } from '../targets/local/local-target.js';
import { hostname } from 'node:os';
import { Deployer } from '../deploy/rollout/deployer.js';
import { WarmReaper } from '../deploy/rollout/warm-reaper.js';
import type { MetricsSnapshot } from '../router/metrics.js';
import { processIsAlive } from '../runtime/proc-table.js';

/**
 * The data dir's layout for the local runtime. The dir itself is 0711: app processes (an
 * unprivileged user under root) may pass through it to their builds, but cannot list it,
 * and every file of the daemon's own (state, token, socket, keys) is 0600.
 */
export function runtimeDirs(dataDir: string) {
  const dirs = { builds: join(dataDir, 'builds'), logs: join(dataDir, 'logs'), releases: join(dataDir, 'releases') };
  chmodSync(dataDir, 0o711);
  mkdirSync(dirs.builds, { recursive: true, mode: 0o755 });
  mkdirSync(dirs.logs, { recursive: true, mode: 0o700 });
  mkdirSync(dirs.releases, { recursive: true, mode: 0o700 });
  return dirs;
}

/** The local runtime's components, wired: builds, releases, the fleet and its driver. */
export interface RuntimeHooks {
  /** Instances changed: the router's table should follow. */
  onChange: () => void;
  /** The router, when the daemon runs one. */
  traffic: () => TrafficControl | undefined;
  /** Pushes the router's table now and resolves once it serves it (at once without a router). */
  pushTable: () => Promise<void>;
  /** A fresh reading of the router's figures, or undefined. */
  readMetrics: () => Promise<MetricsSnapshot | undefined>;
}

export function wireLocalRuntime(store: Store, dataDir: string, now: () => number, hooks: RuntimeHooks) {
  const dirs = runtimeDirs(dataDir);
  // Under root, everything of the app's own — build, instances, release and one-off
  // commands — runs as the unprivileged app user, never as the daemon.
  const identity = defaultIdentity();
  if (identity) checkReachable(dirs.builds, identity);
  const runOneOff = (spec: OneOffSpec, options: OneOffOptions) => run(spec, { ...options, identity });
  const builder = new Builder({ buildsDir: dirs.builds, clock: { now }, ...(identity ? { runAs: identity } : {}) });
  const fleet = new Fleet({
    store,
    ports: new PortPool(DEFAULT_PORT_RANGE, canBind, DEFAULT_PORT_RANGE.first + randomInt(DEFAULT_PORT_RANGE.last - DEFAULT_PORT_RANGE.first + 1)),
    logsDir: dirs.logs,
    now,
    onChange: hooks.onChange,
    get traffic() {
      return hooks.traffic();
    },
  });
  const driver = new ProcessDriver({ listener: fleet });
  fleet.attach(driver);
  const releaser = new Releaser({ store, builder, runOneOff, releasesDir: dirs.releases, now });
  const lockHost = { pid: process.pid, hostname: hostname(), isAlive: processIsAlive, now };
  const deployer = new Deployer({ store, fleet, now, pushTable: hooks.pushTable, readMetrics: hooks.readMetrics, lockHost });
  const target = new LocalTarget({ store, releaser, fleet, deployer, now });
  const operations = new Operations({ store, fleet, runOneOff, now });
  const reaper = new WarmReaper({ store, fleet, now, log: (l) => console.log(l) });
  return { builder, fleet, driver, releaser, deployer, reaper, target, operations, dirs, lockHost };
}

/**
 * Apps run as `identity` from their build directory, so every folder above it must let that
 * user pass. Refusing to start is kinder than instances that crash-loop on EACCES.
 */
function checkReachable(dir: string, identity: Identity): void {
  for (let d = dirname(dir); ; d = dirname(d)) {
    const st = statSync(d);
    const passes = st.uid === identity.uid ? st.mode & 0o100 : st.gid === identity.gid ? st.mode & 0o010 : st.mode & 0o001;
    if (!passes) {
      throw new WharfError('USAGE', `the app user (uid ${identity.uid}) cannot reach its builds: ${d} is mode ${(st.mode & 0o777).toString(8)}`, {
        hint: `put the data dir where any user may pass through (e.g. --data-dir /var/lib/wharf), or \`chmod o+x ${d}\``,
      });
    }
    if (d === dirname(d)) return;
  }
}
