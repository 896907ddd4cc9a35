#!/usr/bin/env node
// Router benchmark: one trivial upstream; wrk against (a) the upstream, (b) Wharf's router,
// (c) nginx, (d) HAProxy, (e) Caddy — all single-core, configured as in
// /work/shared/bench/peers — and (f) a Node TCP relay without HTTP, the floor of any Node
// proxy (relay.mjs), in interleaved rounds, medians reported. Also holds 10,000 idle
// keep-alive client connections on the router and reports its memory.
//
//   npx tsc -p tsconfig.json --outDir .build/router --tsBuildInfoFile .build/router/.tsbuildinfo
//   node bench/router/run.mjs [--build .build/router] [--rounds 5] [--duration 10] [--connections 64] [--out FILE]
//
// Needs: apt-get install -y wrk nginx haproxy caddy. Writes a markdown table to stdout (and --out).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '../runtime/free-port.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: opt } = parseArgs({
  options: {
    build: { type: 'string', default: '.build/router' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    idle: { type: 'string', default: '10000' },
    peers: { type: 'string', default: '/work/shared/bench/peers' },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});
const rounds = Number(opt.rounds);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wharf-bench-router-'));
const children = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function start(cmd, args, env = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  children.push(child);
  child.output = () => out;
  return child;
}

