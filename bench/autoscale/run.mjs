#!/usr/bin/env node
// Autoscaling benchmark (issue 6): a real daemon + router + an app whose requests take
// 200 ms (one instance's capacity is then set by the in-flight target: 4 in flight at
// 200 ms = 20 req/s). An open-loop load steps from ~10 % (2 req/s) to ~300 % (60 req/s)
// of one instance's capacity, then drops to zero. Reported per run: time to detect and to
// the scale order (the controller orders on the tick that detects: one figure), time until
// the new instances serve, failed requests during the step, time to scale down after the
// drop (scale_down_window shortened to 10 s by the spec), and from zero (min 0, idle_window
// 2 s) the first request's latency against the instance's boot time (order → healthy).
//
//   npm run build
//   node bench/autoscale/run.mjs [--runs 3] [--dist dist] [--out FILE]
//
// Loopback only; every process it starts is stopped by pid at the end.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: opt } = parseArgs({ options: { runs: { type: 'string', default: '3' }, dist: { type: 'string', default: 'dist' }, out: { type: 'string' } } });
const dist = path.resolve(root, opt.dist);
const cli = path.join(dist, 'cli/main.js');
const { WharfClient } = await import(pathToFileURL(path.join(dist, 'client/wharf-client.js')).href);
const { ApiTransport } = await import(pathToFileURL(path.join(dist, 'client/transport.js')).href);

