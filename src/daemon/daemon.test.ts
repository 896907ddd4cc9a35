import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Target } from '../apply/target.js';
import { ApiTransport } from '../client/transport.js';
import { WharfClient } from '../client/wharf-client.js';
import { WharfError } from '../errors.js';
import type { EventRecord } from '../state/types.js';
import { startDaemon, type Daemon } from './daemon.js';

const SPEC = 'app: shop\nservices:\n  web: { run: node server.js, routes: [{ path: / }] }\n  worker: { run: node worker.js }\n';

/** A target whose applies wait until the test lets them go, to hold the lock open. */
class GatedTarget implements Target {
  readonly name = 'gated';
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;
  close(): void {
    this.gate = new Promise((r) => (this.open = r));
  }
  release(): void {
    this.open();
  }
  apply(): Promise<void> {
    return this.gate;
  }
}

function rawTcp(url: string, opts: { method?: string; token?: string; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${opts.method === 'POST' ? '/v1/plan' : '/v1/status'}`, {
      method: opts.method ?? 'GET',
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body ? { 'content-type': 'application/json' } : {}) },
    }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('the control daemon', () => {
  let root: string;
  let appDir: string;
  let daemon: Daemon;
  let client: WharfClient;
  const target = new GatedTarget();

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'wharf-daemon-'));
    chmodSync(root, 0o711); // under root, the app user must pass through to builds
    appDir = join(root, 'app');
    mkdirSync(appDir);
    writeFileSync(join(appDir, 'wharf.yaml'), SPEC);
    daemon = await startDaemon({ dataDir: join(root, 'data'), listen: { host: '127.0.0.1', port: 0 }, target });
    client = new WharfClient(new ApiTransport({ socketPath: daemon.socketPath }));
  });
  after(async () => {
    await daemon.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves local clients on a unix socket only its user can open, and keeps its token private', () => {
    assert.equal(statSync(daemon.socketPath).mode & 0o777, 0o600);
    assert.equal(statSync(join(root, 'data', 'api-token')).mode & 0o777, 0o600);
  });

  it('answers 401 without detail on TCP for a missing or wrong token, and serves the right one', async () => {
    const missing = await rawTcp(daemon.url!, {});
    const wrong = await rawTcp(daemon.url!, { token: 'x'.repeat(43) });
    assert.equal(missing.status, 401);
    assert.equal(wrong.status, 401);
    assert.equal(missing.body, wrong.body, 'a wrong token and a missing one look the same');
    assert.doesNotMatch(wrong.body, /token.*(expected|length)|shop/i);
    const ok = await rawTcp(daemon.url!, { token: daemon.token });
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body).ok, true);
  });

  it('refuses a request body over the limit with 413 and keeps serving', async () => {
    const big = JSON.stringify({ dir: appDir, pad: 'x'.repeat(2 * 1024 * 1024) });
    const res = await rawTcp(daemon.url!, { method: 'POST', token: daemon.token, body: big });
    assert.equal(res.status, 413);
    assert.equal((await client.status()).ok, true);
  });

  it('plans, applies and then plans nothing, recording events and an audit entry', async () => {
    const { plan: first } = await client.plan({ dir: appDir });
    assert.deepEqual(first.summary, { create: 3, update: 0, replace: 0, delete: 0 });
    const streamed: EventRecord[] = [];
    const stop = new AbortController();
    const following = client.followEvents({ app: 'shop', env: 'production' }, (e) => streamed.push(e), stop.signal);
    await new Promise((r) => setTimeout(r, 100));
    const result = await client.apply({ dir: appDir, expectHash: first.hash });
    assert.equal(result.applied, 3);
    assert.deepEqual((await client.plan({ dir: appDir })).plan.summary, { create: 0, update: 0, replace: 0, delete: 0 });
    const deadline = Date.now() + 5_000;
    while (!streamed.some((e) => e.kind === 'apply.finished') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    await following;
    assert.ok(streamed.some((e) => e.kind === 'apply.finished'), `streamed: ${streamed.map((e) => e.kind).join(', ')}`);
    const { audit } = await client.audit({ app: 'shop', env: 'production' });
    assert.equal(audit.at(-1)?.operation, 'apply');
    assert.equal(audit.at(-1)?.client, 'cli');
  });

  it('fails a second concurrent apply at once over the API, naming the holder', async () => {
    writeFileSync(join(appDir, 'wharf.yaml'), SPEC.replace('node worker.js', 'node worker2.js'));
    target.close();
    const first = client.apply({ dir: appDir });
    const deadline = Date.now() + 5_000;
    while (!(await client.lock('shop', 'production')).lock && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const { lock } = await client.lock('shop', 'production');
    assert.ok(lock, 'the first apply holds the lock');
    assert.equal('token' in lock, false, 'the lock token is never sent to clients');
    await assert.rejects(client.apply({ dir: appDir }), (e: WharfError) => e.code === 'LOCK_HELD' && /locked by \S+ \(apply since/.test(e.message));
    target.release();
    assert.equal((await first).applied, 1);
  });

  it('answers an invalid spec with every problem, located', async () => {
    writeFileSync(join(appDir, 'wharf.yaml'), 'app: shop\nservices:\n  web: { run: x, instances: lots, helth: {} }\n');
    await assert.rejects(client.plan({ dir: appDir }), (e: WharfError) => {
      assert.equal(e.code, 'SPEC_INVALID');
      const issues = (e.details as { issues: { line: number; message: string }[] }).issues;
      assert.equal(issues.length, 2);
      return true;
    });
    writeFileSync(join(appDir, 'wharf.yaml'), SPEC);
  });

  it('answers a relative app folder and an unknown environment with clear errors', async () => {
    await assert.rejects(client.plan({ dir: 'relative/path' }), (e: WharfError) => e.code === 'BAD_REQUEST' && /absolute/.test(e.message));
    await assert.rejects(client.plan({ dir: appDir, env: 'qa' }), (e: WharfError) => e.code === 'ENV_NOT_FOUND' && /declared: production/.test(e.hint!));
  });

  it('tells the client how to start it when it is not running', async () => {
    const nowhere = new WharfClient(new ApiTransport({ socketPath: join(root, 'nope.sock') }));
    await assert.rejects(nowhere.status(), (e: WharfError) => e.code === 'DAEMON_NOT_RUNNING' && /wharf up/.test(e.hint!));
  });
});