async function waitPort(port) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on ${port}`);
}

/** CPU seconds (user+system) of a process and its descendants, from /proc. */
function cpuSeconds(pid) {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  const walk = (p) => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12])) / tick;
      for (const t of fs.readdirSync(`/proc/${p}/task`)) {
        for (const c of fs.readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) walk(c);
      }
    } catch {}
  };
  walk(pid);
  return total;
}

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function template(name, vars) {
  let text = fs.readFileSync(path.join(opt.peers, name), 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`@${k}@`, v);
  const file = path.join(work, name);
  fs.writeFileSync(file, text);
  return file;
}

function wrk(port, host) {
  const args = ['-t2', `-c${opt.connections}`, `-d${opt.duration}s`, '--latency', '-H', `Host: ${host}`, `http://127.0.0.1:${port}/`];
  const out = execFileSync('wrk', args, { encoding: 'utf8' });
  const ms = (s) => (s.endsWith('us') ? parseFloat(s) / 1000 : s.endsWith('ms') ? parseFloat(s) : parseFloat(s) * 1000);
  const requests = Number(/(\d+) requests in/.exec(out)[1]);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    rps: parseFloat(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]),
    p50: ms(/^\s+50%\s+(\S+)/m.exec(out)[1]),
    p99: ms(/^\s+99%\s+(\S+)/m.exec(out)[1]),
    requests,
    errors: (errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + non2xx,
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const up = start('taskset', ['-c', '1', process.execPath, path.join(here, 'upstream.mjs'), String(await freePort())]);
  for (let i = 0; i < 200 && !up.output().includes('\n'); i++) await sleep(50);
  const upPort = JSON.parse(up.output().split('\n')[0]).port;
  const upstream = `127.0.0.1:${upPort}`;
  const targets = [{ name: 'upstream directly', port: upPort, pid: undefined }];

  // Wharf's router: single process, so single core by construction.
  const wport = await freePort();
  const build = path.resolve(root, opt.build);
  const wdir = path.join(work, 'wharf');
  const wharf = start(process.execPath, [path.join(build, 'router/bin.js'), '--data-dir', wdir, '--listen', `127.0.0.1:${wport}`, '--admin-socket', path.join(wdir, 'admin.sock')]);
  await waitPort(wport);
  const { RouterAdminClient } = await import(pathToFileURL(path.join(build, 'router/admin-client.js')).href);
  const admin = new RouterAdminClient(path.join(wdir, 'admin.sock'));
  await admin.pushTable({ generation: 1, routes: [{ id: 'bench', hosts: ['localhost'], health: { path: '/' }, groups: [{ release: 'v1', weight: 1, instances: [{ id: 'u', host: '127.0.0.1', port: upPort }] }] }] });
  admin.close();
  targets.push({ name: "Wharf's router", port: wport, pid: wharf.pid });

  // The floor: a Node TCP relay with no HTTP layer at all (see relay.mjs).
  const rport = await freePort();
  const relay = start(process.execPath, [path.join(here, 'relay.mjs'), String(rport), String(upPort)]);
  targets.push({ name: 'Node TCP relay, no HTTP (floor)', port: rport, pid: relay.pid });

  const nport = await freePort();
  for (const d of ['tmp_body', 'tmp_proxy', 'tmp_fcgi', 'tmp_uwsgi', 'tmp_scgi']) fs.mkdirSync(path.join(work, d), { recursive: true });
  const nconf = template('nginx.conf', { DIR: work, LISTEN: `127.0.0.1:${nport}`, UPSTREAM: upstream });
  const nginx = start('nginx', ['-c', nconf, '-p', work]);
  targets.push({ name: 'nginx (1 worker)', port: nport, pid: nginx.pid });

  const hport = await freePort();
  const haproxy = start('haproxy', ['-db', '-f', template('haproxy.cfg', { LISTEN: `127.0.0.1:${hport}`, UPSTREAM: upstream })]);
  targets.push({ name: 'HAProxy (1 thread)', port: hport, pid: haproxy.pid });

  const cport = await freePort();
  const caddy = start('caddy', ['run', '--config', template('Caddyfile', { LISTEN: `127.0.0.1:${cport}`, UPSTREAM: upstream }), '--adapter', 'caddyfile'], { GOMAXPROCS: '1', XDG_DATA_HOME: work, XDG_CONFIG_HOME: work, HOME: work });
  targets.push({ name: 'Caddy (GOMAXPROCS=1)', port: cport, pid: caddy.pid });

  const chosen = opt.only ? targets.filter((t) => t.name.toLowerCase().includes(opt.only.toLowerCase()) || t.pid === undefined) : targets;
  for (const t of chosen) {
    await waitPort(t.port);
    wrk.call(null, t.port, 'localhost'); // warm-up, discarded
    t.runs = [];
  }
  for (let r = 0; r < rounds; r++) {
    // Rotate the order every round so that no target always runs first or last.
    const order = chosen.map((_, i) => chosen[(i + r) % chosen.length]);
    for (const t of order) {
      const cpu0 = t.pid ? cpuSeconds(t.pid) : 0;
      const res = wrk(t.port, 'localhost');
      res.cpu = t.pid ? cpuSeconds(t.pid) - cpu0 : NaN;
      t.runs.push(res);
      process.stderr.write(`round ${r + 1} ${t.name}: ${res.rps.toFixed(0)} req/s p50 ${res.p50} ms p99 ${res.p99} ms cpu ${res.cpu.toFixed(2)} s errors ${res.errors}\n`);
    }
  }

  const rows = chosen.map((t) => {
    const cpuPer10k = median(t.runs.map((x) => (x.cpu / x.requests) * 10_000));
    return `| ${t.name} | ${median(t.runs.map((x) => x.rps)).toFixed(0)} | ${median(t.runs.map((x) => x.p50)).toFixed(2)} ms | ${median(t.runs.map((x) => x.p99)).toFixed(2)} ms | ${t.pid ? cpuPer10k.toFixed(3) : '–'} | ${t.runs.reduce((a, x) => a + x.errors, 0)} |`;
  });
  const idle = await holdIdle(wport, wharf.pid, Number(opt.idle));
  const text = [
    `Router benchmark, ${new Date().toISOString()}, ${os.cpus().length} cores (${os.cpus()[0].model}), load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} at the end.`,
    `wrk -t2 -c${opt.connections} -d${opt.duration}s --latency; ${rounds} interleaved rounds; medians. Upstream pinned to core 1.`,
    '',
    '| target | req/s | p50 | p99 | proxy CPU s per 10,000 requests | errors (all rounds) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Idle keep-alive connections held by Wharf's router: ${idle.held} of ${idle.wanted}; router RSS ${idle.before.toFixed(1)} MiB before, ${idle.after.toFixed(1)} MiB while holding them (${(((idle.after - idle.before) * 1024) / Math.max(1, idle.held)).toFixed(2)} KiB per connection); all still answered afterwards: ${idle.stillServing}.`,
  ].join('\n');
  process.stdout.write(text + '\n');
  if (opt.out) fs.writeFileSync(opt.out, text + '\n');
}

/** Opens `n` keep-alive connections to the router, one request each, then holds them idle. */
async function holdIdle(port, pid, n) {
  const before = rssMiB(pid);
  const sockets = [];
  const request = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n';
  const batch = 500;
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, () => new Promise((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.on('error', () => resolve());
        s.once('data', () => { sockets.push(s); resolve(); });
        s.write(request);
      })),
    );
  }
  await sleep(1000);
  const after = rssMiB(pid);
  // Every held connection must still be usable.
  let answered = 0;
  await Promise.all(sockets.map((s) => new Promise((resolve) => {
    s.once('data', () => { answered++; resolve(); });
    s.once('close', resolve);
    s.write(request);
  })));
  for (const s of sockets) s.destroy();
  return { wanted: n, held: sockets.length, before, after, stillServing: answered === sockets.length };
}

try {
  await main();
} finally {
  for (const c of children) c.kill('SIGTERM');
  await sleep(300);
  fs.rmSync(work, { recursive: true, force: true });
}
