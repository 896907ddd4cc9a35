#!/usr/bin/env node
// What a Node process loses while it idles out of traffic (a warm release at weight 0): the
// example server under V8's tracing, loaded, left idle with a health probe a second as Wharf
// sends, then loaded again. Per idle time: V8's memory-reducing full GCs while idle, the
// optimised functions thrown away with them, and the functions optimised again in the first
// 3 s of traffic after. Why a warm rollback warms its release up again (fleet.rewarm).
//
//   node bench/deploy/idle-deopt.mjs [--idle 20,70] [--rate 1100]
//
// The server runs on a free loopback port and is stopped by pid at the end.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../runtime/free-port.mjs';
import { ms, table } from '../runtime/stats.mjs';
import { PacedLoad, p99 } from './load.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({ options: { idle: { type: 'string', default: '20,70' }, rate: { type: 'string', default: '1100' } } });
const port = await freePort();
const server = spawn(process.execPath, ['--trace-gc', '--trace-opt', '--trace-deopt', path.join(here, '../../examples/hello/server.js')], {
  env: { ...process.env, PORT: String(port) },
  stdio: ['ignore', 'pipe', 'inherit'],
});
/** V8's trace lines, each with the time it arrived. */
const lines = [];
let partial = '';
server.stdout.setEncoding('utf8').on('data', (d) => {
  const parts = (partial + d).split('\n');
  partial = parts.pop();
  for (const l of parts) lines.push({ t: Date.now(), l });
});
const count = (from, to, re) => lines.filter((x) => x.t >= from && x.t < to && re.test(x.l)).length;
const REDUCE_GC = /Mark-Compact \(reduce\)/;
const DEOPT = /for deoptimization/;
const OPTIMISED = /completed (optimizing|compiling)/;

const probe = setInterval(() => http.get({ host: '127.0.0.1', port, path: '/healthz' }, (r) => r.resume()).on('error', () => {}), 1000);
const load = new PacedLoad({ port, host: 'hello.localhost', rate: Number(opt.rate), connections: 8 });
const rows = [];
try {
  await sleep(500);
  load.start();
  await sleep(10_000);
  load.running = false;
  for (const idle of opt.idle.split(',').map(Number)) {
    load.start();
    await sleep(5000);
    load.running = false;
    const stopped = Date.now();
    await sleep(idle * 1000);
    const resumed = Date.now();
    load.start();
    await sleep(3000);
    load.running = false;
    await sleep(200);
    const steady = p99(load.between(stopped - 5000, stopped));
    const after = p99(load.between(resumed, resumed + 2000));
    rows.push([`${idle} s`, count(stopped, resumed, REDUCE_GC), count(stopped, resumed, DEOPT), count(resumed, resumed + 3000, OPTIMISED), ms(steady), ms(after)]);
  }
} finally {
  clearInterval(probe);
  await load.stop();
  server.kill();
}
console.log(`examples/hello/server.js, ${opt.rate} req/s over 8 connections, a /healthz probe a second; ${new Date().toISOString()}, Node ${process.version}\n`);
console.log(table(['idle', 'memory-reducing GCs while idle', 'optimised code thrown away', 'functions optimised again, first 3 s of traffic', 'p99 before idling', 'p99, first 2 s after'], rows));
