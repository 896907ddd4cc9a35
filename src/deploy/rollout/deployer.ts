import type { Actor } from '../../apply/applier.js';
import { acquireEnvLock, type LockHost } from '../../apply/env-lock.js';
import { WharfError } from '../../errors.js';
import type { MetricsSnapshot } from '../../router/metrics.js';
import type { ResolvedService } from '../../spec/resolve.js';
import type { Store } from '../../state/store.js';
import type { ReleaseRecord } from '../../state/types.js';
import type { Fleet } from '../fleet.js';
import { releaseName, serviceOf, snapshotOf } from '../release-snapshot.js';
import { rollBlueGreen } from './blue-green.js';
import { rollCanary } from './canary.js';
import { rollBack, type RollbackRequest, type RollbackResult } from './rollback.js';
import { rollRolling } from './rolling.js';
import { RolloutSignals } from './signals.js';
import { TrafficSplits } from './traffic-splits.js';
import { RolloutFailure, type RolloutProgress, type ServiceRollout, type Strategy } from './types.js';
import { rollWorker } from './worker.js';

export interface DeployerDeps {
  store: Store;
  fleet: Fleet;
  now: () => number;
  /** Pushes the router's table (built with `splits`) and resolves once the router serves it. */
  pushTable: () => Promise<void>;
  /** A fresh reading of the router's figures; undefined without a router, or when it does not answer. */
  readMetrics: () => Promise<MetricsSnapshot | undefined>;
  lockHost: LockHost;
}

export interface RolloutOptions {
  by: Actor;
  /** Overrides every web service's strategy for this rollout (`wharf deploy --strategy`). */
  strategy?: Strategy | undefined;
  onProgress?: ((p: RolloutProgress) => void) | undefined;
}

/** A rollout under way, as `wharf status`, promote and abort see it. */
export interface ActiveRollout {
  app: string;
  env: string;
  release: number;
  stable: number | undefined;
  strategies: Record<string, Strategy | 'worker'>;
  startedAt: number;
  by: string;
  signals: RolloutSignals;
}

/**
 * Moves an environment from its live release to a new one, every service with its own
 * strategy (rolling, blue-green, canary; workers start-new-then-stop-old), and promotes the
 * new release once all have moved — or, on the first failure, rolls every service back:
 * traffic to the stable release at once, the new instances stopped, the release failed with
 * the reason and the figures. Callers hold the environment's lock.
 *
 * It is also the autoscaler's freeze hook: `frozen()` is true while a rollout runs.
 */
export class Deployer {
  readonly splits = new TrafficSplits();
  private readonly active = new Map<string, ActiveRollout>();

  constructor(private readonly deps: DeployerDeps) {}

  frozen(app: string, env: string, _service?: string): boolean {
    return this.active.has(envKey(app, env));
  }

  current(app: string, env: string): ActiveRollout | undefined {
    return this.active.get(envKey(app, env));
  }

  /** Asks the running rollout to skip the rest of its canary ladder. */
  promote(app: string, env: string, by: Actor): ActiveRollout {
    const rollout = this.active.get(envKey(app, env));
    if (!rollout || !Object.values(rollout.strategies).includes('canary')) {
      throw new WharfError('CONFLICT', `nothing to promote in ${app}/${env}: no canary rollout is under way`, { hint: '`wharf releases` shows what is live' });
    }
    rollout.signals.promote(by.actor);
    void this.deps.store.appendAudit({ time: this.deps.now(), actor: by.actor, client: by.client, operation: 'promote', app, env, outcome: 'ok', details: { release: rollout.release } });
    return rollout;
  }

  /** Asks the running rollout to roll back now. */
  abort(app: string, env: string, by: Actor): ActiveRollout {
    const rollout = this.active.get(envKey(app, env));
    if (!rollout) throw new WharfError('CONFLICT', `nothing to abort in ${app}/${env}: no rollout is under way`, { hint: '`wharf rollback` returns to an earlier release' });
    rollout.signals.abort(`aborted by ${by.actor}`);
    void this.deps.store.appendAudit({ time: this.deps.now(), actor: by.actor, client: by.client, operation: 'abort', app, env, outcome: 'ok', details: { release: rollout.release } });
    return rollout;
  }

