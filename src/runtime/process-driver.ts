/**
 * The process driver: instances as supervised local processes that outlive the daemon.
 *
 * This is the executor. What to do is decided by pure functions — the lifecycle's
 * `transition`, the restart policy's `decideAfterCrash` — and this class only spawns,
 * signals, samples and reports. Every state change goes through `move`, which asks
 * `transition` and tells the listener.
 *
 * Exits are observed two ways: our own children through their 'exit' event (exact code and
 * signal); re-adopted processes, which are not our children, by the once-a-second sample
 * finding the pid gone or belonging to another process (pid + start time).
 */
import { DEFAULT_STOP_TIMEOUT_MS } from '../defaults.js';
import { WharfError } from '../errors.js';
import type { Driver, InstanceSpec, InstanceStatus, RecordedInstance, RecoverResult, StopOptions } from './driver.js';
import { DriverSettings, type ProcessDriverOptions } from './driver-settings.js';
import { exitReason, REASON } from './exit-reason.js';
import { clearProcess, toStatus, type Instance } from './instance.js';
import { GroupSampler, sampleChannel, type InstanceSample } from './group-sampler.js';
import { LIVE_STATES, transition, type InstanceState, type LifecycleEvent } from './lifecycle.js';
import { collectRemaining, LogCollector } from './log-collector.js';
import { waitForPort } from './port-probe.js';
import { isSameProcess, readStat, scanProcessGroups } from './proc-table.js';
import { signalGroup, stopGroup } from './process-group.js';
import { judgeRecord } from './recovery.js';
import { decideAfterCrash } from './restart-policy.js';
import { checkSpec, prepareLogDir, spawnInstance } from './spawn-instance.js';
import { groupLowered, lowerGroup, raiseGroup } from './priority.js';

export type { ProcessDriverOptions } from './driver-settings.js';

export class ProcessDriver implements Driver {
  private readonly instances = new Map<string, Instance>();
  private readonly sampler = new GroupSampler();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly settings: DriverSettings;
  private readonly now: () => number;

  constructor(private readonly options: ProcessDriverOptions = {}) {
    this.settings = new DriverSettings(options);
    this.now = options.now ?? Date.now;
    // Like a listening server, a supervising driver keeps the event loop alive until detach().
    this.timers.push(setInterval(() => this.sampleAll(), this.settings.sampleMs));
    this.timers.push(setInterval(() => this.collectAll(), this.settings.logPollMs));
  }

  async start(spec: InstanceSpec): Promise<InstanceStatus> {
    const existing = this.instances.get(spec.id);
    if (existing && existing.state !== 'stopped') {
      throw new WharfError('CONFLICT', `instance ${spec.id} is already ${existing.state}`, { hint: 'stop it first' });
    }
    if (existing) this.forget(existing);
    checkSpec(spec);
    prepareLogDir(spec);
    const inst = this.track(spec, 'starting', false);
    this.report(spec.id, 'stopped', 'starting', REASON.started);
    await this.attempt(inst);
    return toStatus(inst);
  }

  stop(id: string, options: StopOptions = {}): Promise<InstanceStatus | undefined> {
    const inst = this.instances.get(id);
    if (!inst) return Promise.resolve(undefined);
    inst.stopping ??= this.doStop(inst, options);
    return inst.stopping;
  }

  inspect(id: string): InstanceStatus | undefined {
    const inst = this.instances.get(id);
    return inst && toStatus(inst);
  }

  list(): InstanceStatus[] {
    return [...this.instances.values()].map((i) => toStatus(i));
  }

  /** Feeds the health gate's verdict into the lifecycle (running/unhealthy ⇄ healthy). */
  async markHealth(id: string, healthy: boolean): Promise<void> {
    const inst = this.instances.get(id);
    if (!inst) return;
    if (healthy && inst.booting) {
      // Healthy puts it in the router's table: it serves at the priority of its peers from
      // its first request, so the raise comes first.
      const attempt = inst.attempt;
      await this.endBoot(inst);
      if (inst.attempt !== attempt) return; // stopped or restarted meanwhile: no longer this process's verdict
    }
    this.move(inst, { type: healthy ? 'health-passed' : 'health-failed' }, healthy ? 'health-passed' : 'health-failed');
  }

  async setWarming(id: string, warming: boolean): Promise<void> {
    const inst = this.instances.get(id);
    const niceness = inst?.spec.bootNiceness;
    if (!inst || inst.pid === undefined || !niceness || inst.booting === warming) return;
    if (!warming) return this.endBoot(inst);
    inst.booting = true;
    // Awaited: the warm-up starts next, and must meet the instance lowered from its first request.
    await lowerGroup(inst.pid, niceness, inst.usesCgroup);
  }

  /** Raises a booting instance to the priority of its peers (spec.bootNiceness ends). */
  private async endBoot(inst: Instance): Promise<void> {
    inst.booting = false;
    if (inst.pid !== undefined) await raiseGroup(inst.pid);
  }

