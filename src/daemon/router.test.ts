import { processIsAlive } from '../runtime/proc-table.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI_MAIN, runWharf } from '../cli/testing.js';
import { ApiTransport } from '../client/transport.js';
import { WharfClient } from '../client/wharf-client.js';
import { cpuPolicy } from '../runtime/realtime.js';
import { realtimeAllowed } from '../runtime/testing/fixtures.js';
import { until } from './e2e-testing.js';
import { freePort, killAll, load as loadThrough } from './testing/load.js';

/** Where the daemon may put the router's event loop in SCHED_FIFO (src/runtime/realtime.ts). */
const REALTIME = await realtimeAllowed();

const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  if (req.url === '/healthz') { res.statusCode = process.env.HEALTHY === 'no' ? 500 : 200; return res.end(); }
  res.end(process.env.GREETING);
});
server.keepAliveTimeout = 30000;
server.listen(Number(process.env.PORT));
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeIdleConnections(); });
`;

function spec(greeting: string, healthy = true): string {
  return `app: routed\nenv: { GREETING: ${greeting}, HEALTHY: ${healthy ? 'yes' : 'no'} }\nservices:\n  web: { run: node server.cjs, routes: [{ path: / }], instances: 2, deploy: { timeout: 6s, drain_timeout: 5s } }\n`;
}

function load(port: number) {
  return loadThrough(port, 'web.production.routed.localhost');
}

describe('the router, run by the daemon', () => {
  let root: string;
  let app: string;
  let data: string;
  let port: number;
  let client: WharfClient;
  const routerPids = new Set<number>();
  const wharf = (...args: string[]) => runWharf([...args, '--data-dir', data], { cwd: app, timeoutMs: 90_000 });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'wharf-router-'));
    chmodSync(root, 0o711);
    app = join(root, 'app');
    data = join(root, 'data');
    mkdirSync(app);
    writeFileSync(join(app, 'server.cjs'), SERVER);
    writeFileSync(join(app, 'wharf.yaml'), spec('one'));
    port = await freePort();
    client = new WharfClient(new ApiTransport({ socketPath: join(data, 'wharf.sock') }));
  });

  after(async () => {
    const pids = (await client.instances('routed', 'production').catch(() => ({ instances: [] }))).instances.map((i) => i.pid);
    await runWharf(['daemon', 'stop', '--data-dir', data]);
    try {
      routerPids.add((JSON.parse(readFileSync(join(data, 'router.json'), 'utf8')) as { pid: number }).pid);
    } catch {
      // never started
    }
    killAll([...pids, ...routerPids]);
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the app on its host name through the router that up starts', async () => {
    const up = await wharf('up', '--http', `127.0.0.1:${port}`);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, new RegExp(`web: http://web\\.production\\.routed\\.localhost:${port}/`));
    const l = load(port);
    await new Promise((r) => setTimeout(r, 300));
    const result = await l.stop();
    assert.ok(result.ok > 0);
    assert.deepEqual([...result.bodies], ['one']);
    routerPids.add((await client.status()).router!.pid!);
  });

  it('runs the router\'s event loop at real-time CPU priority where the host allows it, and says so', async () => {
    const { router } = await client.status();
    const pid = router!.pid!;
    if (REALTIME) {
      assert.deepEqual([router!.cpu, router!.problem], ['real-time', undefined]);
      assert.equal(cpuPolicy(pid), 'fifo');
      const others = readdirSync(`/proc/${pid}/task`).map(Number).filter((t) => t !== pid);
      assert.ok(others.length > 0);
      assert.deepEqual(others.map((t) => cpuPolicy(pid, t)), others.map(() => 'normal'), 'its other threads stay normal');
    } else {
      assert.equal(router!.cpu, 'normal');
      assert.match(router!.problem ?? '', /one CPU|needs root|not installed/);
    }
    const status = await wharf('router', 'status');
    assert.match(status.stdout, new RegExp(`\\(pid ${pid}, table generation \\d+, ${router!.cpu} CPU priority\\)`));
  });

  it('rolls to a new release under load without failing a request', async () => {
    writeFileSync(join(app, 'wharf.yaml'), spec('two'));
    const l = load(port);
    const apply = await wharf('apply', '--yes');
    await new Promise((r) => setTimeout(r, 300));
    const result = await l.stop();
    assert.equal(apply.code, 0, apply.stderr);
    assert.deepEqual(result.errors, [], `${result.failed} of ${result.ok + result.failed} requests failed`);
    assert.ok(result.bodies.has('two'), 'the new release served');
  });

  it('keeps the running release when the new one never passes the health gate', async () => {
    writeFileSync(join(app, 'wharf.yaml'), spec('three', false));
    const l = load(port);
    const apply = await wharf('apply', '--yes');
    const result = await l.stop();
    writeFileSync(join(app, 'wharf.yaml'), spec('two'));
    assert.equal(apply.code, 1);
    assert.match(apply.stderr, /error\[DEPLOY_FAILED\]: v3 was rolled back: web: 1 new instance of v3 did not pass the health gate within 6s \(GET \/healthz\)/);
    assert.deepEqual(result.errors, []);
    assert.deepEqual([...result.bodies], ['two'], 'only the running release served');
    const { releases } = await client.releases('routed', 'production');
    assert.deepEqual(releases.map((r) => [r.version, r.status]), [[3, 'failed'], [2, 'live'], [1, 'superseded']]);
  });

  it('keeps routing while the daemon is killed, and the next daemon adopts the same router', async () => {
    const before = (await client.status()).router!.pid!;
    const daemonPid = (JSON.parse(readFileSync(join(data, 'daemon.json'), 'utf8')) as { pid: number }).pid;
    const l = load(port);
    process.kill(daemonPid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    const up = await wharf('up');
    const result = await l.stop();
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual(result.errors, []);
    assert.ok(!processIsAlive(daemonPid));
    assert.equal((await client.status()).router!.pid, before, 'the same router process');
    assert.equal(cpuPolicy(before), REALTIME ? 'fifo' : 'normal', 'at the priority it had');
  });

  it('routes a service added to the spec, with every service moved to the new release', async () => {
    writeFileSync(join(app, 'wharf.yaml'), spec('two') + '  api: { run: node server.cjs, routes: [{ path: / }], env: { GREETING: api } }\n');
    const apply = await wharf('apply', '--yes');
    assert.equal(apply.code, 0, apply.stderr);
    const body = await new Promise<string>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/', headers: { host: 'api.production.routed.localhost' } }, (res) => {
        let b = '';
        res.on('data', (d: Buffer) => (b += d.toString()));
        res.on('end', () => resolve(`${res.statusCode} ${b}`));
      }).on('error', reject);
    });
    assert.equal(body, '200 api');
    const { instances } = await client.instances('routed', 'production');
    const { releases } = await client.releases('routed', 'production');
    assert.equal(releases[0]!.status, 'live');
    assert.ok(instances.every((i) => i.release === releases[0]!.version), 'every service runs the new release');
  });

  it('restarts a single instance under load without failing a request: the new one is routed first', async () => {
    assert.equal((await wharf('scale', 'web=1')).code, 0);
    const before = (await client.instances('routed', 'production')).instances.find((i) => i.service === 'web')!;
    const l = load(port);
    await new Promise((r) => setTimeout(r, 200));
    const restart = await wharf('restart', 'web');
    const result = await l.stop();
    assert.equal(restart.code, 0, restart.stderr);
    const after = (await client.instances('routed', 'production')).instances.filter((i) => i.service === 'web');
    assert.equal(after.length, 1);
    assert.notEqual(after[0]!.id, before.id);
    assert.deepEqual(result.errors, [], `${result.failed} of ${result.ok + result.failed} failed`);
  });

  it('hands the listening sockets to a new router process under load without failing a request', async () => {
    const before = (await client.status()).router!.pid!;
    const l = load(port);
    await new Promise((r) => setTimeout(r, 200));
    const restart = await wharf('router', 'restart');
    await new Promise((r) => setTimeout(r, 500));
    const result = await l.stop();
    assert.equal(restart.code, 0, restart.stderr);
    const now = (await client.status()).router!.pid!;
    routerPids.add(now);
    assert.notEqual(now, before);
    assert.deepEqual(result.errors, [], `${result.failed} of ${result.ok + result.failed} failed`);
    assert.ok(result.ok > 0);
    // The old router started it from a real-time thread that resets its children to normal.
    assert.equal(cpuPolicy(now), REALTIME ? 'fifo' : 'normal', 'the new router runs at the priority of the old');
  });
});

