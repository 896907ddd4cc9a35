// What /proc says about a process: memory (RSS, PSS), CPU seconds, and when it started, as
// wall-clock milliseconds. proc(5) documents every field read here.
import fs from 'node:fs';

// proc(5): /proc/[pid]/stat field 22 (starttime) counts clock ticks since boot; the tick is
// sysconf(_SC_CLK_TCK), 100 on every Linux the kernel ships for (USER_HZ).
const TICKS_PER_SECOND = 100;

/** Boot time as epoch ms, from /proc/uptime (seconds since boot, 10 ms resolution). */
export function bootTimeMs() {
  const uptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return Date.now() - uptime * 1000;
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces), or undefined if it is gone. */
function statFields(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** starttime in clock ticks since boot (the value Wharf records as `pidStartTime`). */
export function startTicks(pid) {
  const f = statFields(pid);
  // statFields starts at field 3 (state), so field 22 is index 19.
  return f ? Number(f[19]) : undefined;
}

/** When the process started, as epoch ms (±10 ms). */
export function startedAtMs(pid, bootMs) {
  const ticks = startTicks(pid);
  return ticks === undefined ? undefined : bootMs + (ticks * 1000) / TICKS_PER_SECOND;
}

/** User + system CPU seconds of the process itself (fields 14 and 15). */
export function cpuSeconds(pid) {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND : undefined;
}

/** VmRSS from /proc/<pid>/status and Pss from smaps_rollup (when readable), in bytes. */
export function memory(pid) {
  let rss;
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    rss = m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
  let pss;
  try {
    const m = /^Pss:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    pss = m ? Number(m[1]) * 1024 : undefined;
  } catch {
    pss = undefined; // smaps_rollup needs Linux 4.14 and ptrace access
  }
  return { rss, pss, heap: mallocHeap(pid) };
}

/**
 * Resident bytes of the `[heap]` mapping: glibc malloc's main arena (brk), where Node's
 * native allocations live — not V8's heap, which is in anonymous mmaps. Free chunks inside
 * it stay resident until malloc_trim, so it shows memory that is retained but not used.
 */
export function mallocHeap(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  let inHeap = false;
  let kb = 0;
  for (const line of text.split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inHeap = line.endsWith('[heap]');
    else if (inHeap && line.startsWith('Rss:')) kb += Number(/(\d+) kB/.exec(line)[1]);
  }
  return kb * 1024;
}

/** Running (a zombie, state Z, has exited and only waits to be reaped). */
export function isAlive(pid) {
  const f = statFields(pid);
  return f !== undefined && f[0] !== 'Z';
}

/** Alive and still the same process (pid not reused): its start time matches the recorded one. */
export function isSameProcess(pid, ticks) {
  return isAlive(pid) && (ticks === undefined || startTicks(pid) === ticks);
}

/**
 * The machine's CPU time so far, in ticks, from the first line of /proc/stat: `busy` (user,
 * nice, system, irq, softirq), `idle` (idle, iowait) and `steal` — time a virtual CPU wanted
 * to run while the hypervisor ran something else. On a shared VM steal is the noise no
 * benchmark on it can remove, so the ones that time latency report it next to their figures.
 */
export function cpuTicks() {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
}

/** Samples cpuTicks every `everyMs`; `steal(from, to)` is the share of CPU time stolen between two epoch ms. */
export class StealMeter {
  constructor(everyMs = 250) {
    this.samples = [{ at: Date.now(), ...cpuTicks() }];
    this.timer = setInterval(() => this.samples.push({ at: Date.now(), ...cpuTicks() }), everyMs);
    this.timer.unref();
  }

  steal(from, to) {
    const first = this.samples.findLast((s) => s.at <= from) ?? this.samples[0];
    const last = this.samples.find((s) => s.at >= to) ?? this.samples.at(-1);
    const total = last.busy + last.idle + last.steal - (first.busy + first.idle + first.steal);
    return total > 0 ? (last.steal - first.steal) / total : undefined;
  }

  stop() {
    clearInterval(this.timer);
  }
}
