/**
 * Turns what the controller reads each second — the router's metrics snapshot and the
 * runtime's per-instance CPU and memory — into one policy Sample. Pure: the counters of the
 * previous snapshot are passed in and the next ones returned.
 *
 * The router's request counters are cumulative per instance (router/metrics.ts), so the
 * requests of a sample period are the difference between two snapshots of the same router
 * process. A router restart (a new pid) or a counter that went down is a gap for that
 * instance, never zeros: zeros would read as an idle service and let it scale down (see
 * deploy/analysis-reading.ts for the same rule). An instance the previous snapshot of the
 * same router did not have was added after it, so its counter started from zero since.
 *
 * A web instance counts as ready only once it is in the router's table: before, it takes
 * no traffic, and its figures would dilute the others'.
 */
import type { MetricsSnapshot } from '../router/metrics.js';
import { totalOf } from '../deploy/analysis-reading.js';
import type { InstanceFigures, Sample } from './figures.js';

/** One instance of the service as the runtime sees it now. */
export interface InstanceNow {
  id: string;
  /** Passed the health gate (web) or runs (worker), and is not draining. */
  ready: boolean;
  /** 100 = one core busy. */
  cpuPercent?: number | undefined;
  rssBytes?: number | undefined;
}

/** The service's size: the CPU and memory percentages are of these. */
export interface ServiceSize {
  /** Cores; without it, CPU % is of one core. */
  cpu?: number | undefined;
  /** Bytes; without it there is no memory figure. */
  memory?: number | undefined;
}

/** The router's counters at the previous sample, per instance id. */
export interface CounterMemory {
  pid: number;
  time: number;
  requests: ReadonlyMap<string, number>;
  /** The sample made from this snapshot: repeated while the snapshot is the latest and recent. */
  sample: Sample;
}

export interface SampleInput {
  /** Last snapshot the router gave; undefined when it never answered. */
  snapshot: MetricsSnapshot | undefined;
  previous: CounterMemory | undefined;
  /** `app.env.service`, the id of the service's first route; undefined for a worker (no router figures). */
  routeBase: string | undefined;
  instances: readonly InstanceNow[];
  size: ServiceSize;
  /** The policy's sample period: request counts are scaled to it. */
  sampleMs: number;
  /** The controller's clock now. */
  now: number;
  /** A snapshot older than this is no reading any more: the router stopped answering. */
  staleMs: number;
}

export interface SampleOutput {
  /** null when the router's figures are stale (it is not answering): a gap. */
  sample: Sample | null;
  memory: CounterMemory | undefined;
}

export function sampleOf(input: SampleInput): SampleOutput {
  const { snapshot, previous, routeBase, instances, size, sampleMs, now, staleMs } = input;
  const runtime = (i: InstanceNow): InstanceFigures => ({
    ready: i.ready,
    ...(i.cpuPercent === undefined ? {} : { cpuPercent: i.cpuPercent / (size.cpu ?? 1) }),
    ...(i.rssBytes === undefined || size.memory === undefined ? {} : { memoryPercent: (i.rssBytes / size.memory) * 100 }),
  });
  if (routeBase === undefined) return { sample: { instances: instances.map(runtime) }, memory: undefined };
  if (snapshot === undefined || now - snapshot.time > staleMs) return { sample: null, memory: previous };
  // The router supervisor reads the figures every second too, on its own timer: a tick may
  // come before the next read. The figures of that second are the last ones, not a gap.
  if (previous !== undefined && previous.pid === snapshot.pid && previous.time >= snapshot.time) return { sample: previous.sample, memory: previous };
  const router = routerFigures(snapshot, routeBase);
  const comparable = previous !== undefined && previous.pid === snapshot.pid;
  const scale = comparable ? sampleMs / (snapshot.time - previous.time) : 0;
  const figures = instances.map((i): InstanceFigures => {
    const out = runtime(i);
    const now = router.get(i.id);
    if (now === undefined) return { ...out, ready: false }; // not in the router's table yet (or any more)
    out.inflight = now.inFlight;
    const before = comparable ? (previous.requests.get(i.id) ?? 0) : undefined;
    if (before !== undefined && now.requests >= before) out.requests = (now.requests - before) * scale;
    return out;
  });
  const requests = new Map<string, number>();
  for (const [id, f] of router) requests.set(id, f.requests);
  const sample = { instances: figures };
  return { sample, memory: { pid: snapshot.pid, time: snapshot.time, requests, sample } };
}

/** Cumulative requests and in-flight per instance id over the service's routes (`base`, `base#1` …). */
function routerFigures(snapshot: MetricsSnapshot, base: string): Map<string, { requests: number; inFlight: number }> {
  const out = new Map<string, { requests: number; inFlight: number }>();
  for (const route of snapshot.routes) {
    if (route.id !== base && !route.id.startsWith(`${base}#`)) continue;
    for (const group of route.groups) {
      for (const i of group.instances) {
        const f = out.get(i.id) ?? { requests: 0, inFlight: 0 };
        f.requests += totalOf(i.requests);
        f.inFlight += i.inFlight;
        out.set(i.id, f);
      }
    }
  }
  return out;
}
