import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runWharf } from '../cli/testing.js';
import { ApiTransport } from '../client/transport.js';
import { WharfClient } from '../client/wharf-client.js';
import { appFixture, until, wharfAt } from './e2e-testing.js';
import { freePort, killAll } from './testing/load.js';

const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => res.end(req.url === '/healthz' ? 'ok' : 'served'));
server.listen(Number(process.env.PORT));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;
// A drain timeout far beyond the CLI's deadline: a destroy that waited it out would fail the test.
const SPEC = [
  'app: drained',
  'services:',
  '  web: { run: node server.cjs, routes: [{ host: drained.example.com }], health: { path: /healthz }, deploy: { drain_timeout: 10m } }',
  '  api: { run: node server.cjs, routes: [{ host: api.drained.example.com }], health: { path: /healthz } }',
  'environments:',
  '  production: {}',
  '',
].join('\n');

/** GET through the router with a Host header: the status, or 0 when nothing answered. */
function status(port: number, host: string): Promise<number> {
  return new Promise((resolve) => {
    get({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', () => resolve(0));
  });
}

describe('destroying an environment behind the router', () => {
  let root: string;
  let app: string;
  let data: string;
  let port: number;
  let client: WharfClient;
  const pids = new Set<number | undefined>();
  const { ok } = wharfAt(() => ({ app, data }));
  const remember = async (env: string) => (await client.instances('drained', env).catch(() => ({ instances: [] }))).instances.forEach((i) => pids.add(i.pid));

  before(async () => {
    ({ root, app, data } = appFixture('wharf-env-destroy-', { 'server.cjs': SERVER, 'wharf.yaml': SPEC }));
    port = await freePort();
    client = new WharfClient(new ApiTransport({ socketPath: join(data, 'wharf.sock') }));
  });

  after(async () => {
    for (const env of ['production', 'staging']) await remember(env);
    await runWharf(['daemon', 'stop', '--data-dir', data]);
    try {
      pids.add((JSON.parse(readFileSync(join(data, 'router.json'), 'utf8')) as { pid: number }).pid);
    } catch {
      // the router never started
    }
    killAll(pids);
    rmSync(root, { recursive: true, force: true });
  });

  it('stops the last instances of each web service without waiting out their drain timeout, and production keeps serving', async () => {
    await ok('up', '--http', `127.0.0.1:${port}`);
    await ok('env', 'clone', 'production', 'staging');
    await remember('staging');
    for (const host of ['web.staging.drained.localhost', 'api.staging.drained.localhost']) {
      await until(`${host} to serve`, async () => ((await status(port, host)) === 200 ? true : undefined), 60_000);
    }
    // Each service's only instance drains: a table with a route of draining instances only
    // was refused by the router, so no drain was ever reported and each stop waited 10 min.
    await ok('env', 'destroy', 'staging', '--confirm', 'staging');
    await until('staging\'s routes to go', async () => ((await status(port, 'web.staging.drained.localhost')) === 404 ? true : undefined));
    assert.equal(await status(port, 'drained.example.com'), 200);
    assert.doesNotMatch(readFileSync(join(data, 'daemon.log'), 'utf8'), /table push failed/);
  });
});
