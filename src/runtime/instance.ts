/**
 * The driver's record of one supervised instance: the spec, the lifecycle state and the
 * process it currently has. Mutable, private to the driver; `toStatus` is the public view.
 */
import type { ChildProcess } from 'node:child_process';
import type { InstanceSpec, InstanceStatus } from './driver.js';
import type { InstanceState } from './lifecycle.js';
import type { LogCollector } from './log-collector.js';

export interface Instance {
  spec: InstanceSpec;
  state: InstanceState;
  reason: string | undefined;
  restarts: number;
  consecutiveCrashes: number;
  /** Bumped on every spawn and stop, so late events of an older process are ignored. */
  attempt: number;
  pid?: number | undefined;
  pidStartTime?: number | undefined;
  startedAt?: number | undefined;
  restartAt?: number | undefined;
  restartTimer?: NodeJS.Timeout | undefined;
  child?: ChildProcess | undefined;
  adopted: boolean;
  /** Why we killed it, when we did (memory limit, port never bound): wins over the exit status. */
  killReason?: string | undefined;
  usesCgroup: boolean;
  /** Its session runs at spec.bootNiceness: raised to 0 when it passes the health gate. */
  booting: boolean;
  rssBytes?: number | undefined;
  cpuPercent?: number | undefined;
  collector: LogCollector;
  stopping?: Promise<InstanceStatus | undefined> | undefined;
}

/** The read-only view `inspect` and `list` give out. */
export function toStatus(inst: Instance): InstanceStatus {
  const { spec, state, reason, pid, pidStartTime, restarts, startedAt, restartAt, rssBytes, cpuPercent, adopted } = inst;
  return { id: spec.id, state, reason, pid, pidStartTime, port: spec.port, restarts, startedAt, restartAt, rssBytes, cpuPercent, adopted };
}

/** Forgets the process of an instance whose group is gone. */
export function clearProcess(inst: Instance): void {
  Object.assign(inst, { pid: undefined, pidStartTime: undefined, child: undefined, startedAt: undefined, rssBytes: undefined, cpuPercent: undefined, usesCgroup: false, booting: false });
}
