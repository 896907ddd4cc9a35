/**
 * A snapshot of /proc: which processes exist, their group, start time, CPU ticks and RSS.
 * One scan per sampling tick serves every instance (40 instances → one readdir, not 40).
 *
 * Field numbers are those of proc(5), /proc/[pid]/stat. The command name (field 2) is in
 * parentheses and may itself contain spaces or parentheses, so parsing starts after the
 * LAST ')'.
 */
import { readdirSync, existsSync, readFileSync } from 'node:fs';

/** Linux reports times in clock ticks; USER_HZ is 100 on every architecture Node supports. */
export const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_SIZE = 4096;

export interface ProcStat {
  pid: number;
  /** Field 3: R, S, D, Z (zombie: dead, not yet reaped), T, … */
  state: string;
  ppid: number;
  /** Field 5. */
  pgid: number;
  /** Fields 14–17 (utime, stime, cutime, cstime), in clock ticks. */
  cpuTicks: number;
  /** Field 22: ticks after boot when the process started; with the pid, a unique identity. */
  startTime: number;
  /** Field 24 (pages) in bytes. */
  rssBytes: number;
}

export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // After ')' come fields 3, 4, 5, … separated by single spaces.
  const f = text.slice(close + 2).trim().split(' ');
  const field = (n: number): number => Number(f[n - 3]);
  if (f.length < 22 || !Number.isInteger(pid)) return undefined;
  return {
    pid,
    state: f[0] ?? '?',
    ppid: field(4),
    pgid: field(5),
    cpuTicks: field(14) + field(15) + field(16) + field(17),
    startTime: field(22),
    rssBytes: field(24) * PAGE_SIZE,
  };
}

/** One process's stat, or undefined if it does not exist (or is a zombie: it runs nothing). */
export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const stat = parseStat(text);
  return stat && stat.state !== 'Z' ? stat : undefined;
}

/**
 * Whether a process is running. A zombie is not (dead, never reaped: a PID 1 that does not
 * reap orphans leaves a killed daemon so). Without procfs, signal 0 is all there is (EPERM:
 * it exists, as another user's).
 */
export function processIsAlive(pid: number): boolean {
  if (existsSync('/proc/self/stat')) return readStat(pid) !== undefined;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` is still the very process that started at `startTime`. */
export function isSameProcess(pid: number, startTime: number): boolean {
  return readStat(pid)?.startTime === startTime;
}

/** Every live (non-zombie) process, grouped by process group id. */
export function scanProcessGroups(): Map<number, ProcStat[]> {
  const groups = new Map<number, ProcStat[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return groups;
  }
  for (const name of entries) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    const list = groups.get(stat.pgid);
    if (list) list.push(stat);
    else groups.set(stat.pgid, [stat]);
  }
  return groups;
}

/** Live members of one process group (a full scan; use scanProcessGroups for many groups). */
export function groupMembers(pgid: number): ProcStat[] {
  return scanProcessGroups().get(pgid) ?? [];
}
