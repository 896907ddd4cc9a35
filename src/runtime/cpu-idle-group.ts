/**
 * The idle CPU group: a cgroup with `cpu.idle` set, where Wharf runs the work that serves no
 * request yet (a new instance booting and warming up, builds, release commands) when the
 * host lets it create one (root, cgroup v1's cpu hierarchy or v2's root). See the kernel's
 * Documentation/admin-guide/cgroup-v2.rst, "cpu.idle": the group is treated as SCHED_IDLE
 * against its siblings.
 *
 * Why a cgroup, when priority.ts already lowers the session's autogroup: with
 * bench/deploy/priority.mjs on this host (kernel 6.18, EEVDF, 2 vCPUs), a `node -e 0` started
 * next to the router under load raised the p99 of the next 1.2 s 1.17× at autogroup
 * niceness 0, 1.34× at 10 and 1.23× at 19, and 1.10× in an idle group; in an earlier run of
 * a probe of the same kind, 2.3×, 1.5× (19) and 1.3×. As far as we can tell, a woken router
 * waits for a low-weight entity to use up its slice, and an idle group gives way at once. SCHED_IDLE on the process itself is
 * worse than nothing (2.24×): its CPU then counts as idle when the kernel places a woken
 * task there, but inside its own autogroup it does not give way to that task.
 *
 * A process forks into its parent's cgroup, so children an instance starts while booting
 * stay in the idle group with it; leaving moves every process of its group out.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStat } from './proc-table.js';

export const IDLE_GROUP_NAME = 'wharf-idle';

export interface IdleCpuGroup {
  /** Moves `pid` into the idle group; false if the kernel refused (or it is gone). */
  enter(pid: number): boolean;
  /** Moves every process of process group `pgid` out of the idle group, back to the daemon's. */
  leave(pgid: number): void;
  /** Whether `pid` is in the idle group. */
  holds(pid: number): boolean;
}

/** Where the cpu controller is mounted and which of its cgroups we are in. */
export interface CpuHierarchy {
  version: 1 | 2;
  /** The mount point of the hierarchy. */
  mount: string;
  /** Our cgroup's path inside it (`/` for its root). */
  path: string;
}

/**
 * The cpu hierarchy from /proc/self/mountinfo and /proc/self/cgroup (proc(5), cgroups(7)):
 * v1's `cpu` controller if mounted (hybrid hosts mount both), else v2's unified hierarchy.
 */
export function findCpuHierarchy(mountinfo: string, cgroup: string): CpuHierarchy | undefined {
  const mounts = mountinfo.split('\n').map((line) => {
    const [pre, post] = line.split(' - ');
    const f = pre?.split(' ') ?? [];
    const p = post?.split(' ') ?? [];
    return { root: f[3], mount: f[4], type: p[0], options: (p[2] ?? '').split(',') };
  });
  const groups = cgroup.split('\n').map((line) => {
    const [id, controllers, ...rest] = line.split(':');
    return { id, controllers: (controllers ?? '').split(','), path: rest.join(':') };
  });
  const v1 = mounts.find((m) => m.type === 'cgroup' && m.options.includes('cpu'));
  const mine1 = groups.find((g) => g.controllers.includes('cpu'));
  if (v1?.mount && mine1) return { version: 1, mount: v1.mount, path: within(v1.root, mine1.path) };
  const v2 = mounts.find((m) => m.type === 'cgroup2');
  const mine2 = groups.find((g) => g.id === '0' && g.controllers.join('') === '');
  if (v2?.mount && mine2) return { version: 2, mount: v2.mount, path: within(v2.root, mine2.path) };
  return undefined;
}

/** The path of our cgroup relative to a mount of the hierarchy's subtree `root` (a container's view). */
function within(root: string | undefined, path: string): string {
  if (!root || root === '/') return path;
  if (path === root) return '/';
  return path.startsWith(`${root}/`) ? path.slice(root.length) : path;
}

/**
 * The idle group next to our own cgroup, created if need be; undefined when the host has no
 * cpu controller we may use. On v2 only our cgroup being the root qualifies: anywhere else
 * the group would need a delegated subtree whose processes sit in leaves (cgroup-v2.rst, "No
 * Internal Process Constraint"); there, booting keeps to its autogroup's niceness.
 */
export function openIdleCpuGroup(h: CpuHierarchy | undefined = hostCpuHierarchy()): IdleCpuGroup | undefined {
  if (!h) return undefined;
  const home = join(h.mount, h.path);
  const idle = join(home, IDLE_GROUP_NAME);
  try {
    if (h.version === 2) {
      if (h.path !== '/') return undefined;
      if (!readFileSync(join(home, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')) return undefined;
      writeFileSync(join(home, 'cgroup.subtree_control'), '+cpu');
    }
    mkdirSync(idle, { recursive: true });
    try {
      writeFileSync(join(idle, 'cpu.idle'), '1');
    } catch {
      // before Linux 5.15: the lowest weight there is, close to it in a probe (bench/RESULTS.md)
      writeFileSync(join(idle, h.version === 1 ? 'cpu.shares' : 'cpu.weight'), h.version === 1 ? '2' : '1');
    }
  } catch {
    return undefined;
  }
  return new CgroupIdleGroup(home, idle);
}

class CgroupIdleGroup implements IdleCpuGroup {
  constructor(
    private readonly home: string,
    private readonly idle: string,
  ) {}

  enter(pid: number): boolean {
    return move(this.idle, pid);
  }

  leave(pgid: number): void {
    for (const pid of this.members()) if (readStat(pid)?.pgid === pgid) move(this.home, pid);
  }

  holds(pid: number): boolean {
    return this.members().includes(pid);
  }

  private members(): number[] {
    try {
      return readFileSync(join(this.idle, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }
}

function move(group: string, pid: number): boolean {
  try {
    writeFileSync(join(group, 'cgroup.procs'), String(pid));
    return true;
  } catch {
    return false;
  }
}

let host: { group: IdleCpuGroup | undefined } | undefined;

/** This host's idle group, looked up once. */
export function hostIdleCpuGroup(): IdleCpuGroup | undefined {
  host ??= { group: openIdleCpuGroup() };
  return host.group;
}

function hostCpuHierarchy(): CpuHierarchy | undefined {
  try {
    return findCpuHierarchy(readFileSync('/proc/self/mountinfo', 'utf8'), readFileSync('/proc/self/cgroup', 'utf8'));
  } catch {
    return undefined;
  }
}
