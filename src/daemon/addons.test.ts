import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ManagedServers } from '../addons/addon-servers.js';
import { AesGcmSealer } from '../addons/sealer.js';
import { runWharf } from '../cli/testing.js';
import { startDaemon, type Daemon } from './daemon.js';
import { until } from './testing/deploy-app.js';

const SPEC = (addons: string) => `app: shop
services:
  worker: { run: sleep 600, instances: 0 }
addons:
${addons}
`;

/** The add-on path end to end: wharf.yaml → apply through a real daemon → the CLI's `addons` commands. */
describe('add-ons through the daemon and the CLI', () => {
  let root: string;
  let dataDir: string;
  let appDir: string;
  let daemon: Daemon;
  const wharf = (...args: string[]) => runWharf([...args, '-C', appDir, '--data-dir', dataDir], { timeoutMs: 120_000 });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'wharf-addons-daemon-'));
    chmodSync(root, 0o711);
    dataDir = join(root, 'data');
    appDir = join(root, 'app');
    mkdirSync(appDir);
    writeFileSync(join(appDir, 'wharf.yaml'), SPEC('  db: { type: postgres }\n  cache: { type: redis }'));
    daemon = await startDaemon({ dataDir });
  });

  after(async () => {
    await daemon?.stop();
    // The managed servers outlive the daemon by design; the test stops them by their pid files.
    const servers = new ManagedServers({ dir: join(dataDir, 'addons'), sealer: AesGcmSealer.fromKeyFile(join(dataDir, 'addons.key')) });
    await servers.postgres.stop();
    await servers.redis.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('provisions the spec\'s add-ons on apply and lists them', async () => {
    const applied = await wharf('apply', '--yes');
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    const list = await wharf('addons', '--json');
    assert.equal(list.code, 0, list.stderr);
    const addons = JSON.parse(list.stdout) as { name: string; type: string; state: string }[];
    assert.deepEqual(addons.map((a) => [a.name, a.type, a.state]), [['cache', 'redis', 'attached'], ['db', 'postgres', 'attached']]);
  });

  it('shows an add-on\'s URL masked, and with --reveal one the app can connect with', async () => {
    const masked = await wharf('addons', 'info', 'db');
    assert.equal(masked.code, 0, masked.stderr);
    assert.match(masked.stdout, /URL: postgres:\/\/[^:]+:\*{8}@/);
    const revealed = await wharf('addons', 'info', 'db', '--reveal', '--json');
    const url = (JSON.parse(revealed.stdout) as { vars: Record<string, string> }).vars['URL']!;
    assert.ok(!masked.stdout.includes(decodeURIComponent(new URL(url).password)));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2), (3)');
    } finally {
      await client.end();
    }
  });

  it('gives the app\'s instances DATABASE_URL and REDIS_URL, and a set config value wins over them', async () => {
    // The probe prints digests of what it was given, never the URLs (they hold passwords).
    writeFileSync(join(appDir, 'probe.cjs'), `
const digest = (v) => require('node:crypto').createHash('sha256').update(v || '').digest('hex').slice(0, 16);
console.log('probe', digest(process.env.DATABASE_URL), digest(process.env.REDIS_URL), process.env.REDIS_KEY_PREFIX);
setInterval(() => {}, 1000);
process.on('SIGTERM', () => process.exit(0));
`);
    writeFileSync(join(appDir, 'wharf.yaml'), SPEC('  db: { type: postgres }\n  cache: { type: redis }').replace('services:\n', 'services:\n  probe: { run: node probe.cjs }\n'));
    const applied = await wharf('apply', '--yes');
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    const reveal = async (name: string) => (JSON.parse((await wharf('addons', 'info', name, '--reveal', '--json')).stdout) as { vars: Record<string, string> }).vars['URL']!;
    const digest = (v: string) => createHash('sha256').update(v).digest('hex').slice(0, 16);
    const expected = `probe ${digest(await reveal('db'))} ${digest(await reveal('cache'))} shop:production:cache:`;
    await until(async () => (await wharf('logs', '-s', 'probe', '-n', '20')).stdout.includes(expected));
    const set = await wharf('config', 'set', 'DATABASE_URL=postgres://elsewhere/db', '--secret');
    assert.equal(set.code, 0, set.stderr);
    await until(async () => (await wharf('logs', '-s', 'probe', '-n', '20')).stdout.includes(`probe ${digest('postgres://elsewhere/db')} `));
    const unset = await wharf('config', 'unset', 'DATABASE_URL');
    assert.equal(unset.code, 0, unset.stderr);
  });

  it('backs up with --verify, lists the backup, and audits both', async () => {
    const backup = await wharf('addons', 'backup', 'db', '--verify');
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /public\.t=3/);
    assert.match(backup.stdout, /Verified/);
    const list = await wharf('addons', 'backups', 'db');
    assert.match(list.stdout, /verified/);
    const audit = await wharf('audit', '--json');
    assert.match(audit.stdout, /addon\.backup/);
  });

  it('refuses to destroy production\'s add-on without the app\'s name, saying what to type, and exits non-zero', async () => {
    const refused = await wharf('addons', 'destroy', 'db');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /--confirm shop/);
  });

  it('detaches an add-on removed from the spec, keeping its data', async () => {
    writeFileSync(join(appDir, 'wharf.yaml'), SPEC('  cache: { type: redis }'));
    const applied = await wharf('apply', '--yes');
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    const list = JSON.parse((await wharf('addons', '--json')).stdout) as { name: string; state: string }[];
    assert.deepEqual(list.map((a) => [a.name, a.state]), [['cache', 'attached'], ['db', 'detached']]);
  });
});
