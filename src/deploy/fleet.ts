import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { WharfError } from '../errors.js';
import type { Driver, InstanceListener, InstanceSpec, InstanceStatus, PortPool, RecordedInstance } from '../runtime/index.js';
import type { InstanceState } from '../runtime/lifecycle.js';
import type { Store } from '../state/store.js';
import type { InstanceRecord, ReleaseRecord } from '../state/types.js';
import { releaseName, serviceOf, type ConfigVars } from './release-snapshot.js';
import { passHealthGate, warmUp } from './health-gate.js';
import { BOOT_NICENESS, DEFAULT_WORKER_LIVENESS_MS } from '../defaults.js';
import type { TrafficControl } from './traffic.js';

export interface FleetDeps {
  store: Store;
  ports: PortPool;
  /** Instance logs: `<logsDir>/<app>/<env>/<instance id>/`. */
  logsDir: string;
  now: () => number;
  /** Told whenever instances start, stop or change state (the router's table follows them). */
  onChange?: () => void;
  /** The router: new web instances must pass its health gate, old ones are drained through it. */
  traffic?: TrafficControl | undefined;
  /** The release's config, set on top of the spec's env (set wins). @default none */
  configVars?: ConfigVars | undefined;
}

/** An instance as `wharf ps` shows it: the record, with the driver's live figures. */
export interface InstanceView extends InstanceRecord {
  cpuPercent?: number | undefined;
  rssBytes?: number | undefined;
  startedAt?: number | undefined;
}

/** Started, not yet told to stop: these count towards a service's instances. */
const ACTIVE: ReadonlySet<string> = new Set<InstanceState>(['starting', 'running', 'healthy', 'unhealthy', 'crashed', 'crash-loop']);
/** Transitions worth a line on the timeline. */
const NOTABLE: ReadonlySet<string> = new Set<InstanceState>(['crashed', 'crash-loop', 'unhealthy', 'stopped']);

/**
 * The instances of every environment: starts, scales, rolls and stops them through the
 * driver, keeps their records in the store, and turns the driver's transitions into
 * records and events. The only component that asks the driver to do anything.
 */
export interface StartOptions {
  /**
   * Warm new web instances up before they take traffic (deploy.warmup_requests); default
   * true. Scale from zero says false: requests are already waiting for the instance.
   */
  warmup?: boolean;
}

export class Fleet implements InstanceListener {
  /** Instances being taken out of rotation before they stop (the router's table marks them). */
  readonly draining = new Set<string>();
  private driver: Driver | undefined;
  private pending: Promise<void> = Promise.resolve();
  /** The health gate of each web instance that is running and not yet healthy. */
  private readonly gates = new Map<string, Promise<boolean>>();
  /** Instances started without a warm-up (scale from zero), until their first gate. */
  private readonly unwarmed = new Set<string>();

  constructor(private readonly deps: FleetDeps) {}

  /** The driver reports to the fleet, so the two are wired after both exist. */
  attach(driver: Driver): void {
    this.driver = driver;
  }

  /**
   * Brings the service's instances of `release` to `count`: new ones must start and, for a
   * web service, pass the health gate (startReady); extra ones are drained and stopped.
   */
  async scale(app: string, env: string, service: string, release: ReleaseRecord, count: number, opts: StartOptions = {}): Promise<void> {
    if (!serviceOf(release, service)) {
      throw new WharfError('NOT_FOUND', `${releaseName(release.version)} of ${app}/${env} has no service ${service}`);
    }
    const mine = (await this.active(app, env, service)).filter((r) => r.release === release.version);
    if (mine.length > count) {
      const newestFirst = [...mine].sort((a, b) => b.createdAt - a.createdAt);
      await Promise.all(newestFirst.slice(0, mine.length - count).map((r) => this.stopOne(r.id)));
      return;
    }
    await this.startReady(app, env, service, release, count - mine.length, opts);
  }

