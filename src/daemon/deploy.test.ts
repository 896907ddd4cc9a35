import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureDaemon } from '../cli/daemon-process.js';
import { runWharf } from '../cli/testing.js';
import { ApiTransport } from '../client/transport.js';
import { WharfClient } from '../client/wharf-client.js';
import { processIsAlive } from '../runtime/proc-table.js';
import { freePort, killAll, load as loadThrough } from './testing/load.js';

/** A web app whose behaviour the spec's env decides: its greeting, health, a crash at boot, a share of 500s. */
const SERVER = `
const http = require('node:http');
if (process.env.CRASH === 'yes') { console.error('crashing at boot'); process.exit(3); }
const failRate = Number(process.env.FAIL_RATE || 0);
let n = 0;
const server = http.createServer((req, res) => {
  if (req.url === '/healthz') { res.statusCode = process.env.HEALTHY === 'no' ? 500 : 200; return res.end(); }
  n++;
  if (failRate > 0 && (n % 10) < failRate * 10) { res.statusCode = 500; return res.end('broken ' + process.env.GREETING); }
  res.end(process.env.GREETING);
});
server.keepAliveTimeout = 30000;
server.listen(Number(process.env.PORT));
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeIdleConnections(); });
`;
const WORKER = `
if (process.env.CRASH === 'yes') process.exit(3);
setInterval(() => {}, 1000);
process.on('SIGTERM', () => process.exit(0));
`;

interface Settings {
  greeting: string;
  strategy?: string;
  healthy?: boolean;
  crash?: boolean;
  failRate?: number;
  hold?: string;
  check?: string;
  warm?: string;
}

function spec(s: Settings): string {
  const env = `{ GREETING: ${s.greeting}, HEALTHY: ${s.healthy === false ? 'no' : 'yes'}, CRASH: ${s.crash ? 'yes' : 'no'}, FAIL_RATE: "${s.failRate ?? 0}" }`;
  const canary = `canary: { steps: [25, 100], hold: ${s.hold ?? '2s'}, min_requests: 20 }`;
  const deploy = `{ strategy: ${s.strategy ?? 'rolling'}, timeout: 8s, drain_timeout: 5s, warm_window: ${s.warm ?? '10m'}, ${canary} }`;
  return [
    'app: shipped',
    `env: ${env}`,
    ...(s.check ? [`pipeline: { check: "${s.check}" }`] : []),
    'services:',
    `  web: { run: node server.cjs, routes: [{ path: / }], instances: 2, deploy: ${deploy} }`,
    '  worker: { run: node worker.cjs }',
    '',
  ].join('\n');
}

const HOST = 'web.production.shipped.localhost';

