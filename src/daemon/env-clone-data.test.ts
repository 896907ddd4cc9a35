import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ManagedServers } from '../addons/addon-servers.js';
import { AesGcmSealer } from '../addons/sealer.js';
import { runWharf } from '../cli/testing.js';
import { ApiTransport } from '../client/transport.js';
import { WharfClient } from '../client/wharf-client.js';
import { appFixture, tearDown, until, wharfAt } from './e2e-testing.js';

// The worker says, once at start, how many rows its own database holds: what a release
// command or a booting app would find there.
const SPEC = [
  'app: copied',
  'services:',
  '  worker: { run: "psql \\"$DATABASE_URL\\" -tAc \\"SELECT \'rows at start: \' || count(*) FROM items\\" 2>&1; exec sleep 600" }',
  'addons:',
  '  db: { type: postgres }',
  'environments:',
  '  production: {}',
  '',
].join('\n');

describe('cloning an environment with its data, through the daemon', () => {
  let root: string;
  let app: string;
  let data: string;
  let client: WharfClient;
  const pids = new Set<number>();
  const { wharf, ok } = wharfAt(() => ({ app, data }));
  const url = async (env: string) => (JSON.parse((await ok('addons', 'info', 'db', '--reveal', '--json', '-e', env)).stdout) as { vars: Record<string, string> }).vars['URL']!;
  const query = async (connectionString: string, sql: string) => {
    const c = new pg.Client({ connectionString });
    await c.connect();
    try {
      return (await c.query<{ n: number }>(sql)).rows;
    } finally {
      await c.end();
    }
  };

  before(() => {
    ({ root, app, data } = appFixture('wharf-env-clone-data-', { 'wharf.yaml': SPEC }));
    client = new WharfClient(new ApiTransport({ socketPath: join(data, 'wharf.sock') }));
  });

  after(async () => {
    for (const env of ['production', 'staging']) {
      for (const i of (await client.instances('copied', env).catch(() => ({ instances: [] }))).instances) if (i.pid) pids.add(i.pid);
    }
    // The managed PostgreSQL outlives the daemon by design: stopped by its pid file once the
    // daemon (which would start it again) is gone.
    await runWharf(['daemon', 'stop', '--data-dir', data]);
    if (existsSync(join(data, 'addons.key'))) {
      await new ManagedServers({ dir: join(data, 'addons'), sealer: AesGcmSealer.fromKeyFile(join(data, 'addons.key')) }).postgres.stop();
    }
    await tearDown(root, data, pids);
  });

  it('loads the copy\'s database before its instances start, so they never see it empty', async () => {
    // Created with the table empty: production's worker starts before any rows exist.
    await ok('up', '--http', 'off');
    await query(await url('production'), 'CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 250)');
    const clone = await ok('env', 'clone', 'production', 'staging', '--with-data');
    assert.match(clone.stdout, /Created copied\/staging from production/);
    const logs = await until('the staging worker to say what it found', async () => {
      const out = (await wharf('logs', '-e', 'staging', '-s', 'worker', '-n', '20')).stdout;
      return /rows at start|ERROR/.test(out) ? out : undefined;
    }, 60_000);
    assert.match(logs, /rows at start: 250/);
    assert.deepEqual(await query(await url('staging'), 'SELECT count(*)::int AS n FROM items'), [{ n: 250 }]);
    const { events } = await client.events({ app: 'copied', env: 'staging', limit: 200 });
    const order = (kind: string) => events.find((e) => e.kind === kind)?.id ?? Number.NaN;
    assert.ok(order('addon.restored') < order('release.created'), 'the data was loaded before the release was made');
  });
});
