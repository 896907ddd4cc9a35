/**
 * The table being served, as live objects. `apply` swaps in a new table in one step: a
 * request sees the old routes or the new ones, never a mix. Instances that stay (same route,
 * id and address) keep their load, health, ejection and figures; instances marked draining
 * or dropped from the table drain; new instances get a health checker.
 */
import { Backend, backendKey } from './backend.js';
import { Drains } from './drain.js';
import { HealthChecker, resolveHealth, type HealthListener } from './health-checker.js';
import type { DemandEvent } from './hold-queue.js';
import { RouteIndex } from './route-match.js';
import { GroupRuntime, RouteRuntime } from './route-runtime.js';
import { emptyTable, type Table } from './table.js';

interface Live {
  backend: Backend;
  route: RouteRuntime;
  checker: HealthChecker;
}

export class RouterState {
  table: Table = emptyTable();
  routes: RouteRuntime[] = [];
  index = new RouteIndex<RouteRuntime['route'] & { runtime: RouteRuntime }>([]);
  readonly drains = new Drains();
  private live = new Map<string, Live>();
  /** Dropped backends still finishing requests, kept until drained. */
  private leaving = new Set<Backend>();
  /** Told when a held route (scaled to zero) receives requests: the admin socket's subscribers. */
  demandListener: ((e: DemandEvent) => void) | undefined;

  constructor(private readonly healthListener?: HealthListener) {}

  apply(table: Table): void {
    const next = new Map<string, Live>();
    const routes: RouteRuntime[] = [];
    const before = new Map(this.routes.map((r) => [r.id, r]));
    for (const route of table.routes) {
      const health = resolveHealth(route.health);
      // A push changes weights and instances, not what was measured: the route's and each
      // release group's figures (counters, latency windows) carry over, so the daemon's
      // analysis and autoscaler see one continuous series, and no histogram is reallocated.
      const previous = before.get(route.id);
      const groups = route.groups.map((g) => new GroupRuntime(g.release, g.weight, [], previous?.groups.find((p) => p.release === g.release)?.stats));
      const rt = new RouteRuntime(route, groups, previous?.stats, (e) => this.demandListener?.(e));
      route.groups.forEach((g, gi) => {
        for (const inst of g.instances) {
          const key = backendKey(route.id, inst.id, inst.host, inst.port);
          const old = this.live.get(key);
          const backend = old?.backend ?? new Backend(inst.id, inst.host, inst.port, g.release);
          const checker = old?.checker ?? new HealthChecker(backend, health, this.healthListener);
          checker.settings = health;
          if (old === undefined) checker.start();
          backend.maxInFlight = rt.limits.maxInFlightPerInstance;
          backend.onRelease = (b) => {
            this.released(b);
            rt.slotFreed();
          };
          groups[gi]!.instances.push(backend);
          next.set(key, { backend, route: rt, checker });
          if (inst.draining === true) this.drains.start(backend, route.id, rt.drainTimeoutMs);
        }
      });
      if (previous !== undefined) rt.adoptQueue(previous);
      routes.push(rt);
    }
    for (const [key, old] of this.live) {
      if (next.has(key)) continue;
      old.checker.stop();
      if (old.backend.inFlight > 0) this.leaving.add(old.backend);
      else old.backend.close();
      this.drains.start(old.backend, old.route.id, old.route.drainTimeoutMs);
    }
    for (const r of this.routes) if (!routes.some((x) => x.id === r.id)) r.close();
    this.live = next;
    this.table = table;
    this.routes = routes;
    this.index = new RouteIndex(routes.map((rt) => Object.assign({}, rt.route, { runtime: rt })));
    // After the switch, so that requests released from a hold are served by the new table.
    for (const rt of routes) rt.seal();
  }

  match(host: string | undefined, path: string): RouteRuntime | undefined {
    return this.index.match(host, path)?.runtime;
  }

  private released(b: Backend): void {
    this.drains.released(b);
    if (this.leaving.has(b) && b.inFlight === 0) {
      this.leaving.delete(b);
      b.close();
    }
  }

  stop(): void {
    for (const l of this.live.values()) l.checker.stop();
    for (const r of this.routes) r.close();
  }
}
