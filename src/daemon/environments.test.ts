import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiTransport } from '../client/transport.js';
import { WharfClient } from '../client/wharf-client.js';
import { processIsAlive } from '../runtime/proc-table.js';
import { appFixture, httpGet, tearDown, until, wharfAt } from './e2e-testing.js';

const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => res.end(req.url === '/token' ? String(process.env.TOKEN) : String(process.env.LOG)));
server.listen(Number(process.env.PORT));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;
// An explicit host: a copy must get its own, or it would take production's traffic.
const SPEC = ['app: demo', 'services:', '  web: { run: node server.cjs, routes: [{ host: demo.example.com, path: / }], instances: 2 }', 'environments:', '  production: {}', ''].join('\n');

describe('environments as copies, through the daemon', () => {
  let root: string;
  let app: string;
  let data: string;
  let client: WharfClient;
  const pids = new Set<number>();
  const { wharf, ok } = wharfAt(() => ({ app, data }));
  const instances = async (env: string) => {
    const list = (await client.instances('demo', env)).instances;
    list.forEach((i) => i.pid && pids.add(i.pid));
    return list;
  };
  const names = async () => (await client.environments('demo')).environments.map((e) => e.name);

  before(async () => {
    ({ root, app, data } = appFixture('wharf-envs-', { 'server.cjs': SERVER, 'wharf.yaml': SPEC }));
    client = new WharfClient(new ApiTransport({ socketPath: join(data, 'wharf.sock') }));
  });

  after(async () => {
    for (const env of await names().catch(() => [])) await instances(env).catch(() => undefined);
    await tearDown(root, data, pids);
  });

  it('clones production into staging: same services on their own hosts, plain config copied, secrets not', async () => {
    await ok('up', '--http', 'off');
    await ok('config', 'set', 'LOG=debug');
    await ok('config', 'set', '--secret', 'TOKEN=prod-only-secret');
    const clone = await ok('env', 'clone', 'production', 'staging');
    assert.match(clone.stdout, /Created demo\/staging from production\.\nConfig copied: LOG\.\nSecrets not copied \(--with-config copies them\): TOKEN\./);
    const staging = (await instances('staging')).filter((i) => i.service === 'web');
    assert.equal(staging.length, 2, 'scaled like its source');
    for (const i of staging) {
      assert.equal(await httpGet(i.port!), 'debug');
      assert.equal(await httpGet(i.port!, '/token'), 'undefined');
    }
    const { resources } = await client.resources('demo', 'staging');
    const routes = (resources.find((r) => r.name === 'web')!.body as { routes: { host: string }[] }).routes;
    assert.deepEqual(routes.map((r) => r.host), ['web.staging.demo.localhost']);
    assert.equal((await wharf('plan', '-e', 'staging')).code, 0, 'the clone matches its derived spec');
  });

  it('refuses to clone into an environment that exists, changing nothing', async () => {
    const before = (await instances('staging')).map((i) => i.id).sort();
    const again = await wharf('env', 'clone', 'production', 'staging');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /CONFLICT[\s\S]*environment staging of demo exists already/);
    assert.deepEqual((await instances('staging')).map((i) => i.id).sort(), before);
    const undeclared = await wharf('env', 'create', 'scratch');
    assert.equal(undeclared.code, 64);
    assert.match(undeclared.stderr, /has no overlay for scratch, so it needs an environment to start from/);
  });

  it('copies secrets with --with-config, and diff shows drift by key, never by value', async () => {
    await ok('env', 'clone', 'production', 'qa', '--with-config');
    const [web] = (await instances('qa')).filter((i) => i.service === 'web');
    assert.equal(await httpGet(web!.port!, '/token'), 'prod-only-secret');
    const drift = await ok('env', 'diff', 'production', 'staging');
    assert.match(drift.stdout, /config:\n {2}TOKEN: only in production\n/);
    assert.ok(!drift.stdout.includes('prod-only-secret'));
    await ok('config', 'set', '-e', 'qa', 'LOG=trace');
    const qa = JSON.parse((await ok('env', 'diff', 'production', 'qa', '--json')).stdout) as { config: unknown; releases: { sameBuild: boolean } };
    assert.deepEqual(qa.config, [{ name: 'LOG', state: 'differs' }]);
    assert.equal(qa.releases.sameBuild, true);
    const list = await ok('env', 'list');
    assert.match(list.stdout, /qa\s+production\s+-/);
  });

  it('destroys an environment only when confirmed: its instances stop and its records go, its history stays', async () => {
    const pidsOf = (await instances('staging')).map((i) => i.pid!);
    const unconfirmed = await wharf('env', 'destroy', 'staging');
    assert.equal(unconfirmed.code, 64, 'a usage error');
    assert.match(unconfirmed.stderr, /needs its name as confirmation/);
    await ok('env', 'destroy', 'staging', '--confirm', 'staging');
    assert.ok(!(await names()).includes('staging'));
    for (const pid of pidsOf) await until(`pid ${pid} to stop`, async () => (processIsAlive(pid) ? undefined : true));
    const { events } = await client.events({ app: 'demo', env: 'staging', limit: 100 });
    assert.ok(events.some((e) => e.kind === 'env.destroyed'));
    const missing = await wharf('env', 'destroy', 'nope', '--confirm', 'nope');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ENV_NOT_FOUND[\s\S]*environment nope of demo does not exist/);
  });

  it('destroys a preview environment once its TTL has passed, and says so', async () => {
    const created = await ok('env', 'create', 'preview-x', '--from', 'qa', '--ttl', '1s');
    assert.match(created.stdout, /Created demo\/preview-x from qa; it expires /);
    const previewPids = (await instances('preview-x')).map((i) => i.pid!);
    const { environments } = await client.environments('demo');
    const expiresAt = environments.find((e) => e.name === 'preview-x')!.expiresAt!;
    await until('the TTL to pass', async () => (Date.now() > expiresAt ? true : undefined));
    // The daemon looks for expired environments when it starts and every minute after.
    await ok('daemon', 'stop');
    await ok('up', '--http', 'off');
    await until('the preview to be destroyed', async () => ((await names()).includes('preview-x') ? undefined : true), 60_000);
    for (const pid of previewPids) await until(`pid ${pid} to stop`, async () => (processIsAlive(pid) ? undefined : true));
    const { events } = await client.events({ app: 'demo', env: 'preview-x', limit: 100 });
    assert.ok(events.some((e) => e.kind === 'env.destroyed' && /by wharf: its TTL passed at/.test(e.message)), JSON.stringify(events.map((e) => e.message)));
  });
});
