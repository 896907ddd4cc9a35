#!/usr/bin/env node
// What a cold instance costs (issue 5, the default of deploy.warmup_requests): starts the
// example app's server fresh, warms it up with W GETs of its health path through Wharf's own
// warm-up (dist/deploy/health-gate.js), then paces `--rate` GETs of / at it for 3 s, shaped
// as the router forwards the deploy bench's requests (dist/router: its client and its
// header rewriting), and reads the server's CPU time from /proc each second. A warm server
// spends the same CPU each second; a cold one more, while V8 tiers the hot path up. Each W
// runs --runs times in turn; figures are medians.
//
//   npm run build && node bench/deploy/cold-instance.mjs [--warmups 0,300,500,1000,1500,2000] [--runs 3] [--rate 1100]
//
// Loopback only; every server started is stopped by pid.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../runtime/free-port.mjs';
import { cpuSeconds } from '../runtime/procfs.mjs';
import { median, table } from '../runtime/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: opt } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    warmups: { type: 'string', default: '0,300,500,1000,1500,2000' },
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
const sleep = (n) => new Promise((r) => setTimeout(r, n));

async function once(warmups) {
  const port = await freePort();
  const server = spawn(process.execPath, [path.join(root, 'examples/hello/server.js')], { env: { ...process.env, PORT: String(port), GREETING: 'cold' }, stdio: 'ignore', detached: true });
  // What the router sends for the deploy bench's load generator (node:http, keep-alive).
  const pool = new UpstreamPool('127.0.0.1', port);
  const client = ['Host', 'web.production.hello.localhost', 'Connection', 'keep-alive'];
  const get = (p) => exchange(pool, `GET ${p} HTTP/1.1\r\n${upstreamRequestHeaders(client, { clientIp: '127.0.0.1', proto: 'http', requestId: randomUUID() })}\r\n`, 2000);
  try {
    while (!(await get('/healthz'))) await sleep(20);
    const w0 = performance.now();
    const c0 = cpuSeconds(server.pid);
    const answered = await warmUp(port, HEALTH, warmups, Date.now() + 60_000);
    const warm = { ms: performance.now() - w0, cpuMs: (cpuSeconds(server.pid) - c0) * 1000, answered };
    // Paced traffic, as users' requests would come; CPU of the server in each second.
    const perSecond = [];
    let last = cpuSeconds(server.pid);
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
      const second = Math.floor((performance.now() - start) / 1000);
      if (second > perSecond.length) {
        const now = cpuSeconds(server.pid);
        perSecond.push((now - last) * 1000);
        last = now;
      }
      await sleep(2);
    }
    perSecond.push((cpuSeconds(server.pid) - last) * 1000);
    await Promise.all(inFlight);
    return { warm, perSecond, total: perSecond.reduce((a, b) => a + b, 0) };
  } finally {
    pool.destroy();
    process.kill(server.pid, 'SIGKILL');
  }
}

const warmups = opt.warmups.split(',').map(Number);
const results = new Map(warmups.map((w) => [w, []]));
// Interleaved: each round runs every W once, so drift on a shared machine spreads evenly.
for (let run = 0; run < Number(opt.runs); run++) {
  for (const w of warmups) {
    const r = await once(w);
    results.get(w).push(r);
    console.error(`W=${w}: warm-up ${Math.round(r.warm.ms)} ms (${Math.round(r.warm.cpuMs)} ms CPU), CPU per second of traffic ${r.perSecond.map(Math.round).join(' / ')} ms`);
  }
}
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`Cold instance: ${os.cpus().length} × ${cpu}, Node ${process.version}, ${new Date().toISOString()}; ${opt.rate} req/s of GET / for ${SECONDS} s after the warm-up; medians of ${opt.runs} runs.\n`);
console.log(
  table(
    ['warm-up requests', 'warm-up time', 'its CPU', `server CPU in the first ${SECONDS} s of traffic`, 'per second'],
    warmups.map((w) => {
      const rs = results.get(w);
      const perSecond = Array.from({ length: SECONDS }, (_, i) => median(rs.map((r) => r.perSecond[i])));
      return [w, `${Math.round(median(rs.map((r) => r.warm.ms)))} ms`, `${Math.round(median(rs.map((r) => r.warm.cpuMs)))} ms`, `**${Math.round(median(rs.map((r) => r.total)))} ms**`, perSecond.map(Math.round).join(' / ')];
    }),
  ),
);