  async recover(records: RecordedInstance[]): Promise<RecoverResult> {
    const result: RecoverResult = { adopted: [], dead: [] };
    for (const rec of records) {
      const known = this.instances.get(rec.spec.id);
      if (known && known.state !== 'stopped') {
        result.adopted.push(toStatus(known)); // already ours: never a second copy
        continue;
      }
      const verdict = judgeRecord(rec, rec.pid === undefined ? undefined : readStat(rec.pid));
      if (!verdict.alive) {
        if (verdict.killGroup && rec.pid !== undefined) signalGroup(rec.pid, 'SIGKILL');
        collectRemaining(rec.spec.logDir, this.settings.rotation());
        result.dead.push({ id: rec.spec.id, reason: verdict.reason });
        continue;
      }
      const state = verdict.state;
      prepareLogDir(rec.spec);
      const inst = this.track(rec.spec, state, true);
      inst.pid = rec.pid;
      inst.pidStartTime = rec.pidStartTime;
      inst.restarts = rec.restarts ?? 0;
      inst.reason = REASON.adopted;
      // A previous daemon may have stopped between the spawn and the raise after the gate.
      // Its boot window's timer died with that daemon: a worker is raised now.
      if (rec.spec.bootNiceness && rec.pid !== undefined && groupLowered(rec.pid)) {
        if (state === 'healthy' || rec.spec.bootWindowMs !== undefined) void raiseGroup(rec.pid);
        else inst.booting = true;
      }
      inst.attempt++;
      inst.collector.poll(); // catch up on what it wrote while no daemon was collecting
      if (state === 'draining') void this.stop(rec.spec.id);
      result.adopted.push(toStatus(inst));
    }
    return result;
  }

