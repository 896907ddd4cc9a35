import { hostname } from 'node:os';
import { acquireEnvLock } from '../../apply/env-lock.js';
import { DEFAULT_WARM_WINDOW_MS } from '../../defaults.js';
import { processIsAlive } from '../../runtime/proc-table.js';
import type { Store } from '../../state/store.js';
import type { InstanceRecord, ReleaseRecord } from '../../state/types.js';
import type { Fleet } from '../fleet.js';
import { releaseName, serviceOf } from '../release-snapshot.js';

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

  constructor(private readonly deps: { store: Store; fleet: Fleet; now: () => number; log?: (line: string) => void }) {}

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
  }

  private async sweepEnv(app: string, env: string, instances: InstanceRecord[]): Promise<void> {
    const { store, fleet, now } = this.deps;
    const releases = new Map((await store.listReleases(app, env, 1000)).map((r) => [r.version, r]));
    const live = [...releases.values()].find((r) => r.status === 'live');
    if (!live) return;
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
      const stillLive = (await store.listReleases(app, env, 1000)).find((r) => r.status === 'live');
      const stopping = current.filter((i) => i.release !== stillLive?.version);
      if (!stopping.length) return;
      await fleet.stopInstances(stopping.map((i) => i.id));
      const names = [...new Set(stopping.map((i) => releaseName(i.release)))].join(', ');
      await store.appendEvent({ time: now(), app, env, kind: 'release.cooled', message: `stopped ${stopping.length} instance${stopping.length === 1 ? '' : 's'} of ${names}: no longer kept warm`, data: { instances: stopping.map((i) => i.id) } });
    } finally {
      await store.releaseLock(lock.scope, lock.token);
    }
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
