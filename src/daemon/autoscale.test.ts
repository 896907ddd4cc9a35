import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runWharf } from '../cli/testing.js';
import { ApiTransport } from '../client/transport.js';
import { WharfClient } from '../client/wharf-client.js';
import { freePort, killAll, load } from './testing/load.js';
import { NICENESS_JS } from '../runtime/testing/fixtures.js';

/** Every request takes 200 ms: in flight per instance is then a direct reading of the load. */
const SERVER = `
const http = require('node:http');
${NICENESS_JS}
let warmups = 0;
let niced = false;
const server = http.createServer((req, res) => {
  niced ||= niceness() > 0;
  if (req.headers['user-agent'] === 'wharf-warmup') warmups++;
  if (req.url === '/healthz') return res.end('ok');
  if (req.url === '/boot') return res.end('warmups=' + warmups + ' niced=' + niced);
  setTimeout(() => res.end(process.env.NAME), 200);
});
server.keepAliveTimeout = 30000;
server.listen(Number(process.env.PORT));
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeIdleConnections(); });
`;

/** `name` is what the app answers (a new one makes a new release); `deploy` adds to the deploy block. */
function spec(app: string, autoscale: string, { name = app, deploy = '' } = {}): string {
  return `app: ${app}\nenv: { NAME: ${name} }\nservices:\n  web: { run: node server.cjs, routes: [{ path: / }], instances: 1, deploy: { ${deploy}timeout: 30s, drain_timeout: 5s }, autoscale: ${autoscale} }\n`;
}