  /** `wharf rollback [vN]`, under the environment's lock, audited. */
  async rollback(req: RollbackRequest): Promise<RollbackResult> {
    const { store, lockHost, now } = this.deps;
    const issuedAt = now() - (req.issuedMsAgo ?? 0);
    const lock = await acquireEnvLock(store, lockHost, req.app, req.env, req.by.actor, 'rollback');
    const audit = (outcome: 'ok' | 'error', details: unknown) =>
      store.appendAudit({ time: lockHost.now(), actor: req.by.actor, client: req.by.client, operation: 'rollback', app: req.app, env: req.env, outcome, details });
    try {
      const result = await rollBack(this.deps, this.splits, req, issuedAt);
      await audit('ok', result);
      return result;
    } catch (e) {
      await audit('error', { to: req.to, error: e instanceof WharfError ? e.code : 'INTERNAL' }).catch(() => undefined);
      throw e;
    } finally {
      await store.releaseLock(lock.scope, lock.token);
    }
  }

  async rollOut(release: ReleaseRecord, options: RolloutOptions): Promise<void> {
    const { app, env } = release;
    const key = envKey(app, env);
    if (this.active.has(key)) throw new WharfError('CONFLICT', `${app}/${env} is already rolling out ${releaseName(this.active.get(key)!.release)}`);
    const stable = (await this.deps.store.listReleasesWithStatus(app, env, ['live'])).find((r) => r.version !== release.version);
    const services = Object.values(snapshotOf(release).environment.services);
    const strategies = Object.fromEntries(services.map((s) => [s.name, strategyOf(s, options.strategy)]));
    const rollout: ActiveRollout = { app, env, release: release.version, stable: stable?.version, strategies, startedAt: this.deps.now(), by: options.by.actor, signals: new RolloutSignals() };
    this.active.set(key, rollout);
    const progress = this.progressOf(release, options);
    try {
      const how = Object.entries(strategies).map(([s, k]) => `${s} ${k}`).join(', ');
      await progress(undefined, 'started', `rolling out ${releaseName(release.version)}${stable ? ` over ${releaseName(stable.version)}` : ''}: ${how}`, { strategies, stable: stable?.version });
      // Web services first, workers once they have all moved: a release that fails on its
      // web side never touches the workers.
      const before = await this.countsOf(stable);
      const failures: RolloutFailure[] = [];
      for (const phase of [services.filter((s) => s.kind === 'web'), services.filter((s) => s.kind !== 'web')]) {
        if (rollout.signals.aborted) break;
        await Promise.all(
          phase.map(async (spec) => {
            try {
              await this.rollService(this.serviceRollout(release, stable, spec, rollout.signals, progress, await this.countFor(release, spec, stable)), strategies[spec.name]!);
            } catch (e) {
              const failure = e instanceof RolloutFailure ? e : new RolloutFailure(`${spec.name}: ${e instanceof Error ? e.message : String(e)}`);
              failures.push(failure);
              // One service failing rolls back all of them: stop the others where they stand.
              rollout.signals.abort(`${spec.name} failed`);
            }
          }),
        );
      }
      const failure = failures[0] ?? (rollout.signals.aborted ? new RolloutFailure(rollout.signals.aborted) : undefined);
      if (failure) {
        await this.revert(release, stable, before, failure, progress);
        throw new WharfError('DEPLOY_FAILED', `${releaseName(release.version)} was rolled back: ${failure.message}`, {
          hint: '`wharf events` has every step with its figures; `wharf logs` shows what the new instances said',
          details: { release: release.version, reason: failure.message, data: failure.data },
        });
      }
      await this.promoteRelease(release, stable, progress);
    } finally {
      this.active.delete(key);
      this.splits.clear(app, env);
      await this.deps.pushTable();
    }
  }

  private async rollService(r: ServiceRollout, strategy: Strategy | 'worker'): Promise<void> {
    switch (strategy) {
      case 'worker':
        return rollWorker(r);
      case 'rolling':
        return rollRolling(r);
      case 'blue-green':
        return rollBlueGreen(r);
      case 'canary':
        return rollCanary(r);
    }
  }

  private serviceRollout(release: ReleaseRecord, stable: ReleaseRecord | undefined, spec: ResolvedService, signals: RolloutSignals, progress: Progress, count: number): ServiceRollout {
    const { app, env } = release;
    return {
      app, env, service: spec.name, release, stable, spec, count, signals,
      fleet: this.deps.fleet,
      now: this.deps.now,
      metrics: this.deps.readMetrics,
      progress: (step, message, data) => progress(spec.name, step, message, data),
      setWeight: async (weight) => {
        const before = this.splits.get(app, env, spec.name);
        if (before?.weight === weight && before.release === release.version) return;
        this.splits.set(app, env, spec.name, { release: release.version, weight });
        await this.deps.pushTable();
      },
    };
  }

