/**
 * CPU % and RSS of each instance's whole process group, from one /proc scan per tick; the
 * figures the autoscaler and `wharf ps` read, and the RSS the memory limit is checked against.
 *
 * CPU counts utime+stime+cutime+cstime of every member, so the time of a child that exited
 * (and was reaped by a member) stays counted in its parent's cutime rather than vanishing.
 */
import { channel } from 'node:diagnostics_channel';
import { CLOCK_TICKS_PER_SECOND, type ProcStat } from './proc-table.js';

/**
 * Every sample is published here (Node's diagnostics_channel, as undici publishes its
 * events), so the autoscaler and metrics subscribe without the runtime knowing them.
 */
export const SAMPLE_CHANNEL_NAME = 'wharf:runtime:sample';
export const sampleChannel = channel(SAMPLE_CHANNEL_NAME);

/** The message on SAMPLE_CHANNEL_NAME. */
export interface InstanceSample extends GroupSample {
  id: string;
  app: string;
  env: string;
  service: string;
  release: number;
  time: number;
}

export interface GroupSample {
  rssBytes: number;
  /** 100 = one core busy for the whole interval; undefined on the first sample. */
  cpuPercent: number | undefined;
  processes: number;
}

export class GroupSampler {
  private readonly last = new Map<number, { ticks: number; at: number }>();

  sample(pgid: number, members: ProcStat[], now: number): GroupSample {
    let rss = 0;
    let ticks = 0;
    for (const m of members) {
      rss += m.rssBytes;
      ticks += m.cpuTicks;
    }
    const prev = this.last.get(pgid);
    this.last.set(pgid, { ticks, at: now });
    let cpu: number | undefined;
    if (prev && now > prev.at) {
      const used = Math.max(0, ticks - prev.ticks) / CLOCK_TICKS_PER_SECOND;
      cpu = Math.round((used / ((now - prev.at) / 1000)) * 1000) / 10;
    }
    return { rssBytes: rss, cpuPercent: cpu, processes: members.length };
  }

  forget(pgid: number): void {
    this.last.delete(pgid);
  }
}
