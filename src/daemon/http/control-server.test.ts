import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { stat, writeFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WharfError } from '../../errors.js';
import { reply, type Route } from './context.js';
import { startControlServer } from './control-server.js';
import { rawRequest, startTestServer, type TestServer } from './testing.js';

const LIMIT = 64 * 1024;
const logged: unknown[] = [];

const routes: Route[] = [
  { method: 'GET', path: '/apps/:app/envs/:env', handler: (ctx) => ({ params: ctx.params, q: ctx.query.get('q') }) },
  { method: 'GET', path: '/whoami', handler: (ctx) => ctx.caller },
  { method: 'POST', path: '/echo', handler: (ctx) => reply(201, { got: ctx.body }) },
  { method: 'POST', path: '/nothing', handler: () => undefined },
  {
    method: 'GET',
    path: '/locked',
    handler: () => {
      throw new WharfError('LOCK_HELD', 'production is locked by alice', { hint: 'run `wharf lock release`' });
    },
  },
  {
    method: 'GET',
    path: '/bug',
    handler: async () => {
      throw new Error('secret connection string postgres://u:p@h/db');
    },
  },
];

describe('the control server', () => {
  let t: TestServer;
  let unix: { socketPath: string };
  let tcp: { port: number };
  let auth: Record<string, string>;
  before(async () => {
    // The widest umask: the socket must still come out 0600.
    const umask = process.umask(0);
    try {
      t = await startTestServer(routes, { bodyLimitBytes: LIMIT, log: (_m, e) => logged.push(e) });
    } finally {
      process.umask(umask);
    }
    unix = { socketPath: t.server.socketPath };
    tcp = { port: t.server.tcp?.port ?? 0 };
    auth = { authorization: `Bearer ${t.token}` };
  });
  after(() => t.close());

  it('creates its unix socket with mode 0600 whatever the umask', async () => {
    assert.equal((await stat(t.server.socketPath)).mode & 0o777, 0o600);
  });

  it('reports the TCP port it bound when asked for port 0', () => {
    assert.ok(tcp.port > 0);
    assert.equal(t.server.tcp?.url, `http://127.0.0.1:${tcp.port}`);
  });

  it('routes with path parameters and the query', async () => {
    const res = await rawRequest(unix, 'GET', '/apps/shop/envs/staging?q=1');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(res.json, { params: { app: 'shop', env: 'staging' }, q: '1' });
  });

  it('names the unix-socket caller after the OS user and the client after X-Wharf-Client', async () => {
    const res = await rawRequest(unix, 'GET', '/whoami', { headers: { 'x-wharf-client': 'dashboard' } });
    assert.deepEqual(res.json, { actor: userInfo().username, client: 'dashboard', via: 'unix' });
    const anon = await rawRequest(unix, 'GET', '/whoami', { headers: { 'x-wharf-client': 'curl' } });
    assert.equal((anon.json as { client: string }).client, 'api');
  });

  it('answers 401 without detail to a TCP request with no token or a wrong one, on any path', async () => {
    const missing = await rawRequest(tcp, 'GET', '/whoami');
    const wrong = await rawRequest(tcp, 'GET', '/whoami', { headers: { authorization: `Bearer ${t.token}x` } });
    const unknownPath = await rawRequest(tcp, 'GET', '/no-such-route', { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    for (const res of [missing, wrong, unknownPath]) {
      assert.equal(res.status, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="wharf"');
      assert.deepEqual(res.json, { error: { code: 'UNAUTHORIZED', message: 'unauthorized' } });
    }
  });

  it('serves a TCP request that carries the token, naming the caller as a token holder', async () => {
    const res = await rawRequest(tcp, 'GET', '/whoami', { headers: { ...auth, 'x-wharf-client': 'slack' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { actor: 'token', client: 'slack', via: 'tcp' });
  });

  it('parses a JSON body and answers with the handler’s status, or 204 for nothing', async () => {
    const res = await rawRequest(unix, 'POST', '/echo', { body: JSON.stringify({ a: [1, 2] }) });
    assert.equal(res.status, 201);
    assert.deepEqual(res.json, { got: { a: [1, 2] } });
    assert.equal((await rawRequest(unix, 'POST', '/nothing')).status, 204);
  });

  it('answers 400 to a body that is not JSON or not declared as JSON', async () => {
    const bad = await rawRequest(unix, 'POST', '/echo', { body: '{"a":' });
    assert.equal(bad.status, 400);
    assert.equal((bad.json as { error: { code: string } }).error.code, 'BAD_REQUEST');
    const plain = await rawRequest(unix, 'POST', '/echo', { body: '{}', headers: { 'content-type': 'text/plain' } });
    assert.equal(plain.status, 400);
  });

  for (const chunked of [false, true]) {
    it(`answers 413 to a body over the limit (${chunked ? 'chunked' : 'Content-Length'}) and keeps serving`, async () => {
      const big = JSON.stringify({ pad: 'x'.repeat(LIMIT * 4) });
      for (const target of [unix, tcp]) {
        const res = await rawRequest(target, 'POST', '/echo', { body: big, chunked, headers: auth });
        assert.equal(res.status, 413);
        assert.equal(res.headers.connection, 'close');
        assert.equal((res.json as { error: { code: string } }).error.code, 'PAYLOAD_TOO_LARGE');
      }
      const after413 = await rawRequest(tcp, 'POST', '/echo', { body: '{"small":true}', headers: auth });
      assert.equal(after413.status, 201);
    });
  }

  it('answers a WharfError with its status, code, message and hint', async () => {
    const res = await rawRequest(unix, 'GET', '/locked');
    assert.equal(res.status, 409);
    assert.deepEqual(res.json, {
      error: { code: 'LOCK_HELD', message: 'production is locked by alice', hint: 'run `wharf lock release`' },
    });
  });

  it('answers any other error 500 INTERNAL without its message or stack, and logs it', async () => {
    logged.length = 0;
    const res = await rawRequest(unix, 'GET', '/bug');
    assert.equal(res.status, 500);
    assert.equal((res.json as { error: { code: string } }).error.code, 'INTERNAL');
    assert.doesNotMatch(res.text, /postgres|secret|at |\.js/);
    assert.match(String((logged[0] as Error).message), /secret connection string/);
  });

  it('answers 404 to an unknown path and 405 with Allow to a wrong method', async () => {
    const missing = await rawRequest(unix, 'GET', '/nope');
    assert.equal(missing.status, 404);
    assert.equal((missing.json as { error: { code: string } }).error.code, 'NOT_FOUND');
    const wrong = await rawRequest(unix, 'DELETE', '/echo');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.allow, 'POST');
    assert.equal((wrong.json as { error: { code: string } }).error.code, 'METHOD_NOT_ALLOWED');
  });
});

describe('the control server’s socket file', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'wharf-sock-'))));
  after(() => rm(dir, { recursive: true, force: true }));
  const start = (socketPath: string) => startControlServer({ socketPath, token: 't', routes: [] });

  it('refuses to start while another daemon answers on the socket', async () => {
    const first = await start(join(dir, 'live.sock'));
    try {
      await assert.rejects(start(join(dir, 'live.sock')), (e: unknown) => e instanceof WharfError && e.code === 'CONFLICT');
    } finally {
      await first.stop();
    }
  });

  it('replaces a stale socket left by a killed daemon and removes its own on stop', async () => {
    const path = join(dir, 'stale.sock');
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)})`]);
    try {
      for (let i = 0; i < 200 && !(await stat(path).catch(() => undefined)); i++) await sleep(25);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    assert.ok((await stat(path)).isSocket(), 'the killed process left its socket file behind');
    const server = await start(path);
    assert.equal((await rawRequest({ socketPath: path }, 'GET', '/x')).status, 404);
    await server.stop();
    await assert.rejects(stat(path), { code: 'ENOENT' });
  });

  it('fails with CONFLICT when its TCP port is taken, leaving no socket file behind', async () => {
    const first = await startControlServer({ socketPath: join(dir, 'a.sock'), tcp: { host: '127.0.0.1', port: 0 }, token: 't', routes: [] });
    try {
      const port = first.tcp?.port ?? 0;
      const second = startControlServer({ socketPath: join(dir, 'b.sock'), tcp: { host: '127.0.0.1', port }, token: 't', routes: [] });
      await assert.rejects(second, (e: unknown) => e instanceof WharfError && e.code === 'CONFLICT');
      await assert.rejects(stat(join(dir, 'b.sock')), { code: 'ENOENT' });
    } finally {
      await first.stop();
    }
  });

  it('refuses to remove a file that is not a socket', async () => {
    const path = join(dir, 'plain-file');
    await writeFile(path, 'keep me');
    await assert.rejects(start(path), (e: unknown) => e instanceof WharfError && e.code === 'CONFLICT');
    assert.ok((await stat(path)).isFile());
  });
});
