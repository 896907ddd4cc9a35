/**
 * A route as the router serves it: the table's route with defaults resolved, its release
 * groups of live Backends, its figures and its admission queue (requests waiting for an
 * instance under its in-flight limit).
 */
import * as D from '../defaults.js';
import { Backend } from './backend.js';
import { choose, type GroupView } from './balancer.js';
import { ejectionMs, mayEject } from './ejection.js';
import { HoldQueue, type DemandEvent, type HoldRefusal } from './hold-queue.js';
import { Stats } from './stats.js';
import type { Route } from './table.js';

export interface ResolvedLimits {
  maxInFlightPerInstance: number;
  queueSize: number;
  queueTimeoutMs: number;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
}

export class GroupRuntime implements GroupView<Backend> {
  constructor(
    readonly release: string,
    readonly weight: number,
    readonly instances: Backend[],
    /** Carried over from the previous table's group of the same release: figures survive pushes. */
    readonly stats: Stats = new Stats(),
  ) {}

  ejectedCount(): number {
    let n = 0;
    for (const b of this.instances) if (b.ejected) n++;
    return n;
  }
}

interface Waiter {
  wake: (ok: boolean) => void;
  timer: NodeJS.Timeout;
}

export class RouteRuntime {
  readonly limits: ResolvedLimits;
  readonly drainTimeoutMs: number;
  private readonly queue: Waiter[] = [];
  /** Requests waiting for a first instance; only routes with a hold setting have one. */
  private readonly held: HoldQueue<RouteRuntime> | undefined;
  /**
   * No instance serves and the route holds requests instead of answering 503; set by the
   * router state once the table's instances are in (see seal()).
   */
  holding = false;

  constructor(
    readonly route: Route,
    readonly groups: GroupRuntime[],
    /** Carried over from the previous table's route of the same id: figures survive pushes. */
    readonly stats: Stats = new Stats(),
    onDemand?: (e: DemandEvent) => void,
  ) {
    const l = route.limits ?? {};
    this.limits = {
      maxInFlightPerInstance: l.maxInFlightPerInstance ?? D.DEFAULT_ROUTER_MAX_IN_FLIGHT_PER_INSTANCE,
      queueSize: l.queueSize ?? D.DEFAULT_ROUTER_QUEUE_SIZE,
      queueTimeoutMs: l.queueTimeoutMs ?? D.DEFAULT_ROUTER_QUEUE_TIMEOUT_MS,
      connectTimeoutMs: l.connectTimeoutMs ?? D.DEFAULT_ROUTER_CONNECT_TIMEOUT_MS,
      responseTimeoutMs: l.responseTimeoutMs ?? D.DEFAULT_ROUTER_RESPONSE_TIMEOUT_MS,
    };
    this.drainTimeoutMs = route.drainTimeoutMs ?? D.DEFAULT_DRAIN_TIMEOUT_MS;
    if (route.hold !== undefined) {
      const settings = {
        timeoutMs: route.hold.timeoutMs ?? D.DEFAULT_ROUTER_HOLD_TIMEOUT_MS,
        queueSize: route.hold.queueSize ?? D.DEFAULT_ROUTER_HOLD_QUEUE_SIZE,
      };
      this.held = new HoldQueue(route.id, settings, onDemand);
    }
  }

  /**
   * Called once the table's instances are in: a held route with no serving instance holds
   * new requests; one that has an instance again releases those it holds to itself.
   */
  seal(): void {
    if (this.held === undefined) return;
    this.holding = !this.groups.some((g) => g.weight > 0 && g.instances.some((b) => b.drain === 'serving'));
    if (!this.holding) this.held.release(this);
  }

  /** Holds a request until an instance serves (resolves with the route that has it) or refuses it. */
  hold(): Promise<RouteRuntime | HoldRefusal> {
    return this.held === undefined ? Promise.resolve('hold-full') : this.held.hold();
  }

  get id(): string {
    return this.route.id;
  }

  pick(stickyRelease: string | undefined, exclude: Backend | undefined, random: () => number) {
    return choose(this.groups, random, stickyRelease, exclude) as { group: GroupRuntime; instance: Backend } | undefined;
  }

  /** True when instances exist that could serve but all are at their in-flight limit. */
  saturated(): boolean {
    if (this.limits.maxInFlightPerInstance === 0) return false;
    return this.groups.some((g) => g.weight > 0 && g.instances.some((b) => b.drain === 'serving' && b.full));
  }

  /** Waits for a free slot; resolves false on overflow or timeout (the caller answers 503). */
  waitForSlot(): Promise<boolean> {
    if (this.queue.length >= this.limits.queueSize) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w: Waiter = {
        wake: resolve,
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(w), 1);
          resolve(false);
        }, this.limits.queueTimeoutMs),
      };
      this.queue.push(w);
    });
  }

  /** A backend of this route released a slot: let the oldest waiter try again. */
  slotFreed(): void {
    const w = this.queue.shift();
    if (w === undefined) return;
    clearTimeout(w.timer);
    w.wake(true);
  }

  /** Counts a failure or a success of `b`; ejects it when the policy says so. Returns true on ejection. */
  outcome(b: Backend, group: GroupRuntime, failed: boolean): boolean {
    if (!failed) {
      b.consecutiveFailures = 0;
      return false;
    }
    b.consecutiveFailures++;
    if (b.consecutiveFailures < D.DEFAULT_EJECT_CONSECUTIVE_FAILURES || b.ejected) return false;
    if (!mayEject(group.instances.length, group.ejectedCount())) return false;
    b.timesEjected++;
    b.ejectedUntil = Date.now() + ejectionMs(b.timesEjected);
    b.consecutiveFailures = 0;
    b.stats.ejections++;
    group.stats.ejections++;
    this.stats.ejections++;
    return true;
  }

  /** Every backend of the route. */
  *backends(): Iterable<Backend> {
    for (const g of this.groups) yield* g.instances;
  }

  /** Takes over the waiters of the route this one replaces, so a table push loses no queued request. */
  adoptQueue(previous: RouteRuntime): void {
    this.queue.push(...previous.queue.splice(0));
    if (previous.held !== undefined) {
      // A route that stops holding (no hold setting any more) lets its held requests try it.
      if (this.held !== undefined) this.held.adopt(previous.held);
      else previous.held.release(this);
    }
  }

  close(): void {
    this.held?.close();
    for (const w of this.queue.splice(0)) {
      clearTimeout(w.timer);
      w.wake(false);
    }
  }
}
