/**
 * The instance lifecycle: one pure transition function, the only place that decides which
 * state follows which. The driver (the executor) feeds it events and does what the new
 * state implies.
 *
 *               ┌──────────────── restart (backoff passed) ─────────────────┐
 *               ▼                                                            │
 *   start ──▶ starting ─listening─▶ running ─health-passed─▶ healthy         │
 *                                      │                    ▲     │          │
 *                                health-failed   health-passed   health-failed
 *                                      │                    │     │          │
 *                                      └─────▶ unhealthy ───┘ ◀───┘          │
 *                                                                            │
 *   starting/running/healthy/unhealthy ──exited──▶ crashed | crash-loop ─────┘
 *   starting/running/healthy/unhealthy ──stop──▶ draining ──exited──▶ stopped
 *   crashed | crash-loop ──stop──▶ stopped          (nothing runs: no draining)
 *
 * `crash-loop` is `crashed` made visible: the restart policy (restart-policy.ts) says the
 * instance keeps dying young, and restarts wait longer. `stopped` is final.
 */

export const INSTANCE_STATES = [
  'starting',
  'running',
  'healthy',
  'unhealthy',
  'draining',
  'stopped',
  'crashed',
  'crash-loop',
] as const;

export type InstanceState = (typeof INSTANCE_STATES)[number];

export type LifecycleEvent =
  /** The process is up (its port accepts connections, or it was spawned when no port is awaited). */
  | { type: 'listening' }
  | { type: 'health-passed' }
  | { type: 'health-failed' }
  /** The operator or the reconciler asked for a stop. */
  | { type: 'stop' }
  /** The process group is gone; `crashLoop` is the restart policy's verdict. */
  | { type: 'exited'; crashLoop: boolean }
  /** The backoff has passed: spawn again. */
  | { type: 'restart' };

export type LifecycleEventType = LifecycleEvent['type'];

/** States in which a process of the instance may be running. */
export const LIVE_STATES: ReadonlySet<InstanceState> = new Set([
  'starting',
  'running',
  'healthy',
  'unhealthy',
  'draining',
]);

export function isInstanceState(s: string): s is InstanceState {
  return (INSTANCE_STATES as readonly string[]).includes(s);
}

/**
 * The next state, or `undefined` when the event does not apply in this state (the executor
 * ignores it: e.g. a late health result for an instance already draining).
 */
export function transition(state: InstanceState, event: LifecycleEvent): InstanceState | undefined {
  switch (event.type) {
    case 'listening':
      return state === 'starting' ? 'running' : undefined;
    case 'health-passed':
      return state === 'running' || state === 'unhealthy' ? 'healthy' : undefined;
    case 'health-failed':
      return state === 'running' || state === 'healthy' ? 'unhealthy' : undefined;
    case 'stop':
      if (state === 'crashed' || state === 'crash-loop') return 'stopped';
      return LIVE_STATES.has(state) && state !== 'draining' ? 'draining' : undefined;
    case 'exited':
      if (state === 'draining') return 'stopped';
      if (LIVE_STATES.has(state)) return event.crashLoop ? 'crash-loop' : 'crashed';
      return undefined;
    case 'restart':
      return state === 'crashed' || state === 'crash-loop' ? 'starting' : undefined;
  }
}
