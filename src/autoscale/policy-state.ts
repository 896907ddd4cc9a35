/**
 * What the autoscaling policy remembers between decisions. It is an explicit value: each
 * decision takes the previous state and returns the next, so the controller can store
 * it, show it (`wharf autoscale status`) and replay it, and the policy stays pure.
 *
 * Panic mode, per service:
 *
 *     calm ──(6 s window ≥ panic_threshold × a target)──▶ panic
 *     panic ──(another burst)──▶ panic (lastAt moves on)
 *     panic ──(panic hold, 60 s, since lastAt)──▶ calm
 *
 * In panic the count only goes up.
 */

/** The count one decision recommended, before the scale-down rules. */
export interface Recommendation {
  /** Time of the decision, ms (the controller's clock). */
  at: number;
  count: number;
}

export interface PanicState {
  /** When this panic began. */
  since: number;
  /** The last decision that saw a burst; the hold counts from here. */
  lastAt: number;
}

export interface PolicyState {
  /** Recommendations over the scale-down window, oldest first (see remember). */
  recommendations: readonly Recommendation[];
  panic: PanicState | null;
  /** The last decision that removed instances; the scale-down rate counts from here. */
  lastScaleDownAt: number | null;
  /**
   * Since when every decision found the service idle (complete figures, every target asking
   * for zero instances); null when the last one did not. A `min: 0` service stops after
   * its idle window.
   */
  idleSince: number | null;
}

/** The state before the first decision: no history, so no scale-down for a whole window. */
export const INITIAL_POLICY_STATE: PolicyState = Object.freeze({
  recommendations: Object.freeze([]),
  panic: null,
  lastScaleDownAt: null,
  idleSince: null,
});

/**
 * Adds a recommendation and drops those that fell out of the window, except the newest
 * of them: it shows that the history reaches back over the whole window. Returns a new
 * list; the given one is not changed.
 */
export function remember(history: readonly Recommendation[], next: Recommendation, windowMs: number): Recommendation[] {
  const all = [...history.filter((r) => r.at < next.at), next];
  const start = next.at - windowMs;
  let first = 0;
  while (first + 1 < all.length && all[first + 1]!.at <= start) first += 1;
  return all.slice(first);
}

/** The history reaches back to the start of the window: decisions were made all along. */
export function coversWindow(history: readonly Recommendation[], now: number, windowMs: number): boolean {
  const oldest = history[0];
  return oldest !== undefined && oldest.at <= now - windowMs;
}

/** The largest count recommended over the window: scale-down never goes below it. */
export function highest(history: readonly Recommendation[]): number {
  return history.reduce((top, r) => Math.max(top, r.count), 0);
}

/** Panic after this decision: a burst starts or extends it; the hold ends it. */
export function nextPanic(panic: PanicState | null, burst: boolean, now: number, holdMs: number): PanicState | null {
  const ongoing = panic !== null && now - panic.lastAt < holdMs ? panic : null;
  if (burst) return { since: ongoing?.since ?? now, lastAt: now };
  return ongoing;
}
