/**
 * Re-adoption decisions, pure: is a recorded instance still the very process we started,
 * and in which state does supervision resume? The driver reads /proc and acts on the verdict.
 *
 * Identity is pid PLUS start time (field 22 of /proc/<pid>/stat): pids wrap around
 * (pid_max is 32768 by default), so a pid alone could name an unrelated process by the time
 * a daemon comes back; a start time in clock ticks since boot cannot repeat for one pid.
 */
import type { RecordedInstance } from './driver.js';
import { REASON } from './exit-reason.js';
import { isInstanceState, LIVE_STATES, type InstanceState } from './lifecycle.js';
import type { ProcStat } from './proc-table.js';

export type RecoveryVerdict =
  | { alive: true; state: InstanceState }
  /** `killGroup`: the leader is gone but its group may live on; those are orphans to end. */
  | { alive: false; reason: string; killGroup: boolean };

/** @param stat the live (non-zombie) process now at the recorded pid, if any */
export function judgeRecord(rec: RecordedInstance, stat: ProcStat | undefined): RecoveryVerdict {
  if (rec.pid === undefined || rec.pidStartTime === undefined) return { alive: false, reason: REASON.notRunning, killGroup: false };
  if (stat && stat.startTime === rec.pidStartTime) return { alive: true, state: resumedState(rec.state) };
  if (stat) return { alive: false, reason: REASON.pidReused, killGroup: false };
  // Linux never hands out a pid that is still some group's id, so a group that outlived
  // its leader under this id is certainly that instance's: safe to kill.
  return { alive: false, reason: REASON.exitedWhileAdopted, killGroup: true };
}

/**
 * The state supervision resumes in: the recorded one if a process can be in it; `starting`
 * becomes `running` (it was spawned; the health gate decides the rest).
 */
export function resumedState(recorded: string): InstanceState {
  if (!isInstanceState(recorded) || !LIVE_STATES.has(recorded) || recorded === 'starting') return 'running';
  return recorded;
}
