import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DrainEvent } from './drain.js';
import { request } from './testing/client.js';
import { startRouter, waitFor, type RunningRouter } from './testing/router-process.js';
import { route, table } from './testing/tables.js';
import { closedPort, startEcho, startSilent, startSlow, type Upstream } from './testing/upstreams.js';

type Echo = Upstream & { health: { status: number } };
const up = (res: { body: string }): string => (JSON.parse(res.body) as { upstream: string }).upstream;

describe('router: health, ejection, retries, drain and limits', () => {
  let r: RunningRouter;
  let gen = 0;
  const echoes: Echo[] = [];
  const echo = async (name: string): Promise<Echo> => {
    const e = await startEcho({ name });
    echoes.push(e);
    return e;
  };
  const push = (...routes: Parameters<typeof table>[1][]) => r.admin.pushTable(table(++gen, ...routes));
  const instance = async (routeId: string, id: string) => {
    const m = await r.admin.metrics();
    return m.routes.find((x) => x.id === routeId)!.groups.flatMap((g) => g.instances).find((i) => i.id === id)!;
  };

  before(async () => {
    r = await startRouter();
  });
  after(async () => {
    await r?.stop();
    for (const e of echoes) await e.close();
  });

  it('takes an instance out when its health checks fail and back when they pass, long after cut-over', async () => {
    const [a, b] = [await echo('a'), await echo('b')];
    await push(route('h', 'h.localhost', [{ release: 'v1', weight: 1, ports: [a.port, b.port] }]));
    a.health.status = 500;
    await waitFor('a unhealthy', async () => (await instance('h', 'v1-0')).health === 'unhealthy');
    for (let i = 0; i < 20; i++) assert.equal(up(await request(r.http, { host: 'h.localhost' })), 'b');
    a.health.status = 200;
    await waitFor('a healthy again', async () => (await instance('h', 'v1-0')).health === 'healthy');
  });

  it('fails open when every instance is unhealthy', async () => {
    const a = await echo('lonely');
    a.health.status = 503;
    await push(route('open', 'open.localhost', [{ release: 'v1', weight: 1, ports: [a.port] }]));
    await waitFor('unhealthy', async () => (await instance('open', 'v1-0')).health === 'unhealthy');
    assert.equal((await request(r.http, { host: 'open.localhost' })).status, 200);
  });

  it('ejects an instance after 5 consecutive 5xx, but never more than half of its group', async () => {
    const [a, b] = [await echo('a'), await echo('b')];
    await push(route('ej', 'ej.localhost', [{ release: 'v1', weight: 1, ports: [a.port, b.port] }], { health: { intervalMs: 60_000 } }));
    // POST is never retried, so every 500 reaches the client and counts against its instance.
    for (let i = 0; i < 40; i++) await request(r.http, { host: 'ej.localhost', method: 'POST', path: '/?status=500' });
    const [ia, ib] = [await instance('ej', 'v1-0'), await instance('ej', 'v1-1')];
    assert.equal(ia.ejections + ib.ejections, 1, 'only one of the two may be out');
    assert.ok(ia.ejected !== ib.ejected);
    const healthy = ia.ejected ? 'b' : 'a';
    for (let i = 0; i < 10; i++) assert.equal(up(await request(r.http, { host: 'ej.localhost' })), healthy);
  });

  it('retries a refused connection once on another instance, for any method', async () => {
    const a = await echo('alive');
    const dead = await closedPort();
    await push(route('rt', 'rt.localhost', [{ release: 'v1', weight: 1, ports: [dead, a.port] }], { health: { intervalMs: 60_000 } }));
    for (let i = 0; i < 10; i++) {
      const res = await request(r.http, { host: 'rt.localhost', method: 'POST', body: 'x' });
      assert.equal(res.status, 200);
      assert.equal(JSON.parse(res.body).body, 'x', 'the body reaches the instance that answered');
    }
    const m = (await r.admin.metrics()).routes.find((x) => x.id === 'rt')!;
    assert.ok(m.retries > 0, 'some requests went to the dead instance first');
  });

  it('retries 502/503/504 for GET but passes them through for POST', async () => {
    const bad = await startEcho({ name: 'bad', status: 503 });
    echoes.push(bad);
    const good = await echo('good');
    await push(
      route('r5', 'r5.localhost', [{ release: 'v1', weight: 1, ports: [bad.port] }, { release: 'v2', weight: 1, ports: [good.port] }], { health: { intervalMs: 60_000 } }),
    );
    const before = good.hits.length;
    let saw503 = 0;
    for (let i = 0; i < 20; i++) {
      const get = await request(r.http, { host: 'r5.localhost', path: '/' });
      assert.equal(get.status, 200, 'a GET answered 503 is retried on the other instance');
      const post = await request(r.http, { host: 'r5.localhost', method: 'POST', path: '/' });
      if (post.status === 503) saw503++;
    }
    assert.ok(saw503 > 0, 'a POST answered 503 reached the client');
    assert.equal(bad.hits.filter((h) => h.method === 'POST').length + good.hits.slice(before).filter((h) => h.method === 'POST').length, 20, 'no POST was sent twice');
  });

  it('drains an instance: no new requests, in-flight ones finish, then the daemon is told', async () => {
    const [a, b] = [await echo('a'), await echo('b')];
    const r1 = route('dr', 'dr.localhost', [{ release: 'v1', weight: 1, ports: [a.port] }, { release: 'v2', weight: 1, ports: [b.port] }]);
    await push(r1);
    const events: DrainEvent[] = [];
    const unsubscribe = await r.admin.subscribe((e) => events.push(e));
    // Hold a slow request on each instance, then drain v1.
    const slow = [request(r.http, { host: 'dr.localhost', path: '/?delay=400', headers: { cookie: 'x=1' } }), request(r.http, { host: 'dr.localhost', path: '/?delay=400' })];
    await waitFor('both in flight', async () => (await instance('dr', 'v1-0')).inFlight + (await instance('dr', 'v2-0')).inFlight >= 1);
    await push(route('dr', 'dr.localhost', [{ release: 'v1', weight: 1, ports: [a.port], draining: ['v1-0'] }, { release: 'v2', weight: 1, ports: [b.port] }]));
    // Only requests sent after the drain count: a slow one sent before may still be on its way.
    const sentAfter = (u: typeof a) => u.hits.filter((h) => h.url === '/').length;
    const hitsA = sentAfter(a);
    for (let i = 0; i < 10; i++) assert.equal(up(await request(r.http, { host: 'dr.localhost' })), 'b');
    assert.equal(sentAfter(a), hitsA, 'the draining instance got no new request');
    for (const res of await Promise.all(slow)) assert.equal(res.status, 200);
    await waitFor('the drain event', () => events.some((e) => e.instanceId === 'v1-0'));
    const e = events.find((x) => x.instanceId === 'v1-0')!;
    assert.deepEqual([e.routeId, e.release, e.outcome, e.inFlightLeft], ['dr', 'v1', 'completed', 0]);
    assert.ok((await r.admin.drainEvents()).some((x) => x.instanceId === 'v1-0'), 'polling sees it too');
    assert.deepEqual(await r.admin.drainEvents(), [], 'each event is returned once');
    unsubscribe();
  });

  it('ends a drain at its timeout when requests are still in flight, and drains dropped instances too', async () => {
    const s = await startSilent();
    try {
      await push(route('dt', 'dt.localhost', [{ release: 'v1', weight: 1, ports: [s.port] }], { drainTimeoutMs: 200, health: { intervalMs: 60_000 }, limits: { responseTimeoutMs: 1_500 } }));
      const stuck = request(r.http, { host: 'dt.localhost', method: 'POST' }).catch(() => undefined);
      await waitFor('stuck in flight', async () => (await instance('dt', 'v1-0')).inFlight === 1);
      await push(route('dt', 'dt.localhost', [{ release: 'v2', weight: 1, ports: [s.port + 0] }], { drainTimeoutMs: 200 }));
      let got: DrainEvent[] = [];
      await waitFor('timeout drain', async () => (got = got.concat(await r.admin.drainEvents())).some((e) => e.routeId === 'dt'));
      const e = got.find((x) => x.routeId === 'dt')!;
      assert.deepEqual([e.instanceId, e.outcome, e.inFlightLeft], ['v1-0', 'timeout', 1]);
      await stuck;
    } finally {
      await s.close();
    }
  });

  it('answers 504 with the request id when an instance does not answer in time', async () => {
    const s = await startSilent();
    try {
      await push(route('to', 'to.localhost', [{ release: 'v1', weight: 1, ports: [s.port] }], { health: { intervalMs: 60_000 }, limits: { responseTimeoutMs: 150 } }));
      const res = await request(r.http, { host: 'to.localhost', headers: { 'x-request-id': 'slow-1' } });
      assert.equal(res.status, 504);
      assert.match(res.body, /request id: slow-1/);
    } finally {
      await s.close();
    }
  });

  it('queues over the in-flight limit and answers 503 with Retry-After when the queue is full', async () => {
    const a = await startSlow(300, 'one');
    echoes.push(a);
    await push(route('lim', 'lim.localhost', [{ release: 'v1', weight: 1, ports: [a.port] }], { limits: { maxInFlightPerInstance: 1, queueSize: 1, queueTimeoutMs: 5_000 } }));
    const first = request(r.http, { host: 'lim.localhost', path: '/' });
    await waitFor('first in flight', async () => (await instance('lim', 'v1-0')).inFlight === 1);
    const queued = request(r.http, { host: 'lim.localhost', path: '/' });
    await new Promise((res) => setTimeout(res, 50));
    const over = await request(r.http, { host: 'lim.localhost', path: '/' });
    assert.equal(over.status, 503);
    assert.equal(over.headers['retry-after'], '1');
    assert.match(over.body, /request id: /);
    assert.equal((await first).status, 200);
    assert.equal((await queued).status, 200, 'the queued request ran once a slot was free');
  });

  it('keeps a client on its release with a sticky cookie', async () => {
    const [a, b] = [await echo('stable'), await echo('canary')];
    await push(route('st', 'st.localhost', [{ release: 'v7', weight: 50, ports: [a.port] }, { release: 'v8', weight: 50, ports: [b.port] }], { sticky: { cookie: 'wharf_release' } }));
    const first = await request(r.http, { host: 'st.localhost' });
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    assert.match(cookie, /^wharf_release=v[78]$/);
    for (let i = 0; i < 20; i++) {
      const res = await request(r.http, { host: 'st.localhost', headers: { cookie } });
      assert.equal(up(res), up(first));
      assert.equal(res.headers['set-cookie'], undefined);
    }
  });
});


