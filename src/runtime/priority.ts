/**
 * CPU priority of the processes Wharf starts. Work that serves no request yet — builds,
 * pipeline stages, release commands, a new instance booting and warming up before its
 * health gate passes — runs at a lower priority than the instances and the router serving
 * traffic, so that a deploy on the same machine slows itself before it slows users'
 * requests: the convention of `nice make` on a shared build host.
 *
 * Niceness alone is not enough on Linux. With autogroups (sched(7); on by default in the
 * kernels of Debian, Ubuntu and Fedora) the scheduler first shares the CPU fairly between
 * sessions, and every process Wharf starts leads its own session (setsid, so that a stop
 * reaches its whole group). A process's nice value then ranks it only within its session:
 * measured here, two busy loops at nice 19 in their own sessions got the same CPU as two at
 * nice 0. What ranks sessions is the autogroup's own niceness, /proc/PID/autogroup; at 10,
 * the same two loops got 12 % of the CPU against 88 %. Any owner may set it between 0 and
 * 19 both ways, so a booting instance can be lowered and raised again with no privilege;
 * the kernel allows unprivileged writers one such write per 100 ms system-wide (EAGAIN).
 * Batch work gets both: nice(1), for hosts where autogroups are off or the daemon runs in a
 * cpu cgroup, and its session's niceness for hosts where they are on. A booting instance
 * gets only its session's: a process cannot lower its own nice value again without
 * CAP_SYS_NICE, and an instance must serve at the priority of its peers.
 *
 * Where the host lets Wharf create a cgroup, both also run in the idle CPU group
 * (cpu-idle-group.ts) for their first seconds, which yields to the router and the serving
 * instances at once where a low niceness still lets them wait out a slice.
 */
import { spawn, type ChildProcessByStdio, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { BATCH_NICENESS, IDLE_GROUP_MAX_MS } from '../defaults.js';
import { hostIdleCpuGroup } from './cpu-idle-group.js';

/** The kernel's limit on unprivileged autogroup writes is HZ/10: one per 100 ms. */
const AUTOGROUP_RETRY_MS = 110;
/** ~2 s of retries: a deploy starting many instances at once queues that many writes. */
const AUTOGROUP_ATTEMPTS = 20;

/**
 * Spawns `file args…` as batch work, in a session of its own (detached: setsid), with no
 * stdin and its output piped to the caller: under nice(1), so that it and everything it
 * forks are niced from their first instruction, and with its session's niceness lowered
 * just after the spawn.
 */
export function spawnBatch(file: string, args: readonly string[], options: Omit<SpawnOptions, 'detached' | 'stdio'>): ChildProcessByStdio<null, Readable, Readable> {
  const child = spawn('nice', ['-n', String(BATCH_NICENESS), file, ...args], { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) void lowerGroup(child.pid, BATCH_NICENESS, false);
  return child;
}

/**
 * Lowers process group `pid` (batch work, or a new instance for its boot): its session's
 * niceness, and the idle CPU group unless `ownCgroup` (on cgroup v2 a process is in one
 * cgroup only, and an instance with a memory limit must stay in its own). It leaves the idle
 * group after `idleForMs`, keeping its niceness: there it would starve on a host whose CPUs
 * are all busy, where niceness only slows it (IDLE_GROUP_MAX_MS). Resolves once the
 * niceness is set (see setSessionNiceness).
 */
export function lowerGroup(pid: number, niceness: number, ownCgroup: boolean, idleForMs = IDLE_GROUP_MAX_MS): Promise<boolean> {
  const idle = ownCgroup ? undefined : hostIdleCpuGroup();
  if (idle?.enter(pid)) setTimeout(() => idle.leave(pid), idleForMs).unref();
  return setSessionNiceness(pid, niceness);
}

/** Ends lowerGroup: the whole process group leaves the idle group, its session goes back to 0. */
export function raiseGroup(pid: number): Promise<boolean> {
  hostIdleCpuGroup()?.leave(pid);
  return setSessionNiceness(pid, 0);
}

/** Whether process group `pid` is still lowered (a booting instance after a daemon restart, say). */
export function groupLowered(pid: number): boolean {
  return (sessionNiceness(pid) ?? 0) > 0 || (hostIdleCpuGroup()?.holds(pid) ?? false);
}

// Writes go one at a time: under the kernel's rate limit, a burst of them would otherwise
// all spin on EAGAIN, and a lowering queued before a raising must land before it.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Sets the niceness (0–19) of the autogroup of the session `pid` belongs to. Resolves true
 * once set; false when the kernel has no autogroups, the process is gone, or it was refused.
 */
export function setSessionNiceness(pid: number, niceness: number): Promise<boolean> {
  const write = queue.then(() => writeAutogroup(pid, niceness));
  queue = write;
  return write;
}

async function writeAutogroup(pid: number, niceness: number): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await writeFile(`/proc/${pid}/autogroup`, String(niceness));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN' || attempt === AUTOGROUP_ATTEMPTS) return false;
      await new Promise((r) => setTimeout(r, AUTOGROUP_RETRY_MS));
    }
  }
}

/**
 * The niceness of the autogroup `pid` belongs to (`/autogroup-42 nice 10`); undefined when
 * unknown: no autogroups, the process is gone, or it is in the root autogroup (a session
 * that never called setsid since boot, such as init's), whose file is empty.
 */
export function sessionNiceness(pid: number): number | undefined {
  try {
    const m = / nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
