/**
 * The autoscaling controller: every sample period (1 s) it samples each autoscaled
 * service (router figures, CPU, memory), asks the policy, keeps the policy's state, and
 * when the count should change acts through the scaler (the `wharf scale` path: env
 * lock, audit, fleet, an `autoscale.scaled` event). The deciding is policy.ts's; this is
 * the doing.
 *
 * Per service, a decision ends as:
 *
 *   held ─── count stays
 *   frozen ─ a rollout runs: decided from old + new load, not acted on
 *   busy ─── the previous scale of this service is still under way
 *   ordered ──▶ scaled | lock-held or stale (decided afresh next second, never queued) | failed
 *
 * Scale from zero does not wait for the policy: a `demand` event from the router (requests
 * held on the route) or held requests in its figures start an instance at once.
 */
import { DEFAULT_AUTOSCALE_STALE_FIGURES_MS, DEFAULT_AUTOSCALE_STATUS_DECISIONS, DEFAULT_ROUTER_HOLD_TIMEOUT_MS } from '../defaults.js';
import { isWharfError } from '../errors.js';
import type { AutoscaledService, AutoscaleSources, Clock, DecisionRecord, RolloutFreeze, ScaleOrder, Scaler, Ticker } from './controller-types.js';
import type { FigureWindow, Sample } from './figures.js';
import { decide, DEFAULT_POLICY_SETTINGS, type Decision, type PolicySettings } from './policy.js';
import { INITIAL_POLICY_STATE, type PolicyState } from './policy-state.js';
import { sampleOf, type CounterMemory } from './sampler.js';

export interface ControllerDeps {
  sources: AutoscaleSources;
  scaler: Scaler;
  freeze: RolloutFreeze;
  clock: Clock;
  ticker: Ticker;
  settings?: PolicySettings;
  log?: (line: string) => void;
}

/** What the controller keeps of one service between decisions. */
export interface ServiceTrack {
  service: AutoscaledService;
  window: (Sample | null)[];
  memory: CounterMemory | undefined;
  policy: PolicyState;
  last: { at: number; decision: Decision } | undefined;
  /** Newest last, at most DEFAULT_AUTOSCALE_STATUS_DECISIONS; consecutive holds keep only the newest. */
  decisions: DecisionRecord[];
  acting: Promise<void> | undefined;
  /** When the router last said requests wait for this service (scale from zero). */
  demandAt: number | undefined;
}

export class AutoscaleController {
  private readonly tracks = new Map<string, ServiceTrack>();
  private readonly settings: PolicySettings;
  private stopTicker: (() => void) | undefined;
  private ticking: Promise<void> | undefined;

  constructor(private readonly deps: ControllerDeps) {
    this.settings = deps.settings ?? DEFAULT_POLICY_SETTINGS;
  }

  start(): void {
    this.stopTicker ??= this.deps.ticker(this.settings.sampleMs, () => void this.tick());
  }

  /** Stops sampling and waits for the scales under way (nothing is left half-done). */
  async stop(): Promise<void> {
    this.stopTicker?.();
    await this.ticking;
    await Promise.all([...this.tracks.values()].map((t) => t.acting));
  }

  /** The services' tracks, for `wharf autoscale status`. */
  list(): readonly ServiceTrack[] {
    return [...this.tracks.values()];
  }

