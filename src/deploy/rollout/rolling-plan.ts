/**
 * The rolling strategy's decision, as data: given how many instances of the new release are
 * ready and how many of the old one still serve, how many to start and how many to stop
 * next. Kubernetes' Deployment rules (maxSurge, maxUnavailable): never more than
 * `desired + surge` instances, never fewer than `desired - unavailable` ready ones, and a new
 * instance passes the health gate before an old one is drained for it. Pure.
 */

export interface RollingInput {
  /** Instances the new release should end with. */
  desired: number;
  /** Instances allowed above `desired` while rolling. */
  surge: number;
  /** Ready instances allowed below `desired` while rolling. */
  unavailable: number;
  /** Instances of the new release that passed the health gate. */
  fresh: number;
  /** Instances of older releases still serving. */
  old: number;
}

/** Start `start` new instances (all must pass the gate), then drain and stop `stop` old ones. */
export type RollingStep = { done: true } | { done: false; start: number; stop: number };

export function nextRollingStep(input: RollingInput): RollingStep {
  const { desired, fresh, old } = input;
  if (fresh >= desired && old === 0) return { done: true };
  const { surge, unavailable } = effectiveBounds(input.surge, input.unavailable);
  const start = Math.max(0, Math.min(desired - fresh, desired + surge - (fresh + old)));
  const stop = Math.max(0, Math.min(old, fresh + start + old - (desired - unavailable)));
  return { done: false, start, stop };
}

/**
 * With both bounds at 0 a rollout could neither add nor remove an instance; Kubernetes
 * refuses that spec, Wharf reads it as a surge of 1 (the default), so it always moves.
 */
export function effectiveBounds(surge: number, unavailable: number): { surge: number; unavailable: number } {
  return surge === 0 && unavailable === 0 ? { surge: 1, unavailable: 0 } : { surge, unavailable };
}

/** The new release's share of the service's traffic while both serve: by ready instances. */
export function rollingWeight(fresh: number, old: number): number {
  if (old === 0) return 100;
  if (fresh === 0) return 0;
  return Math.round((100 * fresh) / (fresh + old));
}