  /**
   * Instances the new release runs: the spec's count, or for an autoscaled service the
   * count the autoscaler keeps now (clamped to the new min and max), as ECS keeps a
   * service's desired count across deployments.
   */
  private async countFor(release: ReleaseRecord, spec: ResolvedService, stable: ReleaseRecord | undefined): Promise<number> {
    if (!spec.autoscale) return spec.instances;
    // A service scaled to zero stays at zero (its routes are held: the next request starts the
    // new release); a first deploy, or a service new to this release, starts at `instances`.
    const running = (await this.deps.fleet.active(release.app, release.env, spec.name)).filter((i) => i.release === stable?.version).length;
    const current = stable && serviceOf(stable, spec.name) ? running : spec.instances;
    return Math.min(spec.autoscale.max, Math.max(spec.autoscale.min, current));
  }

  /** Each service's instances of the stable release, before the rollout moved any. */
  private async countsOf(stable: ReleaseRecord | undefined): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (!stable) return counts;
    for (const i of await this.deps.fleet.list({ app: stable.app, env: stable.env })) {
      if (i.release === stable.version) counts.set(i.service, (counts.get(i.service) ?? 0) + 1);
    }
    return counts;
  }

  /**
   * Traffic back to the stable release first, then the new instances stop, then the stable
   * set is made whole again: as many instances per service as it ran before the rollout.
   */
  private async revert(release: ReleaseRecord, stable: ReleaseRecord | undefined, before: Map<string, number>, failure: RolloutFailure, progress: Progress): Promise<void> {
    const { store, fleet, now } = this.deps;
    const { app, env } = release;
    this.splits.clear(app, env);
    await this.deps.pushTable();
    await progress(undefined, 'reverted', `traffic is back on ${stable ? releaseName(stable.version) : 'nothing (first release)'}: ${failure.message}`, failure.data);
    const mine = (await fleet.list({ app, env })).filter((i) => i.release === release.version);
    await fleet.stopInstances(mine.map((i) => i.id));
    if (stable) {
      for (const spec of Object.values(snapshotOf(stable).environment.services)) {
        const count = before.get(spec.name) ?? 0;
        const now = (await fleet.active(app, env, spec.name)).filter((i) => i.release === stable.version).length;
        if (now >= count) continue;
        await fleet.scale(app, env, spec.name, stable, count).catch(async (e: unknown) => {
          await progress(spec.name, 'restore-failed', `${releaseName(stable.version)} could not be brought back to ${count} instances: ${(e as Error).message}`);
        });
      }
    }
    await store.setReleaseStatus(app, env, release.version, 'failed', failure.message, now());
    await progress(undefined, 'aborted', `${releaseName(release.version)} failed and was rolled back: ${failure.message}`, { reason: failure.message, figures: failure.data });
  }

  private async promoteRelease(release: ReleaseRecord, stable: ReleaseRecord | undefined, progress: Progress): Promise<void> {
    const { store, fleet, now } = this.deps;
    const { app, env } = release;
    const at = now();
    await store.setReleaseStatus(app, env, release.version, 'live', undefined, at);
    if (stable) await store.setReleaseStatus(app, env, stable.version, 'superseded', undefined, at);
    this.splits.clear(app, env);
    await this.deps.pushTable();
    // A service the new release no longer has stops now; it is not kept warm.
    const kept = new Set(Object.keys(snapshotOf(release).environment.services));
    const gone = (await fleet.list({ app, env })).filter((i) => !kept.has(i.service));
    await fleet.stopInstances(gone.map((i) => i.id));
    const current = this.current(app, env);
    const took = current ? at - current.startedAt : 0;
    const stillRunning = stable && (await fleet.list({ app, env })).some((i) => i.release === stable.version);
    const warm = stillRunning ? `; ${releaseName(stable.version)} stays warm for rollback` : '';
    await progress(undefined, 'live', `${releaseName(release.version)} is live after ${(took / 1000).toFixed(1)} s${warm}`, { release: release.version, stable: stable?.version, durationMs: took });
  }

  private progressOf(release: ReleaseRecord, options: RolloutOptions): Progress {
    return async (service, step, message, data) => {
      const p: RolloutProgress = { time: this.deps.now(), app: release.app, env: release.env, service, step, message, data };
      options.onProgress?.(p);
      const kind = step === 'live' ? 'release.live' : step === 'aborted' ? 'release.failed' : `rollout.${step}`;
      await this.deps.store.appendEvent({ time: p.time, app: release.app, env: release.env, ...(service ? { service } : {}), kind, message: service ? `${service}: ${message}` : message, data: { release: release.version, ...(data === undefined ? {} : { data }) } });
    };
  }
}

type Progress = (service: string | undefined, step: string, message: string, data?: unknown) => Promise<void>;

function strategyOf(spec: ResolvedService, override: Strategy | undefined): Strategy | 'worker' {
  if (spec.kind !== 'web') return 'worker';
  return override ?? spec.deploy.strategy;
}

function envKey(app: string, env: string): string {
  return `${app}\0${env}`;
}
