/**
 * Named reasons for why an instance's process ended, shown in `wharf ps` and events.
 * Shells report a missing command as 127 and a non-executable one as 126 (POSIX.1-2017,
 * Shell & Utilities §2.8.2), which is how a bad Procfile line shows up.
 */
import { constants } from 'node:os';

/** A reason for an exit we did not cause. */
export function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal-${signal}`;
  if (code === 127) return 'command-not-found';
  if (code === 126) return 'command-not-executable';
  if (code === null) return 'exited';
  return `exit-code-${code}`;
}

/** The conventional shell exit status for a process ended by a signal: 128 + its number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  const n = (constants.signals as Record<string, number>)[signal];
  return 128 + (n ?? 0);
}

/** Reasons the driver itself gives. */
export const REASON = {
  memoryLimit: 'memory-limit',
  portNotBound: 'port-not-bound',
  /** A re-adopted process ended; it is not our child, so its exit status is unknowable. */
  exitedWhileAdopted: 'exited-unobserved',
  /** The recorded pid is alive but is another process (its start time differs). */
  pidReused: 'pid-reused',
  notRunning: 'not-running',
  spawnFailed: 'spawn-failed',
  stopRequested: 'stop-requested',
  killedAfterTimeout: 'killed-after-stop-timeout',
  started: 'started',
  restarted: 'restarted',
  adopted: 'adopted',
} as const;
