import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runWharf } from '../cli/testing.js';
import { ApiTransport } from '../client/transport.js';
import { WharfClient } from '../client/wharf-client.js';
import { configVarsFrom } from '../config/config-vars.js';
import { Keyring } from '../config/keyring.js';
import { newMasterKey } from '../config/master-key.js';
import { SqliteStore } from '../state/sqlite/sqlite-store.js';
import { appFixture, httpGet, tearDown, until, wharfAt } from './e2e-testing.js';

/** Answers GET / with its greeting and GET /token with TOKEN; prints neither. */
const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => res.end(req.url === '/token' ? String(process.env.TOKEN) : process.env.GREETING + ' ' + process.pid));
server.listen(Number(process.env.PORT), () => console.log('listening on ' + process.env.PORT));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const spec = (greeting: string) =>
  ['app: demo', `env: { GREETING: ${greeting}, TOKEN: from-the-spec }`, 'services:', '  web: { run: node server.cjs, routes: [{ path: / }], instances: 2 }', 'environments:', '  production: {}', '  staging: {}', ''].join('\n');

/** Every regular file under `dir`, recursively, with its bytes. */
function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (statSync(path).isFile()) out.set(name, readFileSync(path));
  }
  return out;
}

describe('config vars and secrets, through the daemon', () => {
  let root: string;
  let app: string;
  let data: string;
  let client: WharfClient;
  const SECRET = `planted-${randomBytes(12).toString('hex')}`;
  const pids = new Set<number>();
  const { wharf, ok } = wharfAt(() => ({ app, data }), 90_000);
  const web = async (env = 'production') => {
    const list = (await client.instances('demo', env)).instances.filter((i) => i.service === 'web');
    list.forEach((i) => i.pid && pids.add(i.pid));
    return list;
  };
  const answers = async (path = '/') => Promise.all((await web()).map((i) => httpGet(i.port!, path)));

  before(async () => {
    ({ root, app, data } = appFixture('wharf-config-', { 'server.cjs': SERVER, 'wharf.yaml': spec('hello') }));
    client = new WharfClient(new ApiTransport({ socketPath: join(data, 'wharf.sock') }));
  });

  after(async () => {
    for (const env of ['production', 'staging']) for (const i of (await client.instances('demo', env).catch(() => ({ instances: [] }))).instances) if (i.pid) pids.add(i.pid);
    await tearDown(root, data, pids);
  });

  it('gives instances the set values over the spec\'s, each change a new release, and keeps config through a code deploy', async () => {
    await ok('up', '--http', 'off');
    assert.deepEqual((await answers('/token')).map(String), ['from-the-spec', 'from-the-spec']);

    const secret = await ok('config', 'set', '--secret', `TOKEN=${SECRET}`);
    assert.match(secret.stdout, /Set TOKEN on demo\/production: config v1, released and rolled out as v2\./);
    assert.deepEqual(await answers('/token'), [SECRET, SECRET], 'the new instances see the secret');

    await ok('config', 'set', 'GREETING=hi');
    for (const body of await answers()) assert.match(body, /^hi \d+$/);
    const { releases } = await client.releases('demo', 'production');
    assert.deepEqual(releases.map((r) => [r.version, r.status, r.configVersion]), [[3, 'live', 2], [2, 'superseded', 1], [1, 'superseded', 0]]);
    assert.equal(new Set(releases.map((r) => r.buildId)).size, 1, 'a config release reuses the build');

    const plan = await wharf('plan');
    assert.equal(plan.code, 0, `the config change is recorded as applied, so the plan is empty:\n${plan.stdout}`);

    const listing = await ok('config');
    assert.match(listing.stdout, /GREETING\s+hi\s+set \(overrides spec\)/);
    assert.match(listing.stdout, /TOKEN\s+\[REDACTED\]\s+set \(overrides spec\), secret/);

    await ok('config', 'unset', 'GREETING');
    for (const body of await answers()) assert.match(body, /^hello \d+$/, 'the spec\'s value applies again');

    writeFileSync(join(app, 'wharf.yaml'), spec('bonjour'));
    await ok('apply', '--yes');
    for (const body of await answers()) assert.match(body, /^bonjour \d+$/);
    assert.deepEqual(await answers('/token'), [SECRET, SECRET], 'a code deploy keeps the config');
    const [latest] = (await client.releases('demo', 'production', 1)).releases;
    assert.equal(latest?.configVersion, 3);
  });

  it('keeps each release\'s config version, so going back to a release restores its exact config', async () => {
    const store = SqliteStore.open(join(data, 'state.db'));
    try {
      const vars = configVarsFrom(store, await Keyring.open(store, data, {}));
      const configOf = async (version: number) => vars('demo', 'production', (await store.getRelease('demo', 'production', version))!.configVersion);
      assert.deepEqual(await configOf(1), {});
      assert.deepEqual(await configOf(2), { TOKEN: SECRET });
      assert.deepEqual(await configOf(3), { GREETING: 'hi', TOKEN: SECRET });
      assert.deepEqual(await configOf(4), { TOKEN: SECRET });
    } finally {
      await store.close();
    }
  });

  it('shows in the plan that set values override the spec, secrets masked, before an environment is deployed', async () => {
    await ok('config', 'set', '-e', 'staging', '--secret', `TOKEN=${SECRET}`);
    await ok('config', 'set', '-e', 'staging', 'GREETING=salut');
    const plan = await wharf('plan', '-e', 'staging');
    assert.equal(plan.code, 2);
    assert.match(plan.stdout, /\+ env\.GREETING\s+= "salut"/);
    assert.match(plan.stdout, /\+ env\.TOKEN\s+= \(sensitive value\)/);
    await ok('apply', '-e', 'staging', '--yes');
    assert.equal((await wharf('plan', '-e', 'staging')).code, 0, 'apply then plan is empty');
    const [first] = await web('staging');
    assert.equal(await httpGet(first!.port!, '/token'), SECRET);
  });

  it('refuses bad keys and values with a clear error, and records nothing', async () => {
    const before = (await client.config('demo', 'production')).configVersion;
    const name = await wharf('config', 'set', '1BAD=x', 'ALSO-BAD=y');
    assert.equal(name.code, 1);
    assert.match(name.stderr, /"1BAD" is not a valid variable name[\s\S]*"ALSO-BAD" is not a valid variable name/);
    const newline = await wharf('config', 'set', '--secret', `TOKEN=${SECRET}\nmore`);
    assert.equal(newline.code, 1);
    assert.match(newline.stderr, /TOKEN: the value contains a line break/);
    assert.ok(!newline.stderr.includes(SECRET), 'the refused value is not echoed');
    // A NUL cannot pass through argv, so it comes through the API, as another client's would.
    await assert.rejects(client.configSet('demo', 'production', [{ name: 'A', value: 'x\0y', secret: false }]), /A: the value contains a NUL byte/);
    const unset = await wharf('config', 'unset', 'NOPE');
    assert.equal(unset.code, 1);
    assert.match(unset.stderr, /NOPE is not set in demo\/production/);
    assert.equal((await client.config('demo', 'production')).configVersion, before);
  });

  it('never lets a secret out: CLI output, API answers, events, audit, releases, the state file and the data dir', async () => {
    const outputs: string[] = [];
    for (const env of ['production', 'staging']) {
      for (const cmd of [['config'], ['config', 'get', 'TOKEN'], ['ps'], ['releases'], ['events'], ['audit'], ['plan'], ['env', 'list'], ['env', 'diff', 'production', 'staging'], ['logs']]) {
        for (const json of [[], ['--json']]) {
          const r = await wharf(...cmd, ...(cmd[0] === 'env' ? [] : ['-e', env]), ...json);
          outputs.push(`wharf ${cmd.join(' ')} ${json.join(' ')}: ${r.stdout}\n${r.stderr}`);
        }
      }
      outputs.push(JSON.stringify(await client.config('demo', env)));
      outputs.push(JSON.stringify(await client.configGet('demo', env, 'TOKEN')));
      outputs.push(JSON.stringify(await client.resources('demo', env)));
      outputs.push(JSON.stringify(await client.releases('demo', env)));
      outputs.push(JSON.stringify(await client.instances('demo', env)));
      outputs.push(JSON.stringify(await client.plan({ dir: app, env })));
    }
    outputs.push(JSON.stringify(await client.events({ limit: 10_000 })));
    outputs.push(JSON.stringify(await client.audit({ limit: 10_000 })));
    for (const text of outputs) assert.ok(!text.includes(SECRET), `the secret leaked here:\n${text.slice(0, 2_000)}`);
    for (const [file, bytes] of filesUnder(data)) assert.equal(bytes.indexOf(SECRET), -1, `the secret is in ${file}`);

    // The scan can see the secret where it is meant to be: an admin's explicit, audited reveal.
    const revealed = await ok('config', 'get', 'TOKEN', '--reveal');
    assert.equal(revealed.stdout, `${SECRET}\n`);
    const { audit } = await client.audit({ limit: 5 });
    const entry = audit.reverse().find((a) => a.operation === 'config.reveal');
    assert.deepEqual(entry?.details, { names: ['TOKEN'] });
    const set = (await client.audit({ limit: 10_000 })).audit.find((a) => a.operation === 'config.set');
    assert.match(JSON.stringify(set?.details), /"name":"TOKEN","secret":true,"digest":"hmac-sha256:[0-9a-f]{32}"/);
  });

  it('refuses to start with a wrong or missing master key, says why, and rewrites nothing', async () => {
    await ok('daemon', 'stop');
    const key = join(data, 'master.key');
    const watched = () => new Map([...filesUnder(data)].filter(([f]) => f === 'state.db' || f === 'master.key' || f === 'api-token'));
    const before = watched();
    const wrong = await runWharf(['daemon', '--http', 'off', '--data-dir', data], { env: { WHARF_MASTER_KEY: newMasterKey().bytes.reveal().toString('base64') }, timeoutMs: 30_000 });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /MASTER_KEY_MISMATCH[\s\S]*sealed with master key [0-9a-f]{16}, but the master key from \$WHARF_MASTER_KEY is [0-9a-f]{16}/);
    renameSync(key, `${key}.aside`);
    const missing = await runWharf(['daemon', '--http', 'off', '--data-dir', data], { timeoutMs: 30_000 });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /MASTER_KEY_MISSING[\s\S]*and there is no master key/);
    renameSync(`${key}.aside`, key);
    assert.deepEqual(watched(), before, 'no byte of the state, key or token changed');
  });

  it('rotates the master key in one go, and reads everything with the new key after a restart', async () => {
    await ok('up', '--http', 'off');
    const oldKey = readFileSync(join(data, 'master.key'), 'utf8');
    // production's config v1-v3 hold TOKEN sealed, staging's v1-v2: five values.
    const rotated = await ok('secrets', 'rotate-key');
    assert.match(rotated.stdout, /Rotated the master key [0-9a-f]{16} → [0-9a-f]{16}: 5 secret values re-encrypted\./);
    assert.notEqual(readFileSync(join(data, 'master.key'), 'utf8'), oldKey);
    await ok('daemon', 'stop');
    await ok('up', '--http', 'off');
    assert.equal((await ok('config', 'get', 'TOKEN', '--reveal', '-e', 'staging')).stdout, `${SECRET}\n`);
    await ok('restart', 'web');
    await until('restarted instances to answer', async () => ((await answers('/token')).every((t) => t === SECRET) ? true : undefined));
  });

  it('reverts the config with a rollback, so `wharf config` and the next deploy take the release\'s config again', async () => {
    const rollback = await ok('rollback', 'v3');
    assert.match(rollback.stdout, /Rolled back demo\/production from v\d+ to v3/);
    for (const body of await answers()) assert.match(body, /^hi \d+$/, 'v3 ran with GREETING=hi set');
    const listing = await ok('config');
    assert.match(listing.stdout, /GREETING\s+hi\s+set \(overrides spec\)/, 'the config is v3\'s again');
    const events = await ok('events', '-n', '20');
    assert.match(events.stdout, /rollback from v\d+ to v3: its config/);
  });
});
