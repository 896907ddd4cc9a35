/**
 * `size.memory` by the kernel: a cgroup v2 leaf per instance with `memory.max`, when the
 * unified hierarchy is mounted, has the memory controller and lets us create children
 * (running as root on the host, or with a delegated subtree). Otherwise the driver falls
 * back to sampling RSS (process-driver.ts). See the kernel's Documentation/admin-guide/
 * cgroup-v2.rst: "memory.max … If a cgroup's memory usage reaches this limit and can't be
 * reduced, the OOM killer is invoked in the cgroup"; `memory.events` counts `oom_kill`.
 *
 * The process is moved into its leaf right after spawn: children it forks in the first
 * instant, before the move, stay outside the leaf (the RSS sampler still sees them).
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MemoryCgroups {
  /** Puts `pid` in the instance's leaf limited to `limitBytes`; false if the kernel refused. */
  attach(id: string, pid: number, limitBytes: number): boolean;
  /** Whether the kernel's OOM killer fired in the instance's leaf. */
  oomKilled(id: string): boolean;
  /** Removes the (empty) leaf once the instance's processes are gone. */
  remove(id: string): void;
}

export function leafName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** The cgroup v2 enforcer if this host allows one, otherwise undefined (use RSS sampling). */
export function detectCgroupV2(root = '/sys/fs/cgroup'): MemoryCgroups | undefined {
  try {
    if (!readFileSync(join(root, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('memory')) return undefined;
    const base = join(root, 'wharf');
    mkdirSync(base, { recursive: true });
    writeFileSync(join(root, 'cgroup.subtree_control'), '+memory');
    writeFileSync(join(base, 'cgroup.subtree_control'), '+memory');
    return new CgroupV2(base);
  } catch {
    return undefined;
  }
}

class CgroupV2 implements MemoryCgroups {
  constructor(private readonly base: string) {}

  attach(id: string, pid: number, limitBytes: number): boolean {
    const leaf = join(this.base, leafName(id));
    try {
      this.remove(id); // a fresh leaf: memory.events of a previous process would read as an OOM kill
      mkdirSync(leaf, { recursive: true });
      writeFileSync(join(leaf, 'memory.max'), String(limitBytes));
      // No swap: a limit the app can exceed by swapping is not a limit.
      try {
        writeFileSync(join(leaf, 'memory.swap.max'), '0');
      } catch {
        // swap accounting disabled on this kernel: nothing to cap
      }
      // Kill the whole instance on OOM, not one process of it: a half-killed app is worse.
      try {
        writeFileSync(join(leaf, 'memory.oom.group'), '1');
      } catch {
        // kernels before 4.19 lack it; the driver restarts the group when the leader dies
      }
      writeFileSync(join(leaf, 'cgroup.procs'), String(pid));
      return true;
    } catch {
      return false;
    }
  }

  oomKilled(id: string): boolean {
    try {
      const events = readFileSync(join(this.base, leafName(id), 'memory.events'), 'utf8');
      const m = /^oom_kill (\d+)$/m.exec(events);
      return m !== null && Number(m[1]) > 0;
    } catch {
      return false;
    }
  }

  remove(id: string): void {
    try {
      rmdirSync(join(this.base, leafName(id)));
    } catch {
      // still has processes (a straggler) or already gone; the next attach reuses it
    }
  }
}
