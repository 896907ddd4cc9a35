import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WharfError } from '../errors.js';
import { request } from './testing/client.js';
import { startRouter, waitFor, type RunningRouter } from './testing/router-process.js';
import { route, table } from './testing/tables.js';
import { startEcho, type Upstream } from './testing/upstreams.js';

const HOST = 'web.production.shop.localhost';

describe('router: table, routing and forwarding', () => {
  let r: RunningRouter;
  let a: Upstream & { health: { status: number } };
  let b: Upstream & { health: { status: number } };
  let logDir: string;

  before(async () => {
    a = await startEcho({ name: 'a' });
    b = await startEcho({ name: 'b' });
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wharf-access-'));
    r = await startRouter({ metrics: true, extraArgs: ['--access-log', path.join(logDir, 'access.log')] });
  });
  after(async () => {
    await r?.stop();
    await a?.close();
    await b?.close();
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  it('applies a pushed table and routes by host and path prefix', async () => {
    await r.admin.pushTable(table(1, route('web', HOST, [{ release: 'v1', weight: 1, ports: [a.port] }]), route('api', HOST, [{ release: 'v1', weight: 1, ports: [b.port] }], { pathPrefix: '/api' })));
    assert.equal(JSON.parse((await request(r.http, { host: HOST, path: '/x' })).body).upstream, 'a');
    assert.equal(JSON.parse((await request(r.http, { host: HOST, path: '/api/x' })).body).upstream, 'b');
    const miss = await request(r.http, { host: 'other.localhost', path: '/' });
    assert.equal(miss.status, 404);
    assert.match(miss.body, new RegExp(`request id: ${miss.headers['x-request-id']}`));
  });

  it('refuses an invalid table, says why, and keeps serving the last good one', async () => {
    await assert.rejects(r.admin.pushTable({ generation: 2, routes: [{ id: 'x' }] } as never), (e: unknown) => e instanceof WharfError && e.code === 'SPEC_INVALID' && /routes\.0\.hosts/.test(e.message));
    await assert.rejects(r.admin.pushTable(table(0)), (e: unknown) => e instanceof WharfError && e.code === 'CONFLICT');
    assert.equal((await r.admin.getTable()).generation, 1);
    assert.equal((await request(r.http, { host: HOST, path: '/x' })).status, 200);
  });

  it('sets forwarding headers, keeps a client request id and drops hop-by-hop fields', async () => {
    const res = await request(r.http, {
      host: HOST,
      path: '/h',
      headers: { 'x-request-id': 'abc-123', 'x-forwarded-for': '10.0.0.1', 'x-forwarded-proto': 'https', connection: 'keep-alive, x-private', 'x-private': '1', te: 'trailers', 'keep-alive': 'timeout=5' },
    });
    const seen = JSON.parse(res.body).headers as Record<string, string>;
    assert.equal(seen['x-request-id'], 'abc-123');
    assert.equal(seen['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(seen['x-forwarded-proto'], 'http', 'the router, not the client, says which protocol it served');
    assert.equal(seen['x-forwarded-host'], HOST);
    assert.equal(seen['x-private'], undefined);
    assert.equal(seen['te'], undefined);
    assert.equal(res.headers['keep-alive'], undefined, "the instance's Keep-Alive field (timeout=5) is not passed on");
  });

  it('generates a request id when the client sends none or a malformed one', async () => {
    const res = await request(r.http, { host: HOST, path: '/h', headers: { 'x-request-id': 'bad id\twith tab' } });
    assert.match(JSON.parse(res.body).headers['x-request-id'], /^[0-9a-f-]{36}$/);
  });

  it('streams request and response bodies, chunked or sized', async () => {
    const big = 'y'.repeat(300_000);
    const res = await request(r.http, { host: HOST, method: 'POST', path: '/p', body: big });
    assert.equal(JSON.parse(res.body).body.length, 300_000);
    const chunked = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: Number(r.http.split(':')[1]), method: 'PUT', path: '/c', headers: { host: HOST } }, (res2) => {
        let s = '';
        res2.on('data', (d: Buffer) => (s += d.toString()));
        res2.on('end', () => resolve(s));
      });
      req.on('error', reject);
      req.write('part1-');
      setTimeout(() => req.end('part2'), 20);
    });
    assert.equal(JSON.parse(chunked).body, 'part1-part2');
    assert.equal((await request(r.http, { host: HOST, path: '/?bytes=1000000' })).body.length, 1_000_000);
  });

  it('passes a chunked response on as it arrives, without waiting for its end', async () => {
    let finish: () => void = () => {};
    const sse = http.createServer((req, res) => {
      if (req.url === '/healthz') return void res.end('ok');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      finish = () => res.end('data: last\n\n');
    });
    await new Promise<void>((done) => sse.listen(0, '127.0.0.1', done));
    const port = (sse.address() as net.AddressInfo).port;
    await r.admin.pushTable(table(2, ...(await r.admin.getTable()).routes, route('sse', 'sse.localhost', [{ release: 'v1', weight: 1, ports: [port] }])));
    try {
      const [host, p] = r.http.split(':');
      const body = await new Promise<string>((resolve, reject) => {
        const req = http.get({ host, port: Number(p), path: '/events', headers: { host: 'sse.localhost' } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => {
            text += d.toString();
            if (text === 'data: first\n\n') finish(); // the end is only sent once the first part arrived
          });
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
      });
      assert.equal(body, 'data: first\n\ndata: last\n\n');
    } finally {
      sse.closeAllConnections();
      sse.close();
    }
  });

  it('keeps client connections alive and reuses pooled upstream connections', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 20; i++) {
      await request(r.http, { host: HOST, path: '/k', agent });
    }
    const clientSockets = Object.values(agent.sockets).flat().length + Object.values(agent.freeSockets).flat().length;
    agent.destroy();
    assert.equal(clientSockets, 1, 'one client connection served all 20 requests');
    // The instance sees which connection each request came on: far fewer than requests when the pool works.
    for (let i = 0; i < 30; i++) await request(r.http, { host: HOST, path: '/pool' });
    const ports = new Set(a.hits.filter((h) => h.url === '/pool').map((h) => h.remotePort));
    assert.equal(a.hits.filter((h) => h.url === '/pool').length, 30);
    assert.equal(ports.size, 1, `30 sequential requests used ${ports.size} upstream connections`);
  });

  it('persists the table and restores it when the router restarts', async () => {
    const saved = JSON.parse(fs.readFileSync(`${r.dir}/route-table.json`, 'utf8'));
    assert.equal(saved.generation, (await r.admin.getTable()).generation);
    const r2 = await startRouter({ dir: r.dir + '-copy' });
    try {
      await r2.admin.pushTable(table(5, route('web', HOST, [{ release: 'v1', weight: 1, ports: [a.port] }])));
      await r2.stop({ keepDir: true });
      const r3 = await startRouter({ dir: r2.dir });
      try {
        assert.equal((await r3.admin.getTable()).generation, 5);
        assert.equal((await request(r3.http, { host: HOST, path: '/' })).status, 200, 'serves before any push');
      } finally {
        await r3.stop();
      }
    } finally {
      fs.rmSync(r2.dir, { recursive: true, force: true });
    }
  });

  it('creates the admin socket readable and writable by its owner only', () => {
    assert.equal(fs.statSync(r.adminSocket).mode & 0o777, 0o600);
  });

  it('reports per route, release and instance figures over the admin socket and as Prometheus text', async () => {
    // Traffic of its own: the latency windows are sliding (10 s), and earlier tests may have
    // finished longer ago than that on a loaded machine.
    for (let i = 0; i < 3; i++) assert.equal((await request(r.http, { host: HOST, path: '/measured' })).status, 200);
    const m = await r.admin.metrics();
    const web = m.routes.find((x) => x.id === 'web')!;
    assert.ok(web.requests['2xx'] > 0);
    assert.equal(web.groups[0]!.instances[0]!.health, 'healthy');
    assert.ok(web.latencyMs['10s'].count > 0 && web.latencyMs['10s'].p99 > 0);
    assert.equal(m.unrouted, 1);
    const text = await new Promise<string>((resolve) => http.get(`http://${r.metrics}/metrics`, (res) => { let s = ''; res.on('data', (d) => (s += d)); res.on('end', () => resolve(s)); }));
    assert.match(text, /wharf_router_requests_total\{route="web",release="v1",instance="v1-0",level="instance",class="2xx"\} \d+/);
    assert.match(text, /wharf_router_latency_seconds\{route="web",level="route",quantile="0.99"\} [0-9.]+/);
  });

  it('writes an access log line per request as JSON', async () => {
    await request(r.http, { host: HOST, path: '/logged', headers: { 'x-request-id': 'log-me' } });
    const file = path.join(logDir, 'access.log');
    await waitFor('the access log line', () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('log-me'));
    const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.includes('log-me'))!;
    const e = JSON.parse(line);
    assert.deepEqual([e.status, e.route, e.release, e.path, e.attempts], [200, 'web', 'v1', '/logged', 1]);
    assert.ok(e.bytesOut > 100 && e.bytesOut < 2000, `bytesOut ${e.bytesOut} counts this response only`);
  });

  it('passes WebSocket upgrades through to the instance', async () => {
    const wsUp = http.createServer();
    wsUp.on('upgrade', (req, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.on('data', (d: Buffer) => socket.write(`echo:${d.toString()}`));
    });
    await new Promise<void>((res) => wsUp.listen(0, '127.0.0.1', res));
    const port = (wsUp.address() as net.AddressInfo).port;
    await r.admin.pushTable(table(3, ...(await r.admin.getTable()).routes.filter((x) => x.id !== 'sse'), route('ws', 'ws.localhost', [{ release: 'v1', weight: 1, ports: [port] }], { health: { path: '/' , intervalMs: 1000 } })));
    try {
      const [host, p] = r.http.split(':');
      const s = net.connect(Number(p), host);
      s.write('GET /chat HTTP/1.1\r\nHost: ws.localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13\r\n\r\n');
      let got = '';
      s.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.includes('\r\n\r\n') && !got.includes('echo')) s.write('ping');
      });
      await waitFor('the echoed frame', () => got.includes('echo:ping'));
      assert.match(got, /^HTTP\/1.1 101/);
      s.destroy();
    } finally {
      wsUp.close();
      wsUp.closeAllConnections();
    }
  });
});

