#!/usr/bin/env node
// What a cold instance costs (issue 5, the defaults of deploy.warmup_requests and
// WARMUP_CONNECTIONS): starts the example app's server fresh, warms it up with W GETs of its
// health path over C connections through Wharf's own warm-up (dist/deploy/health-gate.js),
// then paces `--rate` GETs of / at it for 3 s, shaped as the router forwards the deploy
// bench's requests (dist/router: its client and its header rewriting), and reads the
// server's CPU time from /proc every half second: its main thread's, and its other threads'
// (V8 compiling and collecting in the background). A warm server spends the same CPU each
// half second; a cold one more, while V8 tiers the hot path up. Each W×C runs --runs times
// in turn; figures are medians.
//
//   npm run build && node bench/deploy/cold-instance.mjs [--warmups 0,300,2000] [--connections 2,8] [--runs 3] [--rate 1100]
//
// Loopback only; every server started is stopped by pid.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../runtime/free-port.mjs';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { median, table } from '../runtime/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: opt } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    warmups: { type: 'string', default: '0,300,2000' },
    connections: { type: 'string', default: '2,8' },
    // The path the warm-up GETs: the health path, as Wharf's does, or another.
    path: { type: 'string', default: '/healthz' },
    runs: { type: 'string', default: '3' },
    rate: { type: 'string', default: '1100' },
  },
});
const dist = (file) => import(pathToFileURL(path.resolve(root, opt.dist, file)).href);
const { warmUp } = await dist('deploy/health-gate.js');
const { exchange, UpstreamPool } = await dist('router/upstream-pool.js');
const { upstreamRequestHeaders } = await dist('router/headers.js');
const HEALTH = { path: '/healthz', interval: 1000, timeout: 2000, healthy_threshold: 1, unhealthy_threshold: 3 };
const SECONDS = 3;
const SLOT_MS = 500;

/** CPU ms of the process's main thread and of its other threads, from each thread's schedstat (ns). */
function threadCpu(pid) {
  let main = 0;
  let others = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      if (Number(tid) === pid) main += ns / 1e6;
      else others += ns / 1e6;
    } catch {
      // the thread ended
    }
  }
  return { main, others };
}

async function once(warmups, connections) {
  const port = await freePort();
  const server = spawn(process.execPath, [path.join(root, 'examples/hello/server.js')], { env: { ...process.env, PORT: String(port), GREETING: 'cold' }, stdio: 'ignore', detached: true });
  // What the router sends for the deploy bench's load generator (node:http, keep-alive).
  const pool = new UpstreamPool('127.0.0.1', port);
  const client = ['Host', 'web.production.hello.localhost', 'Connection', 'keep-alive'];
  const get = (p) => exchange(pool, `GET ${p} HTTP/1.1\r\n${upstreamRequestHeaders(client, { clientIp: '127.0.0.1', proto: 'http', requestId: randomUUID() })}\r\n`, 2000);
  try {
    while (!(await get('/healthz'))) await sleep(20);
    const w0 = performance.now();
    const c0 = threadCpu(server.pid);
    const answered = await warmUp(port, { ...HEALTH, path: opt.path }, warmups, Date.now() + 60_000, { connections });
    const c1 = threadCpu(server.pid);
    const warm = { ms: performance.now() - w0, cpuMs: c1.main + c1.others - c0.main - c0.others, answered };
    // Paced traffic, as users' requests would come; CPU of the server in each half second.
    const slots = [];
    let last = c1;
    const start = performance.now();
    let sent = 0;
    const inFlight = new Set();
    while (performance.now() - start < SECONDS * 1000) {
      const due = Math.floor(((performance.now() - start) / 1000) * Number(opt.rate));
      for (; sent < due; sent++) {
        const p = get('/');
        inFlight.add(p);
        p.then(() => inFlight.delete(p));
      }
      if (Math.floor((performance.now() - start) / SLOT_MS) > slots.length) {
        const now = threadCpu(server.pid);
        slots.push({ main: now.main - last.main, others: now.others - last.others });
        last = now;
      }
      await sleep(2);
    }
    const end = threadCpu(server.pid);
    slots.push({ main: end.main - last.main, others: end.others - last.others });
    await Promise.all(inFlight);
    return { warm, slots, total: slots.reduce((a, s) => a + s.main + s.others, 0) };
  } finally {
    pool.destroy();
    process.kill(server.pid, 'SIGKILL');
  }
}

const kinds = opt.warmups.split(',').map(Number).flatMap((w) => (w === 0 ? [{ w, c: 0 }] : opt.connections.split(',').map((c) => ({ w, c: Number(c) }))));
const results = new Map(kinds.map((k) => [k, []]));
const slot = (s) => `${Math.round(s.main)}+${Math.round(s.others)}`;
// Interleaved: each round runs every kind once, so drift on a shared machine spreads evenly.
for (let run = 0; run < Number(opt.runs); run++) {
  for (const k of kinds) {
    const r = await once(k.w, k.c);
    results.get(k).push(r);
    console.error(`W=${k.w} C=${k.c}: warm-up ${Math.round(r.warm.ms)} ms (${Math.round(r.warm.cpuMs)} ms CPU), CPU per half second of traffic (main+others) ${r.slots.map(slot).join(' / ')} ms`);
  }
}
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`Cold instance: \`node bench/deploy/cold-instance.mjs --warmups ${opt.warmups} --connections ${opt.connections} --path ${opt.path} --runs ${opt.runs} --rate ${opt.rate}\`, ${os.cpus().length} × ${cpu}, Node ${process.version}, ${new Date().toISOString()}; ${opt.rate} req/s of GET / for ${SECONDS} s after the warm-up; medians of ${opt.runs} runs.\n`);
console.log(
  table(
    ['warm-up requests', 'connections', 'warm-up time', 'its CPU', `server CPU in the first ${SECONDS} s of traffic`, 'per half second, main thread + other threads'],
    kinds.map((k) => {
      const rs = results.get(k);
      const n = Math.min(...rs.map((r) => r.slots.length));
      const slots = Array.from({ length: n }, (_, i) => ({ main: median(rs.map((r) => r.slots[i].main)), others: median(rs.map((r) => r.slots[i].others)) }));
      return [k.w, k.c || '–', `${Math.round(median(rs.map((r) => r.warm.ms)))} ms`, `${Math.round(median(rs.map((r) => r.warm.cpuMs)))} ms`, `**${Math.round(median(rs.map((r) => r.total)))} ms**`, slots.map(slot).join(' / ')];
    }),
  ),
);
