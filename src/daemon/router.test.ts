import { processIsAlive } from '../runtime/proc-table.js';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runWharf } from '../cli/testing.js';
import { ApiTransport } from '../client/transport.js';
import { WharfClient } from '../client/wharf-client.js';
import { freePort, killAll, load as loadThrough } from './testing/load.js';

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
