import { hostname } from 'node:os';
import { acquireEnvLock } from '../../apply/env-lock.js';
import { DEFAULT_WARM_WINDOW_MS } from '../../defaults.js';
import { processIsAlive } from '../../runtime/proc-table.js';
import { liveRelease, type Store } from '../../state/store.js';
import type { InstanceRecord, ReleaseRecord } from '../../state/types.js';
import type { Fleet } from '../fleet.js';
import { releaseName, serviceOf, snapshotOf } from '../release-snapshot.js';

/** Builds are collected on every this many sweeps (about a minute at the default interval). */
const BUILD_COLLECTION_EVERY = 12;

/**
 * Stops what no longer needs to run: the instances of a superseded release once the warm
 * window of the live release's service has passed (rollback is then a cold start), and
 * any instance of a release that failed or was rolled back. Each sweep takes the
 * environment's lock, so it never races a deploy or a rollback; a busy environment waits
 * for the next sweep.
 */
export class WarmReaper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> = Promise.resolve();

  private sweeps = 0;

  constructor(
    private readonly deps: {
      store: Store;
      fleet: Fleet;
      now: () => number;
      /** Removes old builds, never those in `inUse` (the builder's collect). */
      collectBuilds?: (inUse: ReadonlySet<string>) => Promise<string[]>;
      log?: (line: string) => void;
    },
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.sweeping = this.sweeping.then(() => this.sweep()).catch((e) => this.deps.log?.(`warm reaper: ${(e as Error).message}`));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  async sweep(): Promise<void> {
    const byEnv = new Map<string, InstanceRecord[]>();
    for (const i of await this.deps.fleet.list()) byEnv.set(`${i.app}\0${i.env}`, [...(byEnv.get(`${i.app}\0${i.env}`) ?? []), i]);
    for (const [key, instances] of byEnv) {
      const [app, env] = key.split('\0') as [string, string];
      await this.sweepEnv(app, env, instances);
    }
    if (this.deps.collectBuilds && this.sweeps++ % BUILD_COLLECTION_EVERY === 0) await this.collectBuilds(this.deps.collectBuilds);
  }

  /**
   * Old builds go (the builder keeps the newest few per app), but never the build of a
   * release that runs, is live, or is being deployed: that would pull the directory from
   * under its processes, or make a warm rollback impossible.
   */
  private async collectBuilds(collect: (inUse: ReadonlySet<string>) => Promise<string[]>): Promise<void> {
    const { store, fleet } = this.deps;
    const inUse = new Set<string>();
    const running = await fleet.list();
    for (const { name: app } of await store.listApps()) {
      for (const { name: env } of await store.listEnvironments(app)) {
        const needed = new Map<number, ReleaseRecord | undefined>((await store.listReleasesWithStatus(app, env, ['live', 'deploying', 'pending'])).map((r) => [r.version, r]));
        await this.readReleases(app, env, running.filter((i) => i.app === app && i.env === env), needed);
        for (const r of needed.values()) if (r) for (const b of Object.values(snapshotOf(r).builds)) inUse.add(b.id);
      }
    }
    const removed = await collect(inUse);
    if (removed.length) this.deps.log?.(`collected ${removed.length} old build${removed.length === 1 ? '' : 's'}: ${removed.join(', ')}`);
  }

  private async sweepEnv(app: string, env: string, instances: InstanceRecord[]): Promise<void> {
    const { store, fleet, now } = this.deps;
    const live = await liveRelease(store, app, env);
    if (!live) return;
    const releases = new Map<number, ReleaseRecord | undefined>([[live.version, live]]);
    await this.readReleases(app, env, instances, releases);
    const expired = instances.filter((i) => i.release !== live.version && this.cold(releases.get(i.release), live, i.service));
    if (!expired.length) return;
    let lock;
    try {
      lock = await acquireEnvLock(store, { pid: process.pid, hostname: hostname(), isAlive: processIsAlive, now }, app, env, 'wharf', 'cool');
    } catch {
      return; // a deploy, rollback or scale is under way: next sweep
    }
    try {
      // Read again under the lock: a rollback may have made one of them live meanwhile.
      const current = (await fleet.list({ app, env })).filter((i) => expired.some((e) => e.id === i.id && e.release === i.release));
      const stillLive = await liveRelease(store, app, env);
      const stopping = current.filter((i) => i.release !== stillLive?.version);
      if (!stopping.length) return;
      await fleet.stopInstances(stopping.map((i) => i.id));
      const names = [...new Set(stopping.map((i) => releaseName(i.release)))].join(', ');
      await store.appendEvent({ time: now(), app, env, kind: 'release.cooled', message: `stopped ${stopping.length} instance${stopping.length === 1 ? '' : 's'} of ${names}: no longer kept warm`, data: { instances: stopping.map((i) => i.id) } });
    } finally {
      await store.releaseLock(lock.scope, lock.token);
    }
  }

  /**
   * Adds to `into` the release of each instance it does not hold yet (undefined for one no
   * longer recorded). Only the releases that still run are read: a sweep every few seconds
   * must not parse the snapshots of the environment's whole history.
   */
  private async readReleases(app: string, env: string, instances: readonly { release: number }[], into: Map<number, ReleaseRecord | undefined>): Promise<void> {
    for (const i of instances) if (!into.has(i.release)) into.set(i.release, await this.deps.store.getRelease(app, env, i.release));
  }

  /** A release's instance should stop: its release is not superseded (failed, rolled back, gone) or its warm window passed. */
  private cold(release: ReleaseRecord | undefined, live: ReleaseRecord, service: string): boolean {
    if (!release) return true;
    if (release.status === 'deploying' || release.status === 'pending') return false;
    if (release.status !== 'superseded') return true;
    const window = serviceOf(live, service)?.spec.deploy.warm_window ?? DEFAULT_WARM_WINDOW_MS;
    return this.deps.now() - release.updatedAt >= window;
  }
}