function fetchOnce(port: number, host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    get({ host: '127.0.0.1', port, path, agent: false, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', (e) => resolve({ status: 0, body: e.message }));
  });
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the autoscaler, run by the daemon with the router, under real load', () => {
  let root: string;
  let data: string;
  let port: number;
  let client: WharfClient;
  const dirs: Record<string, string> = {};
  const wharf = (app: string, ...args: string[]) => runWharf([...args, '--data-dir', data], { cwd: dirs[app]!, timeoutMs: 90_000 });
  const healthy = async (app: string) => (await client.instances(app, 'production')).instances.filter((i) => i.service === 'web' && i.state === 'healthy').length;
  const started = async (app: string) => (await client.instances(app, 'production')).instances.filter((i) => i.service === 'web').length;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'wharf-autoscale-'));
    chmodSync(root, 0o711);
    data = join(root, 'data');
    // busy scales 1 → 3 on in-flight; sleepy scales to zero after a short idle window.
    const specs = {
      busy: '{ min: 1, max: 3, targets: { inflight_per_instance: 2 }, scale_down_window: 10s }',
      sleepy: '{ min: 0, max: 2, targets: { inflight_per_instance: 2 }, idle_window: 2s, scale_down_window: 5s }',
    };
    for (const [app, autoscale] of Object.entries(specs)) {
      dirs[app] = join(root, app);
      mkdirSync(dirs[app]!);
      writeFileSync(join(dirs[app]!, 'server.cjs'), SERVER);
      writeFileSync(join(dirs[app]!, 'wharf.yaml'), spec(app, autoscale));
    }
    port = await freePort();
    client = new WharfClient(new ApiTransport({ socketPath: join(data, 'wharf.sock') }));
    const busy = await wharf('busy', 'up', '--http', `127.0.0.1:${port}`);
    assert.equal(busy.code, 0, busy.stderr);
    const sleepy = await wharf('sleepy', 'up');
    assert.equal(sleepy.code, 0, sleepy.stderr);
  });

  after(async () => {
    const pids: number[] = [];
    for (const app of ['busy', 'sleepy', 'paused']) pids.push(...(await client.instances(app, 'production').catch(() => ({ instances: [] }))).instances.map((i) => i.pid ?? 0));
    await runWharf(['daemon', 'stop', '--data-dir', data]);
    try {
      pids.push((JSON.parse(readFileSync(join(data, 'router.json'), 'utf8')) as { pid: number }).pid);
    } catch {
      // never started
    }
    killAll(pids);
    rmSync(root, { recursive: true, force: true });
  });

  it('scales up under a load step, through the audited scale path, with an event that says why, failing no request', async () => {
    const l = load(port, 'web.production.busy.localhost', 12);
    await until('3 healthy instances of busy', async () => ((await healthy('busy')) === 3 ? true : undefined), 60_000);
    const tally = await l.stop();
    assert.deepEqual(tally.errors, [], `${tally.failed} of ${tally.ok + tally.failed} requests failed`);
    const { events } = await client.events({ app: 'busy', env: 'production' });
    const scaled = events.filter((e) => e.kind === 'autoscale.scaled');
    assert.ok(scaled.length >= 1);
    assert.match(scaled[0]!.message, /^web 1 → [23]: [\d.,]+ in flight per instance > target 2/);
    const d = scaled[0]!.data as { from: number; to: number; figures: { targets: { target: string; value: number }[] } };
    assert.equal(d.from, 1);
    assert.equal(d.figures.targets[0]!.target, 'inflight_per_instance');
    const { audit } = await client.audit({ app: 'busy', env: 'production' });
    const entry = audit.find((a) => a.operation === 'autoscale');
    assert.ok(entry, 'the scale is audited');
    assert.deepEqual([entry.actor, entry.client, entry.outcome], ['wharf', 'autoscaler', 'ok']);
  });

  it('shows the service, its figures against the target and the decisions in `wharf autoscale status`', async () => {
    const text = await wharf('busy', 'autoscale', 'status');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /web \(v1\): \d instances?, min 1, max 3/);
    assert.match(text.stdout, /inflight_per_instance\s+[\d.]+ \(6 s: [\d.]+\) \/ target 2/);
    assert.match(text.stdout, /scaled\s+web 1 → /);
    const json = await wharf('busy', 'autoscale', 'status', '--json');
    const parsed = JSON.parse(json.stdout) as { running: boolean; services: { service: string; max: number; decisions: { outcome: string }[] }[] };
    assert.equal(parsed.running, true);
    assert.deepEqual(parsed.services.map((s) => [s.service, s.max]), [['web', 3]]);
  });

  it('refuses `wharf scale` on an autoscaled service, saying how to move its count', async () => {
    const r = await wharf('busy', 'scale', 'web=5');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /CONFLICT.*web is autoscaled \(min 1, max 3\)/);
    assert.match(r.stderr, /autoscale\.min \/ max in wharf\.yaml/);
  });

  it('leaves the spec\'s recorded count alone, so `wharf plan` shows no drift for the autoscaler\'s count', async () => {
    assert.ok((await started('busy')) > 1, 'the autoscaler runs more instances than the spec\'s 1');
    const plan = await wharf('busy', 'plan');
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  });

  it('scales an idle service to zero, then serves every one of a burst of requests held by the router while it starts', async () => {
    await until('sleepy at zero', async () => ((await started('sleepy')) === 0 ? true : undefined), 150_000);
    const { events } = await client.events({ app: 'sleepy', env: 'production' });
    assert.ok(events.some((e) => e.kind === 'autoscale.scaled' && /^web 1 → 0: no load for/.test(e.message)), events.map((e) => e.message).join('\n'));
    const n = 30;
    const replies = await Promise.all(Array.from({ length: n }, () => fetchOnce(port, 'web.production.sleepy.localhost')));
    assert.deepEqual(replies.map((r) => `${r.status} ${r.body}`), Array(n).fill('200 sleepy'));
    assert.equal(await healthy('sleepy'), 1);
    // Nor for a boot at low priority: no request it answered, health checks included, met it niced.
    assert.deepEqual(await fetchOnce(port, 'web.production.sleepy.localhost', '/boot'), { status: 200, body: 'warmups=0 niced=false' }, 'held requests do not wait for a warm-up');
    const after = (await client.events({ app: 'sleepy', env: 'production' })).events;
    assert.ok(after.some((e) => e.kind === 'autoscale.scaled' && e.message === 'web 0 → 1: requests are waiting (scale from zero)'));
  });

  it('decides but does not act while a rollout runs (the deployer\'s freeze), and acts once it ends', async () => {
    // A canary that holds its first step for minutes, so the rollout is under way throughout.
    dirs.paused = join(root, 'paused');
    mkdirSync(dirs.paused);
    writeFileSync(join(dirs.paused, 'server.cjs'), SERVER);
    const autoscale = '{ min: 1, max: 2, targets: { inflight_per_instance: 2 }, scale_down_window: 10s }';
    const write = (name: string) => writeFileSync(join(dirs.paused!, 'wharf.yaml'), spec('paused', autoscale, { name, deploy: 'strategy: canary, canary: { steps: [50, 100], hold: 5m }, ' }));
    write('paused');
    const up = await wharf('paused', 'up');
    assert.equal(up.code, 0, up.stderr);
    write('paused-v2');
    const deploying = wharf('paused', 'deploy');
    const host = 'web.production.paused.localhost';
    await until('the canary at its first step', async () => ((await client.events({ app: 'paused', limit: 10 })).events.some((e) => /v2 takes 50 %/.test(e.message)) ? true : undefined), 60_000);
    const l = load(port, host, 12);
    let tally;
    try {
      const decisions = async () => (await client.autoscaleStatus('paused', 'production')).services[0]?.decisions ?? [];
      const frozen = await until('a decision to scale up, held by the freeze', async () => (await decisions()).find((d) => d.outcome === 'frozen' && d.to > d.from), 30_000);
      assert.equal(frozen.from, 1);
      assert.equal((await client.events({ app: 'paused' })).events.filter((e) => e.kind === 'autoscale.scaled').length, 0, 'nothing scaled during the rollout');
      const abort = await wharf('paused', 'abort');
      assert.equal(abort.code, 0, abort.stderr);
      assert.equal((await deploying).code, 1);
      const scaled = await until('the scale-up once the rollout ended', async () => (await client.events({ app: 'paused' })).events.find((e) => e.kind === 'autoscale.scaled'), 30_000);
      assert.match(scaled.message, /^web 1 → 2: /);
    } finally {
      tally = await l.stop();
    }
    assert.deepEqual(tally.errors, [], `${tally.failed} of ${tally.ok + tally.failed} requests failed`);
  });
});
