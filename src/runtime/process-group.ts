/**
 * Signalling and stopping a whole process group. Instances run in their own session and
 * group (setsid), so a negative pid reaches the app and every child it forked — a worker
 * pool, a shell pipeline — and none is left behind (kill(2): "If pid is less than -1, then
 * sig is sent to every process in the process group whose ID is -pid").
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { groupMembers, readStat } from './proc-table.js';

/** Sends a signal to the group; false if no process of it exists any more. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

/**
 * Whether any non-zombie process of the group lives. kill(-pgid, 0) alone would count
 * zombies that nobody has reaped yet (an adopted instance's parent is init, which may be
 * slow), so a positive answer is confirmed from /proc: by the leader's own stat while it
 * runs (an instance leads its group), by a scan of every process only once it is gone.
 * waitGroupGone asks every 50 ms while an instance drains, for seconds.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (readStat(pgid)?.pgid === pgid) return true;
  return groupMembers(pgid).length > 0;
}

/** Polls until the group is gone or the deadline passes; returns whether it is gone. */
export async function waitGroupGone(pgid: number, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!groupAlive(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
}

export interface GroupStopResult {
  /** True when SIGKILL was needed because the group outlived the grace period. */
  killed: boolean;
}

/**
 * Graceful stop: SIGTERM to the group, SIGKILL to the group after `timeoutMs`, then wait
 * until nothing of it runs. A process that ignores SIGTERM or a child that lingers is
 * therefore always gone when this resolves.
 */
export async function stopGroup(pgid: number, timeoutMs: number): Promise<GroupStopResult> {
  if (!signalGroup(pgid, 'SIGTERM')) return { killed: false };
  // A stopped (SIGSTOP) process would hold SIGTERM pending forever; let it receive it.
  signalGroup(pgid, 'SIGCONT');
  if (await waitGroupGone(pgid, timeoutMs)) return { killed: false };
  signalGroup(pgid, 'SIGKILL');
  // SIGKILL cannot be ignored; only uninterruptible I/O delays it.
  await waitGroupGone(pgid, 10_000);
  return { killed: true };
}