describe('the router\'s CPU priority, as the daemon is told', () => {
  it('stays in the normal class with --router-priority normal', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wharf-normal-'));
    chmodSync(root, 0o711);
    const data = join(root, 'data');
    const daemon = spawn(process.execPath, [CLI_MAIN, 'daemon', '--data-dir', data, '--http', `127.0.0.1:${await freePort()}`, '--router-priority', 'normal'], { stdio: 'ignore' });
    const client = new WharfClient(new ApiTransport({ socketPath: join(data, 'wharf.sock') }));
    let routerPid: number | undefined;
    try {
      const { router } = await until('the daemon', () => client.status());
      routerPid = router!.pid;
      assert.deepEqual([router!.cpu, router!.problem], ['normal', undefined]);
      assert.equal(cpuPolicy(routerPid!), 'normal');
    } finally {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon.once('exit', r));
      killAll([routerPid]);
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a priority it does not know, from the flag or the environment', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wharf-priority-'));
    try {
      const flag = await runWharf(['daemon', '--data-dir', join(root, 'data'), '--router-priority', 'fast']);
      assert.equal(flag.code, 64);
      assert.match(flag.stderr, /error\[USAGE\]: --router-priority: expected realtime or normal, got "fast"/);
      const env = await runWharf(['daemon', '--data-dir', join(root, 'data')], { env: { WHARF_ROUTER_PRIORITY: 'high' } });
      assert.equal(env.code, 64);
      assert.match(env.stderr, /got "high"/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('a daemon whose router cannot start', () => {
  it('exits with a clear error instead of hanging when the router\'s address is taken', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wharf-busy-'));
    chmodSync(root, 0o711);
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = busy.address() as { port: number };
      const r = await runWharf(['daemon', '--data-dir', join(root, 'data'), '--http', `127.0.0.1:${port}`], { timeoutMs: 30_000 });
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`error\\[CONFLICT\\]: the router cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use\\n  hint: pick another address with --http`));
    } finally {
      busy.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