describe('router: upstream connection reuse after an early answer', () => {
  it('never reuses a connection whose request body was still being sent when the answer came', async () => {
    const { startRouter: start } = await import('./testing/router-process.js');
    const net = await import('node:net');
    // An instance that answers at once, before reading the body, and then reads whatever comes.
    const seen: string[] = [];
    const ports = new Set<number>();
    const server = net.createServer((s) => {
      s.on('error', () => {});
      s.on('data', (d: Buffer) => {
        const text = d.toString('latin1');
        seen.push(text);
        ports.add(s.remotePort ?? 0);
        if (/^(GET|POST) /.test(text)) s.write('HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n');
      });
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const port = (server.address() as import('node:net').AddressInfo).port;
    const r = await start();
    try {
      await r.admin.pushTable(table(1, route('early', 'early.localhost', [{ release: 'v1', weight: 1, ports: [port] }], { health: { intervalMs: 600_000 } })));
      const [host, p] = r.http.split(':');
      const c = net.connect(Number(p), host);
      let got = '';
      c.on('data', (d: Buffer) => (got += d.toString()));
      c.write('POST /upload HTTP/1.1\r\nHost: early.localhost\r\nContent-Length: 10\r\n\r\nhello');
      await waitFor('the early answer', () => got.includes('413'));
      c.write('world');
      c.destroy();
      assert.equal((await request(r.http, { host: 'early.localhost', path: '/next' })).status, 413);
      const next = seen.find((t) => t.startsWith('GET /next'));
      assert.ok(next !== undefined, 'the next request reached the instance as a request, not as body bytes');
      assert.equal(ports.size, 2, 'it came on a new connection');
    } finally {
      await r.stop();
      server.close();
    }
  });
});
