import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ManagedServers } from '../addons/addon-servers.js';
import { AesGcmSealer } from '../addons/sealer.js';
import { runWharf } from '../cli/testing.js';
import { startDaemon, type Daemon } from './daemon.js';

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