const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  if (req.url === '/healthz' || req.url === '/fast') return res.end('ok');
  setTimeout(() => res.end('ok'), 200);
});
server.keepAliveTimeout = 30000;
server.listen(Number(process.env.PORT));
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeIdleConnections(); });
`;
const SPECS = {
  step: '{ min: 1, max: 3, targets: { inflight_per_instance: 4 }, scale_down_window: 10s }',
  zero: '{ min: 0, max: 2, targets: { inflight_per_instance: 4 }, idle_window: 2s }',
};
const CAPACITY_RPS = 20;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const freePort = () => new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const wharf = (cwd, ...args) => spawnSync(process.execPath, [cli, ...args, '--data-dir', data], { cwd, encoding: 'utf8' });

function fetchOnce(port, host, pathname, agent = false) {
  const start = performance.now();
  return new Promise((resolve) => {
    http.get({ host: '127.0.0.1', port, path: pathname, agent, headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - start }));
    }).on('error', () => resolve({ status: 0, ms: performance.now() - start }));
  });
}

/** Open loop: `rps` requests a second, each on its own schedule, whatever the answers take. */
function openLoop(port, host, rps) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const tally = { ok: 0, failed: 0 };
  const pending = new Set();
  const timer = setInterval(() => {
    const p = fetchOnce(port, host, '/', agent).then((r) => (r.status === 200 ? tally.ok++ : tally.failed++, pending.delete(p)));
    pending.add(p);
  }, 1000 / rps);
  return { tally, stop: async () => { clearInterval(timer); await Promise.all(pending); agent.destroy(); return tally; } };
}

async function until(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wharf-bench-autoscale-'));
fs.chmodSync(tmp, 0o711);
const data = path.join(tmp, 'data');
const port = await freePort();
const dirs = {};
for (const [app, autoscale] of Object.entries(SPECS)) {
  dirs[app] = path.join(tmp, app);
  fs.mkdirSync(dirs[app]);
  fs.writeFileSync(path.join(dirs[app], 'server.cjs'), SERVER);
  fs.writeFileSync(path.join(dirs[app], 'wharf.yaml'), `app: ${app}\nservices:\n  web: { run: node server.cjs, routes: [{ path: / }], instances: 1, deploy: { timeout: 10s, drain_timeout: 5s }, autoscale: ${autoscale} }\n`);
}
const client = new WharfClient(new ApiTransport({ socketPath: path.join(data, 'wharf.sock') }));
const web = async (app) => (await client.instances(app, 'production')).instances.filter((i) => i.service === 'web');
const events = async (app, kind) => (await client.events({ app, env: 'production', limit: 1000 })).events.filter((e) => e.kind === kind);
const rows = [];
try {
  for (const app of ['step', 'zero']) {
    const r = wharf(dirs[app], 'up', ...(app === 'step' ? ['--http', `127.0.0.1:${port}`] : []));
    if (r.status !== 0) throw new Error(`wharf up ${app}: ${r.stderr}`);
  }
  // The stable window (60 s) must fill before the policy may scale down or go idle.
  for (let run = 1; run <= Number(opt.runs); run++) {
    const host = 'web.production.step.localhost';
    await until('step back at 1 instance', async () => (await web('step')).length === 1 && (await web('step'))[0].state === 'healthy', 300_000);
    const warm = openLoop(port, host, CAPACITY_RPS * 0.1);
    await sleep(15_000);
    await warm.stop();
    const seen = (await events('step', 'autoscale.scaled')).length;
    const t0 = Date.now();
    const step = openLoop(port, host, CAPACITY_RPS * 3);
    const up = await until('a scale-up', async () => (await events('step', 'autoscale.scaled')).slice(seen).find((e) => e.data.to > e.data.from), 60_000);
    await sleep(3_000);
    const tally = await step.stop();
    const t1 = Date.now();
    const down = await until('a scale-down', async () => (await events('step', 'autoscale.scaled')).find((e) => e.time > t1 && e.data.to < e.data.from), 240_000);
    const z0 = await until('zero at 0 instances', async () => (await web('zero')).length === 0, 240_000);
    const first = await fetchOnce(port, 'web.production.zero.localhost', '/fast');
    const fromZero = await until('the scale from zero event', async () => (await events('zero', 'autoscale.scaled')).filter((e) => e.data.from === 0).at(-1), 30_000);
    const boot = fromZero.data.doneAt - fromZero.data.orderedAt;
    rows.push({
      run, to: up.data.to, detect: up.data.orderedAt - t0, serving: up.data.doneAt - t0, failed: tally.failed, total: tally.ok + tally.failed,
      down: down.time - t1, downTo: `${down.data.from}→${down.data.to}`, firstStatus: first.status, firstMs: first.ms, bootMs: boot, added: first.ms - boot,
    });
    console.error(JSON.stringify(rows.at(-1)), z0);
  }
} finally {
  const pids = [];
  for (const app of Object.keys(SPECS)) pids.push(...(await web(app).catch(() => [])).map((i) => i.pid).filter(Boolean));
  wharf(tmp, 'daemon', 'stop');
  try { pids.push(JSON.parse(fs.readFileSync(path.join(data, 'router.json'), 'utf8')).pid); } catch { /* never started */ }
  for (const pid of pids) { try { process.kill(-pid, 'SIGTERM'); } catch { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } } }
  fs.rmSync(tmp, { recursive: true, force: true });
}
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
const lines = [
  '| run | step 2 → 60 req/s: order (detect) | new instances serve | failed / requests | scale-down after the drop | from zero: first request | boot (order → healthy) | added over boot |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.run} | ${s(r.detect)} (1 → ${r.to}) | ${s(r.serving)} | ${r.failed} / ${r.total} | ${s(r.down)} (${r.downTo}) | ${r.firstStatus} in ${Math.round(r.firstMs)} ms | ${Math.round(r.bootMs)} ms | ${Math.round(r.added)} ms |`),
  `| **median** | ${s(median(rows.map((r) => r.detect)))} | ${s(median(rows.map((r) => r.serving)))} | ${rows.reduce((n, r) => n + r.failed, 0)} / ${rows.reduce((n, r) => n + r.total, 0)} (all runs) | ${s(median(rows.map((r) => r.down)))} | ${Math.round(median(rows.map((r) => r.firstMs)))} ms | ${Math.round(median(rows.map((r) => r.bootMs)))} ms | ${Math.round(median(rows.map((r) => r.added)))} ms |`,
];
console.log(lines.join('\n'));
if (opt.out) fs.writeFileSync(opt.out, lines.join('\n') + '\n');