  /**
   * Starts `n` instances and waits until each runs (its port bound) and, for a web service,
   * has passed the health gate, or for a worker, has kept running through the liveness
   * window. If any does not, all `n` are stopped again and it throws: the instances that
   * were already running are never touched. Returns the new instances' ids.
   */
  async startReady(app: string, env: string, service: string, release: ReleaseRecord, n: number, opts: StartOptions = {}): Promise<string[]> {
    const spec = serviceOf(release, service)!.spec;
    const started = await Promise.all(Array.from({ length: n }, () => this.startOne(app, env, service, release, opts)));
    const notRunning = started.filter((s) => s.state !== 'running' && s.state !== 'healthy');
    let problem: string | undefined;
    if (notRunning.length) {
      problem = `${notRunning.length} of ${n} new instance${n === 1 ? '' : 's'} of ${releaseName(release.version)} did not start (${notRunning[0]!.reason ?? notRunning[0]!.state})`;
    } else if (spec.kind === 'web') {
      const verdicts = await Promise.all(started.map((s) => this.gate(s.id)));
      const failing = verdicts.filter((passed) => !passed).length;
      if (failing) problem = `${failing} new instance${failing === 1 ? '' : 's'} of ${releaseName(release.version)} did not pass the health gate within ${Math.round(spec.deploy.timeout / 1000)}s (GET ${spec.health.path})`;
    } else if (n > 0) {
      problem = await this.liveness(started.map((s) => s.id), release);
    }
    // The verdicts are recorded through the transition queue; the next table push (e.g. the
    // old instances' drain) must see the new ones healthy, or the route is briefly empty.
    await this.settled();
    if (problem === undefined) return started.map((s) => s.id);
    await Promise.all(started.map((s) => this.stopOne(s.id)));
    throw new WharfError('DEPLOY_FAILED', `${service}: ${problem}`, {
      hint: `\`wharf logs -s ${service}\` and \`wharf events\` show why; the instances that were running still are`,
    });
  }

  /**
   * The health gate of a web instance, run once per time it comes up (first start, restart
   * after a crash): on passing, the instance becomes healthy and enters the router's table.
   */
  private gate(id: string): Promise<boolean> {
    const existing = this.gates.get(id);
    if (existing) return existing;
    // An instance started without a warm-up skips it at its first gate only (not after a crash).
    const warmup = !this.unwarmed.delete(id);
    const run = (async () => {
      const { store, now } = this.deps;
      const web = await this.webInstance(id);
      if (!web) return false;
      const { r, frozen } = web;
      const deadline = now() + frozen.spec.deploy.timeout;
      const live = () => ['running', 'healthy', 'unhealthy'].includes(this.driver?.inspect(id)?.state ?? '');
      // The warm-up starts at the first probe that passes, and runs while the gate waits for
      // the next ones (1 s apart by default): the instance answers by then, and would idle.
      const requests = warmup ? frozen.spec.deploy.warmup_requests : 0;
      const stopWarmUp = new AbortController();
      let warming: Promise<number> | undefined;
      const onPass = (): void => {
        warming ??= warmUp(r.port, frozen.spec.health, requests, deadline, { now, signal: stopWarmUp.signal });
      };
      const { passed, last } = await passHealthGate(r.port, frozen.spec.health, deadline, live, now, requests > 0 ? onPass : undefined);
      if (!passed) stopWarmUp.abort();
      const warmed = await warming;
      if (!live()) return false;
      await this.driver?.markHealth(id, passed);
      const event = { time: now(), app: r.app, env: r.env, service: r.service };
      if (!passed) {
        await store.appendEvent({ ...event, kind: 'instance.gate-failed', message: `${id} did not pass the health gate (GET ${frozen.spec.health.path}: ${last?.detail ?? 'no answer'})`, data: { instance: id, last } });
      } else if (warmed !== undefined && warmed < requests) {
        await store.appendEvent({ ...event, kind: 'instance.warmup-cut', message: `${id} takes traffic after ${warmed} of its ${requests} warm-up requests: the deploy timeout came first`, data: { instance: id, warmed, requests } });
      }
      return passed;
    })().finally(() => this.gates.delete(id));
    this.gates.set(id, run);
    return run;
  }

