/**
 * When to restart a crashed instance, and whether it is crash-looping. Pure: the random
 * source and the measured run time are arguments, so the policy is property-tested.
 */
import {
  DEFAULT_CRASH_LOOP_THRESHOLD,
  DEFAULT_RESTART_BASE_MS,
  DEFAULT_RESTART_MAX_MS,
  DEFAULT_RESTART_STABLE_MS,
} from '../defaults.js';

export interface RestartPolicy {
  /** @default DEFAULT_RESTART_BASE_MS */
  baseMs: number;
  /** @default DEFAULT_RESTART_MAX_MS */
  maxMs: number;
  /** @default DEFAULT_CRASH_LOOP_THRESHOLD */
  crashLoopThreshold: number;
  /** @default DEFAULT_RESTART_STABLE_MS */
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  baseMs: DEFAULT_RESTART_BASE_MS,
  maxMs: DEFAULT_RESTART_MAX_MS,
  crashLoopThreshold: DEFAULT_CRASH_LOOP_THRESHOLD,
  stableAfterMs: DEFAULT_RESTART_STABLE_MS,
};

/**
 * Delay before restart number `attempt` (0 = first restart after a crash): exponential,
 * capped, with "equal jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter",
 * 2015): half the delay is fixed so a restart never comes at once, half is random so
 * instances that crashed together (a shared database went away) do not restart in step.
 *
 * @param random a number in [0, 1), e.g. Math.random()
 */
export function nextRestartDelay(attempt: number, random: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}

export interface CrashDecision {
  /** Early crashes in a row, this one included (0 after a process that ran long enough). */
  consecutiveCrashes: number;
  crashLoop: boolean;
  delayMs: number;
}

/**
 * What to do after an instance's process died on its own. A process that ran at least
 * `stableAfterMs` was healthy for a while: its crash starts a new count, like Kubernetes
 * resetting the back-off after a container ran for ten minutes.
 */
export function decideAfterCrash(
  previousConsecutive: number,
  ranForMs: number,
  random: number,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): CrashDecision {
  const consecutive = ranForMs >= policy.stableAfterMs ? 1 : previousConsecutive + 1;
  return {
    consecutiveCrashes: consecutive,
    crashLoop: consecutive >= policy.crashLoopThreshold,
    delayMs: nextRestartDelay(consecutive - 1, random, policy),
  };
}
