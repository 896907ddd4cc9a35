#!/usr/bin/env node
// What a process started next to the router costs its users' p99, by the priority it runs
// at (issue 5): the same steady paced load as run.mjs on examples/hello under Wharf, and,
// every 3 s, one `node -e 0` (a boot's first ~100 ms of CPU, no app) started in a session of
// its own, as Wharf starts instances and builds. The kinds take turns, so drift in the
// machine falls on all of them alike:
//
//   none       nothing is started (the window's own noise)
//   session 0  its session's autogroup at niceness 0 (what any process gets)
//   session 10 autogroup niceness 10 (Wharf's boot and batch priority, priority.ts)
//   session 19 autogroup niceness 19
//   SCHED_IDLE chrt --idle: the process's own policy
//   idle group Wharf's idle CPU group (cpu-idle-group.ts): needs root
//
// Per kind: the p99 of the 1.2 s from each start against the 1.2 s that ended 0.8 s before
// it (medians over the starts), and how many answers took over 3 ms in those windows.
//
//   npm run build && node bench/deploy/priority.mjs [--starts 20] [--rate 2256] [--client realtime|normal]
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { median, table } from '../runtime/stats.mjs';
import { helloUnderWharf } from './hello.mjs';
import { LoadProcess, p99 } from './load.mjs';
import { log } from '../runtime/log.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: opt } = parseArgs({ options: { dist: { type: 'string', default: 'dist' }, starts: { type: 'string', default: '20' }, rate: { type: 'string', default: '2256' }, client: { type: 'string', default: 'realtime' } } });
const dist = path.resolve(root, opt.dist);
const { hostIdleCpuGroup } = await import(path.join(dist, 'runtime/cpu-idle-group.js'));

/**
 * Starts `node -e 0` in a new session through a shell that waits for a line on stdin, so
 * that the priority is in place before node's first instruction; resolves when it exits.
 */
function start(setup, enter) {
  const child = spawn('sh', ['-c', `read go; ${setup} exec "$0" -e 0`, process.execPath], { detached: true, stdio: ['pipe', 'ignore', 'inherit'] });
  if (enter) enter(child.pid);
  child.stdin.end('go\n');
  return new Promise((r) => child.once('exit', r));
}

const idle = hostIdleCpuGroup();
const kinds = {
  none: () => sleep(100),
  'session 0': () => start(''),
  'session 10': () => start('echo 10 > /proc/self/autogroup;'),
  'session 19': () => start('echo 19 > /proc/self/autogroup;'),
  SCHED_IDLE: () => start('chrt --idle -p 0 $$ >/dev/null;'),
  ...(idle ? { 'idle group': () => start('', (pid) => idle.enter(pid)) } : {}),
};

const hello = await helloUnderWharf({ root, dist, prefix: 'wharf-bench-priority-' });
const { appDir, spec, port, wharf, host } = hello;
let load;
hello.onStop(() => load?.stop());
try {
  await wharf.up(appDir);
  await wharf.waitReady(spec);
  load = await LoadProcess.start({ port, host, rate: Number(opt.rate), realtime: opt.client === 'realtime' });
  await sleep(6000);
  const results = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
  const W = 1200;
  for (let i = 0; i < Number(opt.starts); i++) {
    for (const [kind, run] of Object.entries(kinds)) {
      await sleep(2500);
      const t0 = Date.now();
      const wall = await run().then(() => Date.now() - t0);
      await sleep(Math.max(0, W - (Date.now() - t0)) + 200);
      const during = await load.between(t0, t0 + W);
      const before = await load.between(t0 - 2000, t0 - 800);
      const over3 = (xs) => xs.filter((s) => s.ms > 3).length;
      results[kind].push({ during: p99(during), before: p99(before), over3: over3(during), over3Before: over3(before), wall });
    }
    log(`round ${i + 1} of ${opt.starts}`);
  }
  const f = (x) => `${x.toFixed(2)} ms`;
  console.log(`\`node bench/deploy/priority.mjs --starts ${opt.starts} --rate ${opt.rate}\` · ${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, kernel ${os.release()}, Node ${process.version}\n`);
  console.log(
    table(
      ['started as', 'p99, 1.2 s from the start (median)', 'p99, 1.2 s before (median)', 'ratio', 'answers over 3 ms, after / before (total)', 'node -e 0 wall time (median)'],
      Object.entries(results).map(([kind, rs]) => {
        const d = median(rs.map((r) => r.during));
        const b = median(rs.map((r) => r.before));
        return [kind, f(d), f(b), `**${(d / b).toFixed(2)}×**`, `${rs.reduce((a, r) => a + r.over3, 0)} / ${rs.reduce((a, r) => a + r.over3Before, 0)}`, `${median(rs.map((r) => r.wall))} ms`];
      }),
    ),
  );
} finally {
  await hello.stop();
}