  /**
   * Warms running web instances up again before they take traffic back, as at their gate
   * (deploy.warmup_requests on the health path, at boot priority): a warm rollback's. A
   * release out of traffic has lost its warm-up: once a Node process has idled 30-60 s,
   * V8's memory reducer runs full GCs that throw away the optimised code of its whole HTTP
   * path (44 functions of the example app, `--trace-deopt`), and the first seconds of
   * traffic after the switch ran at up to twice the CPU per request. Ends at `deadline`: a
   * rollback must not wait long. Resolves with the requests each instance answered.
   */
  async rewarm(ids: readonly string[], deadline: number): Promise<number[]> {
    const { now } = this.deps;
    return Promise.all(
      ids.map(async (id) => {
        const web = await this.webInstance(id);
        const requests = web?.frozen.spec.deploy.warmup_requests ?? 0;
        if (!web || requests === 0) return 0;
        await this.driver?.setWarming(id, true);
        try {
          return await warmUp(web.r.port, web.frozen.spec.health, requests, deadline, { now });
        } finally {
          await this.driver?.setWarming(id, false);
        }
      }),
    );
  }

  /**
   * The liveness gate of workers, which have no health path: every new instance must still
   * run, with no restart, at the end of the window. A release that crashes at boot fails it.
   */
  private async liveness(ids: string[], release: ReleaseRecord): Promise<string | undefined> {
    await new Promise((r) => setTimeout(r, DEFAULT_WORKER_LIVENESS_MS));
    const failing = ids.map((id) => this.driver?.inspect(id)).filter((s) => !s || s.state !== 'running' || s.restarts > 0);
    if (!failing.length) return undefined;
    const first = failing[0];
    return `${failing.length} new instance${failing.length === 1 ? '' : 's'} of ${releaseName(release.version)} did not keep running for ${DEFAULT_WORKER_LIVENESS_MS / 1000}s (${first ? `${first.state}${first.reason ? `: ${first.reason}` : ''}, ${first.restarts} restarts` : 'gone'})`;
  }

  async stopService(app: string, env: string, service: string): Promise<void> {
    await this.stopInstances((await this.active(app, env, service)).map((r) => r.id));
  }

