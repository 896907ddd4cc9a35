/**
 * Drain completion: a draining instance is done when its in-flight count reaches 0 or its
 * drain timeout passes, whichever is first. The daemon collects the resulting events over
 * the admin socket (`drainEvents`) and then stops the instance.
 */
import type { Backend } from './backend.js';

export interface DrainEvent {
  routeId: string;
  instanceId: string;
  release: string;
  /** `completed`: nothing left in flight; `timeout`: requests were still in flight. */
  outcome: 'completed' | 'timeout';
  inFlightLeft: number;
  startedAt: number;
  endedAt: number;
}

const MAX_EVENTS = 10_000;

export class Drains {
  private events: DrainEvent[] = [];
  private readonly timers = new Map<Backend, NodeJS.Timeout>();
  private readonly started = new Map<Backend, { routeId: string; at: number }>();
  /** Told of each event as it happens (the admin server's subscribers). */
  listener: ((e: DrainEvent) => void) | undefined;

  start(b: Backend, routeId: string, timeoutMs: number): void {
    if (b.drain !== 'serving') return;
    b.drain = 'draining';
    this.started.set(b, { routeId, at: Date.now() });
    if (b.inFlight === 0) return this.finish(b, 'completed');
    const t = setTimeout(() => this.finish(b, 'timeout'), timeoutMs);
    t.unref();
    this.timers.set(b, t);
  }

  /** Called whenever a backend's in-flight count drops. */
  released(b: Backend): void {
    if (b.drain === 'draining' && b.inFlight === 0) this.finish(b, 'completed');
  }

  /** Returns and forgets the events collected since the last call. */
  take(): DrainEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  private finish(b: Backend, outcome: DrainEvent['outcome']): void {
    const s = this.started.get(b);
    if (b.drain !== 'draining' || s === undefined) return;
    b.drain = 'drained';
    clearTimeout(this.timers.get(b));
    this.timers.delete(b);
    this.started.delete(b);
    const e: DrainEvent = {
      routeId: s.routeId,
      instanceId: b.id,
      release: b.release,
      outcome,
      inFlightLeft: b.inFlight,
      startedAt: s.at,
      endedAt: Date.now(),
    };
    if (this.events.length >= MAX_EVENTS) this.events.shift();
    this.events.push(e);
    this.listener?.(e);
  }
}