  async detach(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const inst of this.instances.values()) {
      clearTimeout(inst.restartTimer);
      // Hands off for good: a later exit is the next driver's to see, not ours to restart.
      inst.attempt++;
      inst.child?.removeAllListeners('exit');
      inst.child?.unref(); // they outlive us; our exit must not wait for theirs
      this.safePoll(inst);
      inst.collector.close();
    }
    this.instances.clear();
  }

  // ---- executor internals ----

  private track(spec: InstanceSpec, state: InstanceState, adopted: boolean): Instance {
    const collector = new LogCollector(spec.logDir, {
      ...this.settings.rotation(),
      onError: (e) => this.options.listener?.onProblem?.(spec.id, 'log-write-failed', e),
      now: this.now,
    });
    const inst: Instance = { spec, state, reason: undefined, restarts: 0, consecutiveCrashes: 0, attempt: 0, adopted, usesCgroup: false, booting: false, collector };
    this.instances.set(spec.id, inst);
    return inst;
  }

  /** One spawn; resolves once it is running or has failed (the exit path schedules the restart). */
  private async attempt(inst: Instance): Promise<void> {
    const attempt = ++inst.attempt;
    inst.killReason = undefined;
    let spawned;
    try {
      spawned = await spawnInstance(inst.spec, this.settings.identityFor(inst.spec));
    } catch (e) {
      this.options.listener?.onProblem?.(inst.spec.id, REASON.spawnFailed, e);
      this.crashed(inst, attempt, REASON.spawnFailed);
      return;
    }
    const { child, pid } = spawned;
    if (inst.attempt !== attempt) {
      // Stopped while the kernel was spawning it: nothing may outlive the stop.
      signalGroup(pid, 'SIGKILL');
      return;
    }
    Object.assign(inst, { child, pid, pidStartTime: readStat(pid)?.startTime, startedAt: this.now(), adopted: false });
    const limit = inst.spec.memoryLimitBytes;
    inst.usesCgroup = limit !== undefined && (this.settings.cgroups()?.attach(inst.spec.id, pid, limit) ?? false);
    const { bootNiceness } = inst.spec;
    if (bootNiceness !== undefined && bootNiceness > 0) {
      inst.booting = true;
      void lowerGroup(pid, bootNiceness, inst.usesCgroup);
      const { bootWindowMs } = inst.spec;
      if (bootWindowMs !== undefined) {
        setTimeout(() => {
          if (inst.attempt === attempt && inst.booting) void this.endBoot(inst);
        }, bootWindowMs).unref();
      }
    }
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited(inst, attempt, exitReason(code, signal));
        resolve();
      });
    });
    const { port, portWaitMs } = inst.spec;
    if (port === undefined || portWaitMs === undefined) {
      this.move(inst, { type: 'listening' }, REASON.started);
      return;
    }
    const bound = await waitForPort(port, { timeoutMs: portWaitMs, cancelled: () => inst.attempt !== attempt || inst.state !== 'starting' });
    if (inst.attempt !== attempt || inst.state !== 'starting') return; // died or stopped meanwhile
    if (bound) {
      this.move(inst, { type: 'listening' }, `port-${port}-bound`);
      return;
    }
    inst.killReason = REASON.portNotBound;
    signalGroup(pid, 'SIGKILL');
    await exited;
  }

  /** The group leader of attempt `attempt` ended on its own (or by our kill). */
  private exited(inst: Instance, attempt: number, observed: string): void {
    // While draining, the stop owns the group: its grace period must not be cut short.
    if (inst.attempt !== attempt || inst.state === 'draining') return;
    if (inst.pid !== undefined) signalGroup(inst.pid, 'SIGKILL'); // no orphans of a dead leader
    let reason = inst.killReason ?? observed;
    if (inst.usesCgroup && this.settings.cgroups()?.oomKilled(inst.spec.id)) reason = REASON.memoryLimit;
    this.crashed(inst, attempt, reason);
  }

  private crashed(inst: Instance, attempt: number, reason: string): void {
    if (inst.attempt !== attempt || inst.state === 'draining' || inst.state === 'stopped') return;
    this.safePoll(inst);
    inst.collector.flush();
    this.releaseProcess(inst);
    const ranFor = inst.startedAt === undefined ? 0 : this.now() - inst.startedAt;
    const decision = decideAfterCrash(inst.consecutiveCrashes, ranFor, this.settings.random(), this.settings.restartPolicy);
    inst.consecutiveCrashes = decision.consecutiveCrashes;
    if (!this.move(inst, { type: 'exited', crashLoop: decision.crashLoop }, reason)) return;
    inst.restartAt = this.now() + decision.delayMs;
    inst.restartTimer = setTimeout(() => {
      inst.restartTimer = undefined;
      inst.restartAt = undefined;
      if (!this.move(inst, { type: 'restart' }, REASON.restarted)) return;
      inst.restarts++;
      void this.attempt(inst);
    }, decision.delayMs);
  }

  private async doStop(inst: Instance, options: StopOptions): Promise<InstanceStatus | undefined> {
    clearTimeout(inst.restartTimer);
    inst.restartTimer = undefined;
    inst.restartAt = undefined;
    const pid = inst.pid;
    const wasLive = LIVE_STATES.has(inst.state) && inst.state !== 'draining';
    if (inst.state !== 'draining') this.move(inst, { type: 'stop' }, REASON.stopRequested);
    inst.attempt++; // the exit event of the process we are stopping is ours to handle here
    let reason: string = REASON.stopRequested;
    if ((wasLive || inst.state === 'draining') && pid !== undefined) {
      const { killed } = await stopGroup(pid, options.timeoutMs ?? inst.spec.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
      if (killed) reason = REASON.killedAfterTimeout;
    }
    this.safePoll(inst);
    inst.collector.flush();
    this.releaseProcess(inst);
    this.move(inst, { type: 'exited', crashLoop: false }, reason);
    inst.stopping = undefined;
    const status = toStatus(inst);
    if (options.forget) this.forget(inst);
    return status;
  }

  /** Forgets the process of an instance whose group is gone. */
  private releaseProcess(inst: Instance): void {
    if (inst.pid !== undefined) this.sampler.forget(inst.pid);
    if (inst.usesCgroup) this.settings.cgroups()?.remove(inst.spec.id);
    clearProcess(inst);
  }

  private forget(inst: Instance): void {
    clearTimeout(inst.restartTimer);
    inst.collector.close();
    this.instances.delete(inst.spec.id);
  }

  /** The lifecycle decides; this applies it and reports. False when the event does not apply. */
  private move(inst: Instance, event: LifecycleEvent, reason: string | undefined): boolean {
    const to = transition(inst.state, event);
    if (to === undefined) return false;
    const from = inst.state;
    inst.state = to;
    inst.reason = reason;
    this.report(inst.spec.id, from, to, reason);
    return true;
  }

  private report(id: string, from: InstanceState, to: InstanceState, reason: string | undefined): void {
    try {
      this.options.listener?.onTransition(id, from, to, reason);
    } catch {
      // a failing listener must not break supervision
    }
  }

  /** Once a second: CPU and RSS per group, the RSS memory limit, exits of adopted processes. */
  private sampleAll(): void {
    const groups = scanProcessGroups();
    const now = this.now();
    for (const inst of this.instances.values()) {
      const pid = inst.pid;
      if (pid === undefined || !LIVE_STATES.has(inst.state)) continue;
      if (inst.adopted && inst.pidStartTime !== undefined && !isSameProcess(pid, inst.pidStartTime)) {
        this.exited(inst, inst.attempt, REASON.exitedWhileAdopted);
        continue;
      }
      const s = this.sampler.sample(pid, groups.get(pid) ?? [], now);
      inst.rssBytes = s.rssBytes;
      inst.cpuPercent = s.cpuPercent;
      if (sampleChannel.hasSubscribers) {
        const { id, app, env, service, release } = inst.spec;
        sampleChannel.publish({ id, app, env, service, release, time: now, ...s } satisfies InstanceSample);
      }
      const limit = inst.spec.memoryLimitBytes;
      if (limit !== undefined && !inst.usesCgroup && s.rssBytes > limit && inst.state !== 'draining' && !inst.killReason) {
        inst.killReason = REASON.memoryLimit;
        signalGroup(pid, 'SIGKILL');
      }
    }
  }

  private collectAll(): void {
    for (const inst of this.instances.values()) this.safePoll(inst);
  }

  private safePoll(inst: Instance): void {
    try {
      inst.collector.poll();
    } catch (e) {
      this.options.listener?.onProblem?.(inst.spec.id, 'log-collect-failed', e);
    }
  }
}