  /** One sample and decision for every autoscaled service; a tick still running is not overlapped. */
  tick(): Promise<void> {
    this.ticking ??= this.runTick().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /**
   * The router holds requests for a route (its service is at zero): start an instance now,
   * without waiting for the next tick. `routeId` is `app.env.service` or `app.env.service#n`.
   */
  async demand(routeId: string): Promise<void> {
    const [app, env, service] = routeId.split('#')[0]!.split('.');
    const svc = (await this.deps.sources.services()).find((s) => s.app === app && s.env === env && s.service === service);
    if (svc === undefined) return;
    const track = this.trackOf(svc);
    track.demandAt = this.deps.clock.now();
    this.fromZero(track);
  }

  private async runTick(): Promise<void> {
    try {
      const services = await this.deps.sources.services();
      const snapshot = this.deps.sources.metrics();
      const seen = new Set<string>();
      for (const svc of services) {
        seen.add(keyOf(svc));
        this.step(this.trackOf(svc), snapshot);
      }
      // A service no longer autoscaled (or gone) forgets its state; a scale under way finishes.
      for (const [key, track] of this.tracks) if (!seen.has(key) && track.acting === undefined) this.tracks.delete(key);
    } catch (e) {
      this.deps.log?.(`autoscaler: sampling failed: ${(e as Error).message}`);
    }
  }

  private step(track: ServiceTrack, snapshot: ReturnType<AutoscaleSources['metrics']>): void {
    const svc = track.service;
    const now = this.deps.clock.now();
    const { sample, memory } = sampleOf({
      snapshot, previous: track.memory, routeBase: svc.routeBase, instances: svc.instances, size: svc.size,
      sampleMs: this.settings.sampleMs, now, staleMs: DEFAULT_AUTOSCALE_STALE_FIGURES_MS,
    });
    track.memory = memory;
    track.window.push(sample);
    const keep = Math.round(this.settings.stableWindowMs / this.settings.sampleMs);
    if (track.window.length > keep) track.window.splice(0, track.window.length - keep);
    if (svc.current === 0 && this.waiting(track, snapshot)) return this.fromZero(track);
    if (svc.current === 0 && svc.policy.min === 0) {
      // Nothing runs, so there are no figures to decide from: demand is what starts it.
      const reason = `${svc.service} holds at 0: idle; the router holds the next request and asks for an instance`;
      return this.remember(track, { at: now, from: 0, to: 0, reason, outcome: 'held' });
    }

    const window: FigureWindow = track.window;
    const decision = decide({ service: svc.service, now, policy: svc.policy, current: svc.current, window, state: track.policy, settings: this.settings });
    track.last = { at: now, decision };
    const record: DecisionRecord = { at: now, from: svc.current, to: decision.desired, reason: decision.reason, outcome: 'held' };
    if (decision.desired === svc.current) {
      track.policy = decision.state;
      return this.remember(track, record);
    }
    // Not acted on: the decision is remembered, but not as a scale-down that happened.
    const notActed: PolicyState = { ...decision.state, lastScaleDownAt: track.policy.lastScaleDownAt };
    if (this.deps.freeze.frozen(svc.app, svc.env, svc.service)) {
      track.policy = notActed;
      return this.remember(track, { ...record, outcome: 'frozen' });
    }
    if (track.acting !== undefined) {
      track.policy = notActed;
      return this.remember(track, { ...record, outcome: 'busy' });
    }
    track.policy = decision.state;
    this.act(track, { release: svc.release, from: svc.current, to: decision.desired, reason: decision.reason, figures: decision.figures, orderedAt: now }, notActed);
  }

  /** Requests wait for a service at zero: the router said so lately, or its route's figures show them held. */
  private waiting(track: ServiceTrack, snapshot: ReturnType<AutoscaleSources['metrics']>): boolean {
    const now = this.deps.clock.now();
    if (track.demandAt !== undefined && now - track.demandAt < DEFAULT_ROUTER_HOLD_TIMEOUT_MS) return true;
    const base = track.service.routeBase;
    if (base === undefined || snapshot === undefined) return false;
    return snapshot.routes.some((r) => (r.id === base || r.id.startsWith(`${base}#`)) && r.inFlight > 0);
  }

  private fromZero(track: ServiceTrack): void {
    const svc = track.service;
    if (svc.current > 0 || track.acting !== undefined || this.deps.freeze.frozen(svc.app, svc.env, svc.service)) return;
    const to = Math.min(svc.policy.max, Math.max(1, svc.policy.min));
    const now = this.deps.clock.now();
    const reason = `${svc.service} 0 → ${to}: requests are waiting (scale from zero)`;
    // The idle spell that stopped it is over.
    track.policy = { ...track.policy, idleSince: null };
    this.act(track, { release: svc.release, from: 0, to, reason, figures: undefined, orderedAt: now }, track.policy);
  }

  private act(track: ServiceTrack, order: ScaleOrder, ifNotActed: PolicyState): void {
    const svc = track.service;
    const record: DecisionRecord = { at: order.orderedAt, from: order.from, to: order.to, reason: order.reason, outcome: 'ordered' };
    this.remember(track, record);
    track.acting = (async () => {
      try {
        await this.deps.scaler.scale(svc.app, svc.env, svc.service, order);
        record.outcome = 'scaled';
        track.demandAt = undefined;
      } catch (e) {
        track.policy = ifNotActed;
        if (isWharfError(e) && (e.code === 'LOCK_HELD' || e.code === 'LOCK_STALE')) {
          record.outcome = 'lock-held';
        } else if (isWharfError(e) && e.code === 'CONFLICT') {
          record.outcome = 'stale';
        } else {
          record.outcome = 'failed';
          record.error = (e as Error).message;
          this.deps.log?.(`autoscaler: ${order.reason}: failed: ${record.error}`);
        }
      } finally {
        track.acting = undefined;
      }
    })();
  }

  /** Keeps the decision for `status`; a hold after a hold replaces it, so holds do not crowd out the changes. */
  private remember(track: ServiceTrack, record: DecisionRecord): void {
    if (record.outcome === 'held' && track.decisions.at(-1)?.outcome === 'held') track.decisions.pop();
    track.decisions.push(record);
    if (track.decisions.length > DEFAULT_AUTOSCALE_STATUS_DECISIONS) track.decisions.shift();
  }

  private trackOf(svc: AutoscaledService): ServiceTrack {
    const key = keyOf(svc);
    const existing = this.tracks.get(key);
    if (existing !== undefined) {
      existing.service = svc;
      return existing;
    }
    const track: ServiceTrack = { service: svc, window: [], memory: undefined, policy: INITIAL_POLICY_STATE, last: undefined, decisions: [], acting: undefined, demandAt: undefined };
    this.tracks.set(key, track);
    return track;
  }
}

function keyOf(s: { app: string; env: string; service: string }): string {
  return `${s.app}/${s.env}/${s.service}`;
}
