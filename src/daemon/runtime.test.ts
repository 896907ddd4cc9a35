import { processIsAlive } from '../runtime/proc-table.js';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runWharf } from '../cli/testing.js';
import { ApiTransport } from '../client/transport.js';
import { WharfClient } from '../client/wharf-client.js';
import type { InstanceView } from '../deploy/fleet.js';
import { WharfError } from '../errors.js';

const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => res.end(process.env.GREETING + ' ' + process.pid));
server.listen(Number(process.env.PORT), () => console.log('listening on ' + process.env.PORT));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;
const WORKER = `console.log('worker up'); setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));`;

function spec(extra: { greeting?: string; release?: string; build?: string; run?: string } = {}): string {
  return [
    'app: demo',
    `env: { GREETING: ${JSON.stringify(extra.greeting ?? 'hello')} }`,
    ...(extra.release ? [`release: ${JSON.stringify(extra.release)}`] : []),
    'services:',
    `  web: { run: ${JSON.stringify(extra.run ?? 'node server.cjs')}, routes: [{ path: / }], instances: 2${extra.build ? `, build: ${JSON.stringify(extra.build)}` : ''} }`,
    '  worker: { run: node worker.cjs }',
    '',
  ].join('\n');
}

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the local runtime, through the daemon', () => {
  let root: string;
  let app: string;
  let data: string;
  let client: WharfClient;
  const pids = new Set<number>();
  const wharf = (...args: string[]) => runWharf([...args, '--data-dir', data], { cwd: app, timeoutMs: 90_000 });
  const instances = async () => (await client.instances('demo', 'production')).instances;
  const web = (list: InstanceView[]) => list.filter((i) => i.service === 'web');

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'wharf-runtime-'));
    // Under root, apps run as an unprivileged user that must pass through to their builds.
    chmodSync(root, 0o711);
    app = join(root, 'app');
    data = join(root, 'data');
    mkdirSync(app);
    writeFileSync(join(app, 'server.cjs'), SERVER);
    writeFileSync(join(app, 'worker.cjs'), WORKER);
    writeFileSync(join(app, 'wharf.yaml'), spec());
    client = new WharfClient(new ApiTransport({ socketPath: join(data, 'wharf.sock') }));
  });

  after(async () => {
    for (const i of await instances().catch(() => [])) if (i.pid) pids.add(i.pid);
    await runWharf(['daemon', 'stop', '--data-dir', data]);
    for (const pid of pids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('builds, releases and runs the app: up serves it from real processes', async () => {
    const up = await wharf('up', '--http', 'off');
    assert.equal(up.code, 0, up.stderr);
    const list = await instances();
    list.forEach((i) => i.pid && pids.add(i.pid));
    assert.deepEqual(list.map((i) => i.service).sort(), ['web', 'web', 'worker']);
    assert.ok(list.every((i) => i.state === (i.service === 'web' ? 'healthy' : 'running') && i.release === 1), 'web instances pass the health gate');
    for (const i of web(list)) assert.match(await httpGet(i.port!), new RegExp(`^hello ${i.pid}$`));
    const { releases } = await client.releases('demo', 'production');
    assert.deepEqual(releases.map((r) => [r.version, r.status]), [[1, 'live']]);
    const ps = await wharf('ps');
    for (const i of list) assert.match(ps.stdout, new RegExp(`${i.id.replaceAll('.', '\\.')}\\s+${i.service}\\s+v1\\s+${i.state}\\s+${i.pid}`));
  });

  it('runs the app as an unprivileged user that cannot read the daemon\'s data dir', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => {
    const pid = web(await instances())[0]!.pid!;
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
    assert.notEqual(uid, 0);
    const out: string[] = [];
    const status = await client.run('demo', 'production', `cat ${join(data, 'state.db')} > /dev/null; cat ${join(data, 'api-token')}`, undefined, (d) => out.push(d.toString()));
    assert.notEqual(status, 0);
    assert.doesNotMatch(out.join(''), /[A-Za-z0-9_-]{43}/, 'the app read the API token');
  });

  it('keeps the instances serving through a kill -9 of the daemon, and re-adopts them', async () => {
    const before = await instances();
    const info = JSON.parse(readFileSync(join(data, 'daemon.json'), 'utf8')) as { pid: number };
    process.kill(info.pid, 'SIGKILL');
    await until('the daemon to die', async () => (processIsAlive(info.pid) ? undefined : true));
    for (const i of web(before)) assert.match(await httpGet(i.port!), /^hello \d+$/);
    const up = await wharf('up', '--http', 'off');
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /already matches its spec/);
    const afterRestart = await instances();
    assert.deepEqual(afterRestart.map((i) => [i.id, i.pid]).sort(), before.map((i) => [i.id, i.pid]).sort(), 'the same processes, no duplicates');
    for (const i of before) assert.ok(processIsAlive(i.pid!), `${i.id} is still running`);
  });

  it('scales, restarts and runs one-off commands with the release\'s environment', async () => {
    const scaled = await wharf('scale', 'web=3');
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.equal(web(await instances()).length, 3);
    const plan = await wharf('plan');
    assert.equal(plan.code, 2, 'the spec says 2: plan shows the drift');
    assert.match(plan.stdout, /~ instances = 3 -> 2/);
    const oldPids = web(await instances()).map((i) => i.pid);
    assert.equal((await wharf('restart', 'web')).code, 0);
    const fresh = web(await instances());
    fresh.forEach((i) => i.pid && pids.add(i.pid));
    assert.equal(fresh.length, 3);
    assert.ok(fresh.every((i) => !oldPids.includes(i.pid)), 'every web instance was replaced');
    const run = await runWharf(['run', '--data-dir', data, '--', 'echo "$GREETING from one-off"; exit 7'], { cwd: app });
    assert.equal(run.code, 7);
    assert.equal(run.stdout, 'hello from one-off\n');
    const logs = await wharf('logs', '-s', 'worker', '-n', '5');
    assert.match(logs.stdout, /demo\.production\.worker\.v1\.[0-9a-f]+: worker up/);
  });

  it('does not deploy a release whose release command fails, and shows its output', async () => {
    writeFileSync(join(app, 'wharf.yaml'), spec({ greeting: 'hola', release: 'echo migrating; echo "no database" >&2; exit 3' }));
    const before = await instances();
    const apply = await wharf('apply', '--yes');
    assert.equal(apply.code, 1);
    assert.match(apply.stderr, /error\[RELEASE_FAILED\]: v2 was not deployed: its release command exited with status 3\n[\s\S]*migrating[\s\S]*no database/);
    const { releases } = await client.releases('demo', 'production');
    assert.deepEqual(releases.map((r) => [r.version, r.status]), [[2, 'failed'], [1, 'live']]);
    assert.deepEqual((await instances()).map((i) => i.id).sort(), before.map((i) => i.id).sort(), 'nothing was replaced');
  });

  it('does not deploy a build that fails, nor a release whose instances cannot start', async () => {
    writeFileSync(join(app, 'wharf.yaml'), spec({ build: 'echo compiling; exit 2' }));
    const build = await wharf('apply', '--yes');
    assert.equal(build.code, 1);
    assert.match(build.stderr, /error\[BUILD_FAILED\]/);
    // At the spec's count, so that the rollout has no extra old instance to remove first.
    assert.equal((await wharf('scale', 'web=2')).code, 0);
    writeFileSync(join(app, 'wharf.yaml'), spec({ run: 'no-such-command --serve' }));
    const before = await instances();
    const start = await wharf('apply', '--yes');
    assert.equal(start.code, 1);
    assert.match(start.stderr, /error\[DEPLOY_FAILED\]: v\d was rolled back: web: \d of \d new instances? of v\d did not start/);
    const now = await instances();
    assert.deepEqual(now.map((i) => i.id).sort(), before.map((i) => i.id).sort(), 'the running instances were untouched');
    for (const i of web(now)) assert.match(await httpGet(i.port!), /^hello \d+$/);
  });

  it('rolls every service to a new release when the spec changes, keeping the old logs', async () => {
    writeFileSync(join(app, 'wharf.yaml'), spec({ greeting: 'bonjour' }));
    const apply = await wharf('apply', '--yes');
    assert.equal(apply.code, 0, apply.stderr);
    const list = await instances();
    list.forEach((i) => i.pid && pids.add(i.pid));
    const release = list[0]!.release;
    assert.ok(release > 1 && list.every((i) => i.release === release), 'all on the new release');
    assert.equal(web(list).length, 2, 'the spec\'s count again');
    for (const i of web(list)) assert.match(await httpGet(i.port!), /^bonjour \d+$/);
    const logs = await wharf('logs', '-s', 'worker', '-n', '50');
    assert.match(logs.stdout, /worker\.v1\.[0-9a-f]+: worker up/, 'the old release\'s logs are still there');
    assert.match(logs.stdout, new RegExp(`worker\\.v${release}\\.[0-9a-f]+: worker up`));
  });

  it('answers scale and run clearly when there is nothing to act on', async () => {
    await assert.rejects(client.scale('demo', 'production', { api: 2 }), (e: WharfError) => e.code === 'NOT_FOUND' && /has no service api/.test(e.message));
    await assert.rejects(client.run('demo', 'staging', 'true', undefined, () => undefined), (e: WharfError) => e.code === 'NOT_FOUND' && /no live release/.test(e.message));
    const bad = await wharf('scale', 'web=lots');
    assert.equal(bad.code, 64);
  });
});
