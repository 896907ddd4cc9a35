/**
 * What rollouts need from the router, as a consumer interface: the fleet drains old
 * instances through it without knowing how the router is reached. (New instances pass the
 * daemon's own health gate before they enter the router's table: health-gate.ts.)
 */
export interface TrafficControl {
  /** Resolves once the router has finished draining `ids` (in-flight requests done, or its drain timeout). */
  awaitDrained(ids: readonly string[], timeoutMs: number): Promise<void>;
}
