#!/usr/bin/env node
// The CPU class of the router and of the load generator, judged under load (issue 5;
// src/runtime/realtime.ts, bench/deploy/load.mjs): the same steady paced load as run.mjs on
// examples/hello, and rolling deploys in a row. Before each, the router's event loop and the
// load generator's are each put in SCHED_FIFO (what the daemon sets for the router, where it
// may) or in the normal class; the four pairings take turns, so that drift in the machine
// falls on all of them alike.
//
//   npm run build && node bench/deploy/cpu-class.mjs [--rounds 6] [--rate 2256]
//
// Per pairing: the p99 of the 5 s before each deploy (steady state), the p99 from `wharf
// deploy` to 1 s after it returns, their ratio, and the answers over 3 ms in each (medians;
// counts summed). Needs root (chrt). Everything runs in a temp dir; everything started is
// stopped.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { setGreeting } from '../runtime/fixtures.mjs';
import { median, table } from '../runtime/stats.mjs';
import { helloUnderWharf } from './hello.mjs';
import { LoadProcess, p99 } from './load.mjs';
import { log } from '../runtime/log.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: opt } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    rounds: { type: 'string', default: '6' },
    rate: { type: 'string', default: '2256' },
  },
});
const CLASSES = ['real-time', 'normal'];
const PAIRINGS = CLASSES.flatMap((router) => CLASSES.map((client) => ({ router, client, name: `router ${router}, client ${client}` })));
const dist = path.resolve(root, opt.dist);
const { setRealtime } = await import(path.join(dist, 'runtime/realtime.js'));

const hello = await helloUnderWharf({ root, dist, prefix: 'wharf-bench-cpu-class-' });
const { appDir, spec, port, wharf, host } = hello;
let load;
hello.onStop(() => load?.stop());
try {
  setGreeting(appDir, 'g0');
  await wharf.up(appDir);
  await wharf.waitReady(spec);
  load = await LoadProcess.start({ port, host, rate: Number(opt.rate) });
  await sleep(5000);
  const sides = Object.fromEntries(PAIRINGS.map((p) => [p.name, []]));
  const over3 = (xs) => xs.filter((s) => s.ms > 3).length;
  for (let i = 1; i <= PAIRINGS.length * Number(opt.rounds); i++) {
    const { router, client, name } = PAIRINGS[i % PAIRINGS.length];
    const outcome = await setRealtime(wharf.pids().router, router === 'real-time');
    if (!outcome.ok) throw new Error(`the router cannot run real-time: ${outcome.reason}`);
    await load.setRealtime(client === 'real-time');
    await sleep(5000);
    setGreeting(appDir, `g${i}`);
    const t0 = Date.now();
    await wharf.cli(['deploy', '-C', appDir]);
    const t1 = Date.now();
    await sleep(1500);
    const during = await load.between(t0, t1 + 1000);
    const before = await load.between(t0 - 5000, t0);
    const row = { steady: p99(before), during: p99(during), over3Steady: over3(before), over3During: over3(during) };
    sides[name].push(row);
    log(`deploy ${i} (${name}): ${JSON.stringify(row)}`);
  }
  const f = (x) => `${x.toFixed(2)} ms`;
  console.log(`\`node bench/deploy/cpu-class.mjs --rounds ${opt.rounds} --rate ${opt.rate}\` · ${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, kernel ${os.release()}, Node ${process.version}\n`);
  console.log(
    table(
      ['CPU class', 'p99 steady (5 s before)', 'p99 during the deploy', 'ratio (median of each)', 'answers over 3 ms, steady / during (total)'],
      Object.entries(sides).map(([cls, rs]) => [cls, f(median(rs.map((r) => r.steady))), f(median(rs.map((r) => r.during))), `**${median(rs.map((r) => r.during / r.steady)).toFixed(2)}×**`, `${rs.reduce((a, r) => a + r.over3Steady, 0)} / ${rs.reduce((a, r) => a + r.over3During, 0)}`]),
    ),
  );
} finally {
  await hello.stop();
}