describe('deploys through the daemon and its router', () => {
  let root: string;
  let app: string;
  let data: string;
  let port: number;
  let client: WharfClient;
  const wharf = (...args: string[]) => runWharf([...args, '--data-dir', data], { cwd: app, timeoutMs: 120_000 });
  const write = (s: Settings) => writeFileSync(join(app, 'wharf.yaml'), spec(s));
  const load = () => loadThrough(port, HOST);
  const releases = async () => (await client.releases('shipped', 'production')).releases.map((r) => [r.version, r.status]);
  const running = async () => [...new Set((await client.instances('shipped', 'production')).instances.filter((i) => i.service === 'web').map((i) => i.release))].sort();
  const routerPid = () => (JSON.parse(readFileSync(join(data, 'router.json'), 'utf8')) as { pid: number }).pid;
  const pids = new Set<number>();

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'wharf-deploy-'));
    chmodSync(root, 0o711);
    app = join(root, 'app');
    data = join(root, 'data');
    mkdirSync(app);
    writeFileSync(join(app, 'server.cjs'), SERVER);
    writeFileSync(join(app, 'worker.cjs'), WORKER);
    write({ greeting: 'one' });
    port = await freePort();
    client = new WharfClient(new ApiTransport({ socketPath: join(data, 'wharf.sock') }));
    const up = await wharf('up', '--http', `127.0.0.1:${port}`);
    assert.equal(up.code, 0, up.stderr);
    pids.add(routerPid());
  });

  after(async () => {
    const instances = (await client.instances('shipped', 'production').catch(() => ({ instances: [] }))).instances.map((i) => i.pid);
    await runWharf(['daemon', 'stop', '--data-dir', data]);
    killAll([...instances, ...pids, routerPid()]);
    rmSync(root, { recursive: true, force: true });
  });

  it('rolls out a rolling deploy under load without failing a request', async () => {
    write({ greeting: 'two' });
    const l = load();
    const deploy = await wharf('deploy');
    const result = await l.stop();
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /rolling out v2 over v1: web rolling, worker worker/);
    assert.match(deploy.stdout, /Deployed: v2 is live\./);
    assert.deepEqual(result.errors, [], `${result.failed} of ${result.ok + result.failed} failed`);
    assert.ok(result.bodies.has('two'));
    assert.deepEqual(await running(), [2], 'rolling stops the old instances as it goes');
  });

  it('says so, and changes nothing, when the source and spec are already live', async () => {
    const deploy = await wharf('deploy');
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /Nothing to deploy: v2 is already live/);
    assert.deepEqual((await releases())[0], [2, 'live']);
  });

  it('switches a blue-green deploy at once under load and keeps the old set warm', async () => {
    write({ greeting: 'three' });
    const l = load();
    const deploy = await wharf('deploy', '--strategy', 'blue-green');
    const result = await l.stop();
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /web: traffic switched to v3 in \d+ ms/);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(await running(), [2, 3], 'v2 stays running at weight 0');
  });

  it('rolls back to the warm release as a switch of the router\'s table', async () => {
    const l = load();
    const rollback = await wharf('rollback');
    await new Promise((r) => setTimeout(r, 300));
    const result = await l.stop();
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.match(rollback.stdout, /Rolled back shipped\/production from v3 to v2 \(warm; traffic switched in \d+ ms\)/);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(await releases(), [[3, 'rolled-back'], [2, 'live'], [1, 'superseded']]);
    assert.deepEqual(await running(), [2], 'the release rolled back from stops');
  });

  it('climbs a canary\'s ladder with analysis at each step, under load', async () => {
    write({ greeting: 'four', strategy: 'canary' });
    const l = load();
    const deploy = await wharf('deploy');
    const result = await l.stop();
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /web: v4 takes 25 % of web's traffic/);
    assert.match(deploy.stdout, /web: 25 %: pass: v4 5xx 0\.0 % vs v2 0\.0 %/);
    assert.deepEqual(result.errors, []);
    assert.deepEqual((await releases()).slice(0, 2), [[4, 'live'], [3, 'rolled-back']]);
  });

  it('aborts a canary that answers 500 to 30 % of requests, and only the canary\'s requests fail', async () => {
    write({ greeting: 'five', strategy: 'canary', failRate: 0.3 });
    const l = load();
    const deploy = await wharf('deploy');
    await new Promise((r) => setTimeout(r, 300));
    const result = await l.stop();
    assert.equal(deploy.code, 1);
    assert.match(deploy.stderr, /error\[DEPLOY_FAILED\]: v5 was rolled back: analysis failed at 25 %: v5 5xx \d+\.\d % vs v4 0\.0 %/);
    assert.ok(result.errors.length > 0, 'the canary did serve some 500s');
    assert.ok(result.errors.every((e) => e === '500 broken five'), `only the canary failed: ${[...new Set(result.errors)].join(', ')}`);
    assert.deepEqual((await releases())[0], [5, 'failed']);
    assert.match((await client.releases('shipped', 'production')).releases[0]!.reason ?? '', /analysis failed at 25 %/);
    assert.deepEqual(await running(), [2, 4], 'the canary stopped; v4 serves, v2 is still warm');
  });

  it('rolls back a release that crashes at boot without failing a request', async () => {
    write({ greeting: 'six', crash: true });
    const l = load();
    const deploy = await wharf('deploy');
    const result = await l.stop();
    assert.equal(deploy.code, 1);
    assert.match(deploy.stderr, /error\[DEPLOY_FAILED\]: v6 was rolled back: (web|worker): /);
    assert.deepEqual(result.errors, []);
    assert.deepEqual([...result.bodies], ['four']);
    assert.deepEqual((await releases())[0], [6, 'failed']);
  });

  it('stops a deploy whose pipeline check fails, before any release exists', async () => {
    write({ greeting: 'seven', check: 'exit 3' });
    const deploy = await wharf('deploy');
    assert.equal(deploy.code, 1);
    assert.match(deploy.stderr, /error\[PIPELINE_FAILED\]: the check stage \(`exit 3`\) exited with status 3; nothing was released/);
    assert.deepEqual((await releases())[0], [6, 'failed'], 'no release was made');
  });

  it('refuses what cannot be done, changing nothing', async () => {
    const promote = await wharf('promote');
    assert.equal(promote.code, 1);
    assert.match(promote.stderr, /error\[CONFLICT\]: nothing to promote in shipped\/production: no canary rollout is under way/);
    const abort = await wharf('abort');
    assert.match(abort.stderr, /error\[CONFLICT\]: nothing to abort/);
    const missing = await wharf('rollback', 'v99');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /error\[NOT_FOUND\]: v99 of shipped\/production does not exist\n  hint: its releases are v1 … v6/);
    const failed = await wharf('rollback', 'v5');
    assert.match(failed.stderr, /error\[CONFLICT\]: v5 of shipped\/production never went live \(failed: analysis failed/);
    const bad = await wharf('deploy', '--strategy', 'yolo');
    assert.match(bad.stderr, /error\[BAD_REQUEST\]: body\.strategy: "yolo" is not a strategy/);
    assert.deepEqual((await releases())[0], [6, 'failed']);
  });

  it('promotes a paused canary on request, and refuses a second deploy meanwhile', async () => {
    write({ greeting: 'eight', strategy: 'canary', hold: '5m' });
    const deploying = wharf('deploy');
    await until(async () => (await client.rollout('shipped', 'production')).rollout !== null && (await releases())[0]![0] === 7 && (await running()).includes(7));
    const second = await wharf('deploy');
    assert.equal(second.code, 1);
    assert.match(second.stderr, /error\[LOCK_HELD\]: shipped\/production is locked by .* \(deploy since/);
    await until(async () => /takes 25 %/.test(JSON.stringify((await client.events({ app: 'shipped', limit: 5 })).events)));
    const promote = await wharf('promote');
    assert.equal(promote.code, 0, promote.stderr);
    const deploy = await deploying;
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /promoted by /);
    assert.deepEqual((await releases())[0], [7, 'live']);
  });

  it('aborts a rollout on request: traffic back on the stable release at once', async () => {
    write({ greeting: 'nine', strategy: 'canary', hold: '5m' });
    const l = load();
    const deploying = wharf('deploy');
    await until(async () => /takes 25 %/.test(JSON.stringify((await client.events({ app: 'shipped', limit: 5 })).events)));
    const abort = await wharf('abort');
    assert.equal(abort.code, 0, abort.stderr);
    const deploy = await deploying;
    const result = await l.stop();
    assert.equal(deploy.code, 1);
    assert.match(deploy.stderr, /v8 was rolled back: aborted by /);
    assert.deepEqual(result.errors, []);
    assert.deepEqual((await releases())[0], [8, 'failed']);
  });

  it('starts a release again behind the health gate when it is no longer warm (cold rollback)', async () => {
    const l = load();
    const rollback = await wharf('rollback', 'v1');
    const result = await l.stop();
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.match(rollback.stdout, /from v7 to v1 \(cold;/);
    assert.deepEqual(result.errors, []);
    assert.deepEqual([...result.bodies].sort(), ['eight', 'one']);
    const now = await running();
    assert.ok(now.includes(1) && !now.includes(7), `v1 runs and v7 stopped: ${now.join(', ')}`);
  });

  it('stops the previous release once the warm window after the promotion has passed', async () => {
    write({ greeting: 'eleven', strategy: 'blue-green', warm: '1s' });
    const deploy = await wharf('deploy');
    assert.equal(deploy.code, 0, deploy.stderr);
    const live = (await releases())[0]![0] as number;
    await until(async () => JSON.stringify(await running()) === `[${live}]`);
    const events = (await client.events({ app: 'shipped', limit: 20 })).events;
    assert.ok(events.some((e) => e.kind === 'release.cooled' && /no longer kept warm/.test(e.message)));
  });

  it('rolls back a rollout cut off by a daemon crash when the daemon starts again', async () => {
    write({ greeting: 'twelve', strategy: 'canary', hold: '5m' });
    const deploying = wharf('deploy');
    await until(async () => /takes 25 %/.test(JSON.stringify((await client.events({ app: 'shipped', limit: 5 })).events)));
    const l = load();
    const daemonPid = (JSON.parse(readFileSync(join(data, 'daemon.json'), 'utf8')) as { pid: number }).pid;
    process.kill(daemonPid, 'SIGKILL');
    await deploying;
    await ensureDaemon(data, undefined, `127.0.0.1:${port}`);
    await until(async () => (await releases())[0]![1] === 'failed');
    const result = await l.stop();
    assert.ok(!processIsAlive(daemonPid));
    assert.deepEqual(result.errors, []);
    const list = await releases();
    assert.deepEqual(list[0], [10, 'failed']);
    assert.deepEqual(list.filter(([, status]) => status === 'live'), [[9, 'live']]);
    assert.match((await client.releases('shipped', 'production')).releases[0]!.reason ?? '', /interrupted: the daemon stopped during its rollout; rolled back to v9/);
    await until(async () => !(await running()).includes(10));
    assert.deepEqual([...result.bodies].filter((b) => b !== 'eleven' && b !== 'twelve'), []);
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}
