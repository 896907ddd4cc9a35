/**
 * The autoscaler's view of the running platform: the autoscaled services of every live
 * release with their instances (from the fleet: state, CPU, RSS), and the router's latest
 * figures (read every second by the router supervisor).
 */
import type { AutoscaledService, AutoscaleSources } from '../autoscale/controller-types.js';
import type { Fleet } from '../deploy/fleet.js';
import { snapshotOf } from '../deploy/release-snapshot.js';
import type { MetricsSnapshot } from '../router/metrics.js';
import { DEFAULT_AUTOSCALE_RELEASES_REFRESH_MS } from '../defaults.js';
import type { ResolvedService } from '../spec/resolve.js';
import { liveRelease, type Store } from '../state/store.js';

/** Instances that are going away: they no longer count, and take no new requests. */
const LEAVING: ReadonlySet<string> = new Set(['draining', 'stopped']);

/** A live release and its autoscaled services, as last read from the store. */
interface LiveEntry {
  app: string;
  env: string;
  version: number;
  services: ResolvedService[];
}

export class DaemonAutoscaleSources implements AutoscaleSources {
  private live: { at: number; entries: LiveEntry[] } | undefined;

  constructor(
    private readonly store: Store,
    private readonly fleet: Fleet,
    private readonly router: { readonly latest: MetricsSnapshot | undefined },
    private readonly now: () => number,
  ) {}

  metrics(): MetricsSnapshot | undefined {
    return this.router.latest;
  }

  async services(): Promise<AutoscaledService[]> {
    const out: AutoscaledService[] = [];
    let all: Awaited<ReturnType<Fleet['list']>> | undefined;
    for (const { app, env, version, services } of await this.liveReleases()) {
      for (const svc of services) {
        if (!svc.autoscale) continue;
        all ??= await this.fleet.list();
        const started = all.filter((i) => i.app === app && i.env === env && i.service === svc.name && !LEAVING.has(i.state) && !this.fleet.draining.has(i.id));
        out.push({
          app,
          env,
          service: svc.name,
          release: version,
          policy: svc.autoscale,
          routeBase: svc.kind === 'web' ? `${app}.${env}.${svc.name}` : undefined,
          size: { cpu: svc.size.cpu, memory: svc.size.memory },
          current: started.filter((i) => i.release === version).length,
          instances: started.map((i) => ({
            id: i.id,
            // Web instances take traffic once they pass the health gate; workers once they run.
            ready: svc.kind === 'web' ? i.state === 'healthy' : i.state === 'running' || i.state === 'healthy',
            cpuPercent: i.cpuPercent,
            rssBytes: i.rssBytes,
          })),
        });
      }
    }
    return out;
  }

  /**
   * The live releases with autoscaled services, read again at most every few seconds: each
   * read parses every environment's live snapshot, and a daemon that did so every second
   * took CPU from the instances on a small machine (a canary's p99 doubled). A release that
   * went live since is caught by the scale path, which refuses a stale order.
   */
  private async liveReleases(): Promise<LiveEntry[]> {
    const now = this.now();
    if (this.live && now - this.live.at < DEFAULT_AUTOSCALE_RELEASES_REFRESH_MS) return this.live.entries;
    const entries: LiveEntry[] = [];
    for (const app of await this.store.listApps()) {
      for (const env of await this.store.listEnvironments(app.name)) {
        const live = await liveRelease(this.store, app.name, env.name);
        const services = live ? Object.values(snapshotOf(live).environment.services).filter((s) => s.autoscale) : [];
        if (live && services.length) entries.push({ app: app.name, env: env.name, version: live.version, services });
      }
    }
    this.live = { at: now, entries };
    return entries;
  }
}
