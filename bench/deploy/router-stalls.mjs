#!/usr/bin/env node
// Where a cold rollback's slowest answers come from, seen by the kernel's scheduler (issue 5).
// examples/hello under Wharf with the deploy bench's steady load; each round deploys twice
// (blue-green), rolls back warm, then records a cold rollback with `perf sched record -a` and
// reads it back with `perf sched timehist`. Under 2,256 req/s the router's event loop wakes
// every few hundred µs: a gap of more than --gap ms between two of its runs means it could not
// run. For each such gap the script names the task that held the router's CPU, and it lists
// every run of --long ms or more by any task (on a kernel without full preemption, a task in
// the kernel keeps its CPU until it gives it up: a process exiting frees its memory, a child
// forked from a large parent drops the parent's copy at exec).
//
//   npm run build && node bench/deploy/router-stalls.mjs [--rounds 2] [--rate 2256] [--gap 2] [--long 2]
//
// Needs root (perf sched record -a) and perf (Debian: linux-perf). Loopback only; every
// process started is stopped by pid; the recordings go to a temp dir that is removed.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { setGreeting } from '../runtime/fixtures.mjs';
import { helloUnderWharf } from './hello.mjs';
import { LoadProcess, p99 } from './load.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: opt } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    rounds: { type: 'string', default: '2' },
    rate: { type: 'string', default: '2256' },
    gap: { type: 'string', default: '2' },
    long: { type: 'string', default: '2' },
  },
});

/** One line of `perf sched timehist`: a task's run on a CPU, and the wait and delay before it. */
const LINE = /^\s*(\d+\.\d+)\s+\[(\d+)\]\s+(\S.*?)\[(-?\d+)(?:\/(\d+))?\]\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/;

function parseTimehist(text) {
  const runs = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const tid = Number(m[4]);
    const pid = Number(m[5] ?? m[4]);
    // timehist stamps a run at its end; wait is the time asleep before it, delay the time runnable.
    runs.push({ end: Number(m[1]) * 1000, cpu: Number(m[2]), comm: m[3], tid, pid, waitMs: Number(m[6]), delayMs: Number(m[7]), runMs: Number(m[8]) });
  }
  return runs;
}

const recordings = fs.mkdtempSync(path.join(os.tmpdir(), 'wharf-router-stalls-'));
const hello = await helloUnderWharf({ root, dist: path.resolve(root, opt.dist), prefix: 'wharf-bench-stalls-' });
const { appDir, spec, port, wharf, host } = hello;
let load;
hello.onStop(() => load?.stop());
try {
  try {
    execFileSync('perf', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('this probe needs perf (Debian: apt-get install linux-perf) and root');
  }
  hello.setDeploy({ strategy: 'blue-green' });
  setGreeting(appDir, 's0');
  await wharf.up(appDir);
  await wharf.waitReady(spec);
  load = await LoadProcess.start({ port, host, rate: Number(opt.rate), realtime: true });
  const status = await wharf.api('/v1/status');
  const routerPid = status?.router?.pid;
  const daemonPid = status?.pid;
  if (!routerPid) throw new Error('the daemon did not report its router\'s pid (/v1/status router.pid)');
  for (let round = 1; round <= Number(opt.rounds); round++) {
    setGreeting(appDir, `s${round}a`);
    await wharf.cli(['deploy', '-C', appDir]);
    setGreeting(appDir, `s${round}b`);
    await wharf.cli(['deploy', '-C', appDir]);
    const warm = await wharf.cli(['rollback', '-C', appDir]);
    const from = warm.match(/from (v\d+) to/)?.[1];
    if (!from) throw new Error(`unexpected rollback output: ${warm}`);
    await sleep(10_000);
    const roles = new Map([[routerPid, 'router'], [daemonPid, 'daemon'], [load.child.pid, 'load generator']]);
    for (const i of await wharf.instances('hello', 'production')) if (i.pid) roles.set(i.pid, `${i.service} v${i.release}`);
    const file = path.join(recordings, `round-${round}.data`);
    const perf = spawn('perf', ['sched', 'record', '-a', '-o', file, '--', 'sleep', '6'], { stdio: 'ignore' });
    await sleep(500);
    // perf's clock is the monotonic one (perf_event_open's default on x86), as hrtime's.
    const t0 = Number(process.hrtime.bigint() / 1000n) / 1000;
    const w0 = Date.now();
    await wharf.cli(['rollback', '-C', appDir, from]);
    const ms = Date.now() - w0;
    await new Promise((r) => perf.on('exit', r));
    for (const i of await wharf.instances('hello', 'production')) if (i.pid && !roles.has(i.pid)) roles.set(i.pid, `${i.service} v${i.release} (new)`);
    await sleep(500);
    const answers = await load.between(w0, w0 + ms + 1000);
    const steady = p99(await load.between(w0 - 10_000, w0));
    const runs = parseTimehist(execFileSync('perf', ['sched', 'timehist', '-i', file], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }));
    const inWindow = runs.filter((r) => r.end >= t0 && r.end <= t0 + ms + 1000);
    const role = (r) => roles.get(r.pid) ?? (r.comm.startsWith(':-1') ? `exiting pid ${r.pid}` : `${r.comm} ${r.pid}`);
    const at = (t) => `${Math.round(t - t0)}`.padStart(6);
    console.log(`\nround ${round}: cold rollback to ${from}, ${ms} ms; p99 ${(p99(answers)).toFixed(2)} ms against ${steady.toFixed(2)} ms steady (${(p99(answers) / steady).toFixed(2)}×); times in ms from the command`);
    console.log('  the router could not run:');
    for (const r of inWindow.filter((x) => x.tid === routerPid && x.waitMs >= Number(opt.gap))) {
      const start = r.end - r.runMs - r.delayMs;
      const holder = inWindow.filter((x) => x.cpu === r.cpu && x.tid !== routerPid && x.end <= start + 0.05 && x.end >= start - r.waitMs).sort((a, b) => b.runMs - a.runMs)[0];
      console.log(`  ${at(start - r.waitMs)}  for ${r.waitMs.toFixed(1)} ms on CPU ${r.cpu}; its CPU held by ${holder ? `${role(holder)} for ${holder.runMs.toFixed(1)} ms` : 'nothing seen (woken late)'}`);
    }
    console.log(`  runs of ${opt.long} ms or more:`);
    for (const r of inWindow.filter((x) => x.runMs >= Number(opt.long) && x.pid !== 0 && !/^perf/.test(x.comm))) {
      console.log(`  ${at(r.end - r.runMs)}  ${role(r)}${r.tid !== r.pid ? ` (thread ${r.tid})` : ''} on CPU ${r.cpu} for ${r.runMs.toFixed(1)} ms`);
    }
  }
} finally {
  await hello.stop();
  fs.rmSync(recordings, { recursive: true, force: true });
}
