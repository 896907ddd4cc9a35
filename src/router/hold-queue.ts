/**
 * Requests held on a route whose service has no instance (scaled to zero, or its first
 * instance still starting), instead of an immediate 503. The router tells the daemon at
 * once (a `demand` event) so that an instance starts; the table that brings it releases
 * every held request to it. A request waits at most `timeoutMs` in all, across table
 * pushes; beyond `queueSize` held requests, or after the timeout, it is answered 503 with
 * Retry-After. Knative's activator does the same for its scaled-to-zero revisions.
 *
 * Only held routes have a queue: a route that serves pays nothing for this.
 */
export interface HoldSettings {
  timeoutMs: number;
  queueSize: number;
}

/** Why a held request was not released: too many held, or held too long. */
export type HoldRefusal = 'hold-full' | 'hold-timeout';

/** What the router tells its subscribers when requests wait for an instance. */
export interface DemandEvent {
  routeId: string;
  /** Requests held on the route when the event was sent. */
  held: number;
  at: number;
}

interface Held<T> {
  wake: (to: T | HoldRefusal) => void;
  timer: NodeJS.Timeout;
  /** The queue that holds it now: a table push moves it to the new route's queue. */
  owner: HoldQueue<T>;
}

/** Demand events per route at most this often while requests keep arriving: the daemon acts on the first. */
const DEMAND_REPEAT_MS = 1_000;

export class HoldQueue<T> {
  private waiters: Held<T>[] = [];
  private lastDemandAt = 0;

  constructor(
    readonly routeId: string,
    readonly settings: HoldSettings,
    private readonly demand: ((e: DemandEvent) => void) | undefined,
  ) {}

  get size(): number {
    return this.waiters.length;
  }

  /** Holds one request; resolves with what `release` hands over, or with why it was refused. */
  hold(): Promise<T | HoldRefusal> {
    if (this.waiters.length >= this.settings.queueSize) return Promise.resolve('hold-full');
    const held = new Promise<T | HoldRefusal>((resolve) => {
      const w: Held<T> = {
        wake: resolve,
        owner: this,
        timer: setTimeout(() => {
          const list = w.owner.waiters;
          list.splice(list.indexOf(w), 1);
          resolve('hold-timeout');
        }, this.settings.timeoutMs),
      };
      this.waiters.push(w);
    });
    const now = Date.now();
    if (now - this.lastDemandAt >= DEMAND_REPEAT_MS) {
      this.lastDemandAt = now;
      this.demand?.({ routeId: this.routeId, held: this.waiters.length, at: now });
    }
    return held;
  }

  /** Hands every held request over (oldest first), e.g. to the route that now has an instance. */
  release(to: T): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.wake(to);
    }
  }

  /**
   * Takes over the requests held by the queue of the route this one replaces. Their
   * deadlines keep running, so a request is never held longer than the timeout in all.
   */
  adopt(previous: HoldQueue<T>): void {
    for (const w of previous.waiters.splice(0)) {
      w.owner = this;
      this.waiters.push(w);
    }
    this.lastDemandAt = Math.max(this.lastDemandAt, previous.lastDemandAt);
  }

  /** The route is gone from the table: every held request is refused. */
  close(): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.wake('hold-timeout');
    }
  }
}
