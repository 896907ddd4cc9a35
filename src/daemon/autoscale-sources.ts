/**
 * The autoscaler's view of the running platform: the autoscaled services of every live
 * release with their instances (from the fleet: state, CPU, RSS), and the router's latest
 * figures (read every second by the router supervisor).
 */
import type { AutoscaledService, AutoscaleSources } from '../autoscale/controller-types.js';
import type { Fleet } from '../deploy/fleet.js';
import { snapshotOf } from '../deploy/release-snapshot.js';
import type { MetricsSnapshot } from '../router/metrics.js';
import type { Store } from '../state/store.js';

/** Instances that are going away: they no longer count, and take no new requests. */
const LEAVING: ReadonlySet<string> = new Set(['draining', 'stopped']);

export class DaemonAutoscaleSources implements AutoscaleSources {
  constructor(
    private readonly store: Store,
    private readonly fleet: Fleet,
    private readonly router: { readonly latest: MetricsSnapshot | undefined },
  ) {}

  metrics(): MetricsSnapshot | undefined {
    return this.router.latest;
  }

  async services(): Promise<AutoscaledService[]> {
    const out: AutoscaledService[] = [];
    let all: Awaited<ReturnType<Fleet['list']>> | undefined;
    for (const app of await this.store.listApps()) {
      for (const env of await this.store.listEnvironments(app.name)) {
        const live = (await this.store.listReleases(app.name, env.name, 20)).find((r) => r.status === 'live');
        if (!live) continue;
        for (const svc of Object.values(snapshotOf(live).environment.services)) {
          if (!svc.autoscale) continue;
          all ??= await this.fleet.list();
          const started = all.filter((i) => i.app === app.name && i.env === env.name && i.service === svc.name && !LEAVING.has(i.state) && !this.fleet.draining.has(i.id));
          out.push({
            app: app.name,
            env: env.name,
            service: svc.name,
            release: live.version,
            policy: svc.autoscale,
            routeBase: svc.kind === 'web' ? `${app.name}.${env.name}.${svc.name}` : undefined,
            size: { cpu: svc.size.cpu, memory: svc.size.memory },
            current: started.filter((i) => i.release === live.version).length,
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
    }
    return out;
  }
}
