import { join } from 'node:path';
import type { Certificate, ReleaseGroup, Route, Table } from '../router/table.js';
import type { ResolvedService } from '../spec/resolve.js';
import type { InstanceRecord, ReleaseRecord } from '../state/types.js';
import { DEFAULT_CANARY_STICKY_COOKIE } from '../defaults.js';
import { releaseName, snapshotOf } from './release-snapshot.js';
import type { Split } from './rollout/traffic-splits.js';

/** One environment's share of the table: the release whose spec routes, and its instances. */
export interface EnvTraffic {
  /** The release that defines the routes and takes the traffic (the live one, or the first being deployed). */
  primary: ReleaseRecord;
  instances: readonly InstanceRecord[];
  /** Rollouts under way: the share of each service's traffic a release other than the primary gets. */
  splits?: ReadonlyMap<string, Split> | undefined;
}

/**
 * Instances the router may send requests to: those that passed the health gate. (The
 * router keeps checking them itself after cut-over, and starts them as healthy.)
 */
const SERVING: ReadonlySet<string> = new Set(['healthy']);

/**
 * The router's table for every environment. Pure: the primary release's group takes the
 * traffic (weight 100), or shares it with the release a rollout splits it with (a canary's
 * 5 %); groups of other releases stay warm at weight 0, so rollback is a change of weights;
 * instances being stopped are marked draining.
 */
export function buildTable(envs: readonly EnvTraffic[], draining: ReadonlySet<string>, generation: number): Table {
  const routes: Route[] = [];
  const certificates: Certificate[] = [];
  for (const { primary, instances, splits } of envs) {
    const snap = snapshotOf(primary);
    for (const svc of Object.values(snap.environment.services)) {
      if (svc.kind !== 'web') continue;
      const groups = groupsOf(svc.name, primary, instances, draining, splits?.get(svc.name));
      // A service that scales to zero keeps its routes with nothing behind them: the router
      // holds their requests and asks for an instance (router/hold-queue.ts). Otherwise, with
      // nothing to route to — the first instances are starting, or the last ones are all
      // draining (env destroy, scale down to none) — no route, rather than one the router
      // would refuse along with the rest of the table; it drains instances dropped from it.
      const holds = svc.autoscale?.min === 0;
      if (!holds && !groups.some((g) => g.weight > 0)) continue;
      routesOf(svc).forEach((r, i) => {
        const base = `${primary.app}.${primary.env}.${svc.name}`;
        routes.push({
          id: i === 0 ? base : `${base}#${i}`,
          hosts: r.hosts,
          pathPrefix: r.path,
          httpsRedirect: r.httpsRedirect,
          health: {
            path: svc.health.path,
            intervalMs: svc.health.interval,
            timeoutMs: svc.health.timeout,
            healthyThreshold: svc.health.healthy_threshold,
            unhealthyThreshold: svc.health.unhealthy_threshold,
          },
          drainTimeoutMs: svc.deploy.drain_timeout,
          ...(holds ? { hold: {} } : {}),
          ...(svc.deploy.strategy === 'canary' && svc.deploy.canary.sticky ? { sticky: { cookie: DEFAULT_CANARY_STICKY_COOKIE } } : {}),
          groups,
        });
      });
      const buildDir = snap.builds[svc.name]?.dir;
      for (const r of svc.routes) {
        if (r.tls && buildDir) certificates.push({ hosts: [r.host], certFile: join(buildDir, r.tls.cert), keyFile: join(buildDir, r.tls.key) });
      }
    }
  }
  return { generation, routes, certificates };
}

/** The service's routes, one per path prefix and redirect setting, with all their hosts. */
function routesOf(svc: ResolvedService): { hosts: string[]; path: string; httpsRedirect: boolean }[] {
  const byKey = new Map<string, { hosts: string[]; path: string; httpsRedirect: boolean }>();
  for (const r of svc.routes) {
    const key = `${r.path}\0${r.https_redirect}`;
    const entry = byKey.get(key) ?? { hosts: [], path: r.path, httpsRedirect: r.https_redirect };
    if (!entry.hosts.includes(r.host)) entry.hosts.push(r.host);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

function groupsOf(service: string, primary: ReleaseRecord, instances: readonly InstanceRecord[], draining: ReadonlySet<string>, split: Split | undefined): ReleaseGroup[] {
  const byRelease = new Map<number, ReleaseGroup>();
  for (const i of instances) {
    if (i.service !== service || !SERVING.has(i.state) || i.port === undefined) continue;
    const group = byRelease.get(i.release) ?? { release: releaseName(i.release), weight: 0, instances: [] };
    group.instances.push({ id: i.id, host: '127.0.0.1', port: i.port, ...(draining.has(i.id) ? { draining: true } : {}) });
    byRelease.set(i.release, group);
  }
  const groups = [...byRelease.entries()].sort(([a], [b]) => b - a);
  const takesTraffic = (g: ReleaseGroup) => g.instances.some((i) => !i.draining);
  // The primary release serves; while it has nothing to serve with (its first instances are
  // still starting), the newest release that has keeps serving.
  const serving = groups.find(([v, g]) => v === primary.version && takesTraffic(g)) ?? groups.find(([, g]) => takesTraffic(g));
  if (serving) serving[1].weight = 100;
  // A rollout's share goes to its release only while that release has instances to serve
  // with; a group without any (all draining) never takes traffic from one that has.
  const other = split && split.weight > 0 ? groups.find(([v, g]) => v === split.release && takesTraffic(g)) : undefined;
  if (other && serving && other !== serving) {
    other[1].weight = Math.min(100, split!.weight);
    serving[1].weight = 100 - other[1].weight;
  }
  return groups.map(([, g]) => g);
}