  /** Drains (web) and stops these instances, in parallel, and forgets them. */
  async stopInstances(ids: readonly string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.stopOne(id)));
  }

  /** Replaces each instance with a new one of the same release, one at a time. */
  async restart(app: string, env: string, service?: string): Promise<number> {
    const list = (await this.deps.store.listInstances({ app, env, ...(service ? { service } : {}) })).filter((r) => ACTIVE.has(r.state));
    for (const old of list) {
      const release = await this.deps.store.getRelease(app, env, old.release);
      if (!release) continue;
      // The replacement must be ready (and routed) before the old one is drained and stopped.
      await this.startReady(app, env, old.service, release, 1);
      await this.stopOne(old.id);
    }
    return list.length;
  }

  async list(filter: { app?: string; env?: string; service?: string } = {}): Promise<InstanceView[]> {
    const records = await this.deps.store.listInstances(filter);
    return records.map((r) => {
      const live = this.driver?.inspect(r.id);
      return { ...r, ...(live ? { cpuPercent: live.cpuPercent, rssBytes: live.rssBytes, startedAt: live.startedAt } : {}) };
    });
  }

  /**
   * After a daemon restart: re-adopts the recorded instances that still run (the same
   * processes: never a second copy) and starts again the ones that died meanwhile.
   */
  async recover(): Promise<{ adopted: number; restarted: number }> {
    const { store } = this.deps;
    const recorded: RecordedInstance[] = [];
    const specs = new Map<string, InstanceSpec>();
    for (const r of await store.listInstances()) {
      const release = await store.getRelease(r.app, r.env, r.release);
      if (!release || !serviceOf(release, r.service) || r.state === 'stopped') {
        await store.deleteInstance(r.id);
        continue;
      }
      const spec = await this.specOf(r.id, release, r.service, r.port);
      specs.set(r.id, spec);
      if (r.port !== undefined) this.deps.ports.reserve(r.id, r.port);
      recorded.push({ spec, state: r.state, pid: r.pid, pidStartTime: r.pidStartTime, restarts: r.restarts });
    }
    const { adopted, dead } = await this.requireDriver().recover(recorded);
    for (const status of adopted) {
      await this.record(status.id, status);
      if (status.state === 'running' && status.port !== undefined) void this.gate(status.id);
    }
    let restarted = 0;
    for (const { id } of dead) {
      const record = await store.getInstance(id);
      if (!record || record.state === 'draining') {
        this.deps.ports.release(id);
        await store.deleteInstance(id);
        continue;
      }
      await this.record(id, await this.requireDriver().start(specs.get(id)!));
      restarted++;
    }
    this.deps.onChange?.();
    return { adopted: adopted.length, restarted };
  }

  // InstanceListener: the driver's reports, recorded in order.
  onTransition(id: string, from: InstanceState, to: InstanceState, reason: string | undefined): void {
    this.pending = this.pending.then(() => this.recordTransition(id, from, to, reason)).catch(() => undefined);
  }

  onProblem(id: string, problem: string): void {
    this.pending = this.pending.then(async () => {
      const r = await this.deps.store.getInstance(id);
      if (r) await this.deps.store.appendEvent({ time: this.deps.now(), app: r.app, env: r.env, service: r.service, kind: 'instance.problem', message: `${id}: ${problem}` });
    }).catch(() => undefined);
  }

  /** Waits until every reported transition is recorded. */
  settled(): Promise<void> {
    return this.pending;
  }

  private async recordTransition(id: string, from: InstanceState, to: InstanceState, reason: string | undefined): Promise<void> {
    const { store, now } = this.deps;
    const r = await store.getInstance(id);
    if (!r) return;
    // A web instance that comes (back) up is routed again only once it passes the gate.
    if (to === 'running' && r.port !== undefined) void this.gate(id);
    const live = this.driver?.inspect(id);
    await store.putInstance({ ...r, state: to, reason, pid: live?.pid ?? r.pid, pidStartTime: live?.pidStartTime ?? r.pidStartTime, restarts: live?.restarts ?? r.restarts, updatedAt: now() });
    if (NOTABLE.has(to)) {
      await store.appendEvent({ time: now(), app: r.app, env: r.env, service: r.service, kind: `instance.${to}`, message: `${id} ${from} → ${to}${reason ? ` (${reason})` : ''}`, data: { instance: id, from, to, reason } });
    }
    this.deps.onChange?.();
  }

  private async startOne(app: string, env: string, service: string, release: ReleaseRecord, opts: StartOptions = {}): Promise<InstanceStatus> {
    const { store, ports, now } = this.deps;
    const id = `${app}.${env}.${service}.${releaseName(release.version)}.${randomBytes(3).toString('hex')}`;
    // Its gate runs when the driver says it runs, which may be before startReady asks for it.
    if (opts.warmup === false) this.unwarmed.add(id);
    const web = serviceOf(release, service)!.spec.kind === 'web';
    const port = web ? await ports.allocate(id) : undefined;
    // Recorded before it is spawned, so that a daemon dying right after can find it again.
    await store.putInstance({ id, app, env, service, release: release.version, state: 'starting', port, restarts: 0, createdAt: now(), updatedAt: now() });
    const status = await this.requireDriver().start(await this.specOf(id, release, service, port));
    await this.record(id, status);
    this.deps.onChange?.();
    return status;
  }

  private async stopOne(id: string): Promise<void> {
    this.unwarmed.delete(id);
    await this.drain(id);
    await this.requireDriver().stop(id, { forget: true });
    await this.pending;
    this.deps.ports.release(id);
    await this.deps.store.deleteInstance(id);
    // Draining until its record is gone: the router's drain is one way, and a table that
    // listed the instance as serving again (its record still saying healthy) would give its
    // release the traffic with no instance the router will use.
    this.draining.delete(id);
    this.deps.onChange?.();
  }

  /** A web instance stops taking requests, and its in-flight ones finish, before it is stopped. */
  private async drain(id: string): Promise<void> {
    const { traffic } = this.deps;
    const web = traffic && (await this.webInstance(id));
    // Only a healthy instance is in the router's table (route-table.ts). One that never passed
    // its gate, or has failed since, gets no requests: waiting for the router to say it
    // drained would wait out the whole drain timeout (a failed deploy took 30 s longer).
    if (!web || web.r.state !== 'healthy') return;
    const { frozen } = web;
    await this.settled();
    this.draining.add(id);
    this.deps.onChange?.();
    await traffic.awaitDrained([id], frozen.spec.deploy.drain_timeout);
  }

  /** Instance `id` with its release's frozen spec, when it is a web instance with a port. */
  private async webInstance(id: string): Promise<{ r: InstanceRecord & { port: number }; frozen: NonNullable<ReturnType<typeof serviceOf>> } | undefined> {
    const { store } = this.deps;
    const r = await store.getInstance(id);
    const release = r && (await store.getRelease(r.app, r.env, r.release));
    const frozen = release && serviceOf(release, r.service);
    if (!r || !frozen || frozen.spec.kind !== 'web' || r.port === undefined) return undefined;
    return { r: { ...r, port: r.port }, frozen };
  }

  private async record(id: string, status: InstanceStatus): Promise<void> {
    const r = await this.deps.store.getInstance(id);
    if (!r) return;
    await this.deps.store.putInstance({ ...r, state: status.state, reason: status.reason, pid: status.pid, pidStartTime: status.pidStartTime, restarts: status.restarts, updatedAt: this.deps.now() });
  }

  /** The service's instances that are started and not yet told to stop, of every release. */
  async active(app: string, env: string, service: string): Promise<InstanceRecord[]> {
    return (await this.deps.store.listInstances({ app, env, service })).filter((r) => ACTIVE.has(r.state));
  }

  private async specOf(id: string, release: ReleaseRecord, service: string, port: number | undefined): Promise<InstanceSpec> {
    const { spec, build } = serviceOf(release, service)!;
    // Decrypted here, at start, into the process env only: never into a record or a file.
    const config = await this.deps.configVars?.(release.app, release.env, release.configVersion);
    return {
      id,
      app: release.app,
      env: release.env,
      service,
      release: release.version,
      command: spec.run,
      cwd: build.dir,
      vars: { ...spec.env, ...config },
      port,
      logDir: join(this.deps.logsDir, release.app, release.env, id),
      stopTimeoutMs: spec.stop_timeout,
      memoryLimitBytes: spec.size.memory,
      portWaitMs: spec.kind === 'web' ? spec.deploy.timeout : undefined,
      // Until its gate passes it takes no traffic: its boot and warm-up yield the CPU to the
      // instances that do. Not from zero: requests are waiting for it. A worker boots so
      // through the liveness window, the gate of a rollout; after a crash too, where nothing
      // waits on it.
      bootNiceness: spec.kind === 'web' && this.unwarmed.has(id) ? undefined : BOOT_NICENESS,
      bootWindowMs: spec.kind === 'web' ? undefined : DEFAULT_WORKER_LIVENESS_MS,
    };
  }

  private requireDriver(): Driver {
    if (!this.driver) throw new WharfError('INTERNAL', 'the fleet has no driver attached');
    return this.driver;
  }
}
