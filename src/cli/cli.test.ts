import { processIsAlive } from '../runtime/proc-table.js';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runWharf } from './testing.js';

const SPEC = 'app: shop\nservices:\n  web: { run: node server.cjs, routes: [{ path: / }] }\n';
const SERVER = "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT));\nprocess.on('SIGTERM', () => process.exit(0));\n";

describe('the wharf CLI', () => {
  let root: string;
  let app: string;
  let data: string;
  const wharf = (...args: string[]) => runWharf([...args, '--data-dir', data], { cwd: app });

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'wharf-cli-'));
    chmodSync(root, 0o711); // under root, the app user passes through to its builds
    app = join(root, 'app');
    data = join(root, 'data');
    mkdirSync(app);
    writeFileSync(join(app, 'wharf.yaml'), SPEC);
    writeFileSync(join(app, 'server.cjs'), SERVER);
  });
  after(async () => {
    // Instances outlive the daemon by design: scale the app away before stopping it.
    await runWharf(['scale', 'web=0', '--data-dir', data], { cwd: app });
    await runWharf(['daemon', 'stop', '--data-dir', data]);
    rmSync(root, { recursive: true, force: true });
  });

  it('has --help on every command and exits 64 on an unknown one', async () => {
    const main = await runWharf(['--help']);
    assert.equal(main.code, 0);
    for (const name of ['up', 'plan', 'apply', 'lock release', 'daemon stop']) assert.match(main.stdout, new RegExp(`\\n  ${name} `));
    const plan = await runWharf(['plan', '--help']);
    assert.equal(plan.code, 0);
    assert.match(plan.stdout, /Usage: wharf plan \[-e ENV\]/);
    assert.match(plan.stdout, /--json/);
    const unknown = await runWharf(['deplyo']);
    assert.equal(unknown.code, 64);
    assert.match(unknown.stderr, /^error\[USAGE\]: unknown command "deplyo"\n  hint: /);
    const badFlag = await runWharf(['plan', '--colour']);
    assert.equal(badFlag.code, 64);
    assert.match(badFlag.stderr, /error\[USAGE\]: wharf plan: Unknown option '--colour'/);
  });

  it('says how to start the daemon when it is not running', async () => {
    const r = await wharf('plan');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error\[DAEMON_NOT_RUNNING\]: .*\n  hint: start it with `wharf up` or `wharf daemon`/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace without --verbose');
  });

  it('reports every problem of an invalid spec, without a stack unless --verbose', async () => {
    const bad = join(root, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'wharf.yaml'), 'app: Shop\nservices:\n  web: { run: x, instances: -2 }\n');
    const r = await runWharf(['validate', '-C', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error\[SPEC_INVALID\]: wharf\.yaml has 2 problems:\n  wharf\.yaml:1:6 app: .*\n  wharf\.yaml:3:29 services\.web\.instances: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const verbose = await runWharf(['validate', '-C', bad, '--verbose']);
    assert.match(verbose.stderr, /\n\s+at /);
    const json = await runWharf(['validate', '-C', bad, '--json']);
    assert.equal(JSON.parse(json.stderr).error.code, 'SPEC_INVALID');
  });

  it('starts the daemon with up, then plan exits 0 with no changes and 2 with changes', async () => {
    const up = await wharf('up', '--http', 'off');
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /Started the Wharf daemon \(pid \d+/);
    assert.match(up.stdout, /Applied shop\/production\. Resources: 2 added/);
    const same = await wharf('plan');
    assert.equal(same.code, 0);
    assert.equal(same.stdout, 'No changes. shop/production matches the spec.\n');
    writeFileSync(join(app, 'wharf.yaml'), SPEC.replace('}\n', ', instances: 3 }\n'));
    const changed = await wharf('plan');
    assert.equal(changed.code, 2);
    assert.match(changed.stdout, /~ instances = 1 -> 3/);
    assert.doesNotMatch(changed.stdout, /\x1b\[/, 'NO_COLOR is honoured');
    const coloured = await runWharf(['plan', '--data-dir', data], { cwd: app, env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    assert.match(coloured.stdout, /\x1b\[33m/);
    const json = await wharf('plan', '--json');
    assert.equal(json.code, 2);
    assert.equal(JSON.parse(json.stdout).summary.update, 1);
  });

  it('refuses to apply without --yes when there is no terminal to ask, changing nothing', async () => {
    const r = await wharf('apply');
    assert.equal(r.code, 64);
    assert.match(r.stderr, /error\[USAGE\]: apply needs approval, and there is no terminal to ask\n  hint: review the plan above and pass --yes/);
    assert.equal((await wharf('plan')).code, 2, 'still pending');
    const yes = await wharf('apply', '--yes');
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, /Apply complete! Resources: 0 added, 1 changed/);
    assert.equal((await wharf('plan')).code, 0);
  });

  it('shows the timeline and the audit trail, also as JSON', async () => {
    const events = await wharf('events');
    assert.match(events.stdout, /shop\/production  apply\.finished/);
    const audit = await wharf('audit', '--json');
    const entries = JSON.parse(audit.stdout) as { operation: string; client: string }[];
    assert.ok(entries.some((e) => e.operation === 'apply' && e.client === 'cli'));
  });

  it('says nobody holds the lock, and refuses to release a lock nobody holds', async () => {
    assert.match((await wharf('lock', 'show')).stdout, /shop\/production is not locked\./);
    const r = await wharf('lock', 'release');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error\[NOT_FOUND\]: shop\/production is not locked/);
  });

  it('stops the background daemon', async () => {
    assert.equal((await wharf('scale', 'web=0')).code, 0, 'the app is scaled away first: instances outlive the daemon');
    const info = JSON.parse(readFileSync(join(data, 'daemon.json'), 'utf8')) as { pid: number };
    const r = await wharf('daemon', 'stop');
    assert.match(r.stdout, new RegExp(`Stopped the daemon \\(pid ${info.pid}\\)`));
    assert.equal(processIsAlive(info.pid), false);
    assert.equal(existsSync(join(data, 'daemon.json')), false);
    assert.match((await wharf('daemon', 'status')).stdout, /not running/);
  });

  it('converts a Heroku app with init and validates it', async () => {
    const heroku = join(root, 'heroku');
    mkdirSync(heroku);
    writeFileSync(join(heroku, 'Procfile'), 'web: node index.js\nrelease: node migrate.js\n');
    assert.equal((await runWharf(['validate', '-C', heroku])).code, 0, 'a Procfile alone is a valid app');
    const init = await runWharf(['init', '-C', heroku]);
    assert.equal(init.code, 0, init.stderr);
    assert.match(readFileSync(join(heroku, 'wharf.yaml'), 'utf8'), /release: node migrate\.js/);
    assert.equal((await runWharf(['validate', '-C', heroku])).code, 0);
    const again = await runWharf(['init', '-C', heroku]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /error\[CONFLICT\]: .*wharf\.yaml exists\n  hint: pass --force/);
  });

  it('tells the daemon how long a rollback had run when it asked: its second counts from the command', async () => {
    // A daemon of the test's own on the data dir's socket, which records what it is sent.
    const dir = mkdtempSync(join(root, 'fake-daemon-'));
    const asked: { url: string | undefined; body: { issuedMsAgo?: unknown } }[] = [];
    const daemon = createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', () => {
        asked.push({ url: req.url, body: JSON.parse(raw) as { issuedMsAgo?: unknown } });
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end(`${JSON.stringify({ result: { from: 3, to: 2, warm: true, switchMs: 4, sinceCommandMs: 321 } })}\n`);
      });
    });
    await new Promise<void>((resolve) => daemon.listen(join(dir, 'wharf.sock'), resolve));
    try {
      const r = await runWharf(['rollback', '--data-dir', dir], { cwd: app });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Rolled back shop\/production from v3 to v2 \(warm; traffic switched in 4 ms, 321 ms after the command\)\./);
      assert.equal(asked.length, 1);
      assert.equal(asked[0]!.url, '/v1/apps/shop/envs/production/rollback');
      const ago = asked[0]!.body.issuedMsAgo;
      // The process had started and loaded the CLI before it asked: never 0.
      assert.ok(typeof ago === 'number' && Number.isInteger(ago) && ago > 0, `issuedMsAgo: ${String(ago)}`);
    } finally {
      daemon.close();
    }
  });

  it('prints the JSON Schema', async () => {
    const r = await runWharf(['schema']);
    assert.equal(JSON.parse(r.stdout).title, 'wharf.yaml');
  });
});
