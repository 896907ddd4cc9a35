/**
 * Real-time CPU priority for the router's event loop: the SCHED_FIFO class of sched(7), at
 * its lowest priority, 1.
 *
 * Why: every request crosses the router's event loop twice, and on a small host that loop
 * shares the CPUs with the instances and with everything a deploy starts: the CLI, release
 * commands, new instances booting and warming up. In the normal class (EEVDF since Linux
 * 6.6) a woken thread waits its turn among the runnable ones, and one that has lately had
 * more than its share of a CPU is not even eligible until the others catch up: `perf sched
 * timehist` on this project's 2-vCPU host showed the router woken and left waiting ~1.1 ms at
 * a time while other threads ran, a booting instance's among them. A SCHED_FIFO thread runs
 * as soon as it wakes, ahead of every normal thread. bench/deploy/cpu-class.mjs, rolling
 * deploys under load, 6 per pairing, the load generator in the normal class: p99 1.15 ms
 * steady and 2.62 ms during deploys, against 1.37 and 3.03 ms with the router in the normal
 * class; with the load generator at SCHED_FIFO too (it stands for clients on other machines),
 * 1.14 and 1.57 ms, against 2.02 and 3.22.
 *
 * Only the main thread is raised: the router's other threads (V8's compiler and GC
 * helpers, libuv's pool) stay in the normal class, and so does every thread or process the
 * router starts later (SCHED_RESET_ON_FORK), its successor on `wharf router restart` too.
 *
 * What bounds the risk of a real-time thread: it is one thread, so it can hold one CPU at
 * most, and the kernel keeps a share of every CPU for normal threads even then (5 %: RT
 * throttling, and the fair server since Linux 6.12). Wharf therefore asks for it only where
 * the router may run on two CPUs or more, so that instances and the daemon keep one.
 * Setting it needs CAP_SYS_NICE (root) or an RLIMIT_RTPRIO of 1; without either, the router
 * serves in the normal class and the daemon says why.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** The lowest real-time priority: above every normal thread, below the kernel's own (50, 99). */
export const ROUTER_RT_PRIORITY = 1;

/** sched(7) policy numbers, as /proc/PID/stat field 41 gives them. */
const POLICIES: Readonly<Record<number, CpuPolicy>> = { 0: 'normal', 1: 'fifo', 2: 'rr', 3: 'batch', 5: 'idle', 6: 'deadline' };
export type CpuPolicy = 'normal' | 'fifo' | 'rr' | 'batch' | 'idle' | 'deadline';

export type RealtimeOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Puts the main thread of `pid` in SCHED_FIFO at ROUTER_RT_PRIORITY with SCHED_RESET_ON_FORK
 * (`realtime`), or back in the normal class (`!realtime`), with util-linux's chrt(1): Node
 * has no call for sched_setscheduler(2). `cpus` is how many CPUs the process may use.
 */
export function setRealtime(pid: number, realtime: boolean, cpus: number = availableParallelism()): Promise<RealtimeOutcome> {
  if (realtime && cpus < 2) return Promise.resolve({ ok: false, reason: 'the host gives it one CPU, which a busy real-time thread would take from the instances' });
  const args = realtime ? ['--fifo', '--reset-on-fork', '--pid', String(ROUTER_RT_PRIORITY), String(pid)] : ['--other', '--pid', '0', String(pid)];
  return new Promise((resolve) => {
    execFile('chrt', args, { timeout: 5_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve({ ok: true });
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ ok: false, reason: 'chrt (util-linux) is not installed' });
      if (/not permitted/i.test(stderr)) return resolve({ ok: false, reason: 'a real-time policy needs root, CAP_SYS_NICE or an RLIMIT_RTPRIO of 1' });
      resolve({ ok: false, reason: stderr.trim() || err.message });
    });
  });
}

/** The scheduling policy of thread `tid` of process `pid` (its main thread by default), or undefined if it is gone. */
export function cpuPolicy(pid: number, tid: number = pid): CpuPolicy | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // proc(5): field 41 is the policy; parsing starts after the command name's last ')' (field 3).
  const policy = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[41 - 3]);
  return POLICIES[policy];
}
