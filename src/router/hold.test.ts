import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DemandEvent } from './hold-queue.js';
import { request } from './testing/client.js';
import { startRouter, waitFor, type RunningRouter } from './testing/router-process.js';
import { route, table } from './testing/tables.js';
import { startEcho, type Upstream } from './testing/upstreams.js';

describe('router: held routes (a service scaled to zero)', () => {
  let r: RunningRouter;
  let gen = 0;
  const demands: DemandEvent[] = [];
  const upstreams: Upstream[] = [];
  let unsubscribe: (() => void) | undefined;

  before(async () => {
    r = await startRouter();
    unsubscribe = await r.admin.subscribe(() => undefined, (e) => demands.push(e));
  });
  after(async () => {
    unsubscribe?.();
    await r?.stop();
    for (const u of upstreams) await u.close();
  });

  it('holds requests while no instance serves, tells subscribers, and serves every one once an instance comes', async () => {
    const held = route('zero', 'zero.localhost', [], { hold: { timeoutMs: 20_000 } });
    await r.admin.pushTable(table(++gen, held));
    const n = 25;
    const replies = Array.from({ length: n }, (_, i) => request(r.http, { host: 'zero.localhost', path: `/${i}` }));
    await waitFor('a demand event for the route', () => demands.some((d) => d.routeId === 'zero'));
    await waitFor('every request held', async () => (await r.admin.metrics()).routes.find((x) => x.id === 'zero')?.inFlight === n);
    const echo = await startEcho({ name: 'woken' });
    upstreams.push(echo);
    await r.admin.pushTable(table(++gen, route('zero', 'zero.localhost', [{ release: 'v1', weight: 1, ports: [echo.port] }], { hold: { timeoutMs: 20_000 } })));
    const done = await Promise.all(replies);
    assert.deepEqual(done.map((d) => d.status), Array(n).fill(200));
    assert.deepEqual(done.map((d) => JSON.parse(d.body).url).sort(), Array.from({ length: n }, (_, i) => `/${i}`).sort());
    const m = (await r.admin.metrics()).routes.find((x) => x.id === 'zero')!;
    assert.equal(m.inFlight, 0, 'the moved exchanges left no in-flight count behind');
    assert.equal(m.requests['2xx'], n);
  });

  it('keeps holding across a table push that still has no instance', async () => {
    await r.admin.pushTable(table(++gen, route('again', 'again.localhost', [], { hold: { timeoutMs: 20_000 } })));
    const reply = request(r.http, { host: 'again.localhost' });
    await waitFor('held', async () => (await r.admin.metrics()).routes.find((x) => x.id === 'again')?.inFlight === 1);
    await r.admin.pushTable(table(++gen, route('again', 'again.localhost', [], { hold: { timeoutMs: 20_000 } })));
    const echo = await startEcho({ name: 'late' });
    upstreams.push(echo);
    await r.admin.pushTable(table(++gen, route('again', 'again.localhost', [{ release: 'v1', weight: 1, ports: [echo.port] }], { hold: { timeoutMs: 20_000 } })));
    assert.equal((await reply).status, 200);
  });

  it('answers 503 with Retry-After when no instance comes within the hold timeout', async () => {
    await r.admin.pushTable(table(++gen, route('late', 'late.localhost', [], { hold: { timeoutMs: 300 } })));
    const reply = await request(r.http, { host: 'late.localhost' });
    assert.equal(reply.status, 503);
    assert.equal(reply.headers['retry-after'], '1');
  });

  it('answers 503 with Retry-After at once beyond the hold queue size', async () => {
    await r.admin.pushTable(table(++gen, route('full', 'full.localhost', [], { hold: { timeoutMs: 2_000, queueSize: 1 } })));
    const first = request(r.http, { host: 'full.localhost' });
    await waitFor('one held', async () => (await r.admin.metrics()).routes.find((x) => x.id === 'full')?.inFlight === 1);
    const second = await request(r.http, { host: 'full.localhost' });
    assert.equal(second.status, 503);
    assert.equal(second.headers['retry-after'], '1');
    assert.equal((await first).status, 503, 'the held one times out: no instance came');
  });

  it('answers 503 at once, without holding, on a route that has no hold setting and no serving instance', async () => {
    const echo = await startEcho({ name: 'draining' });
    upstreams.push(echo);
    await r.admin.pushTable(table(++gen, route('plain', 'plain.localhost', [{ release: 'v1', weight: 1, ports: [echo.port], draining: ['v1-0'] }])));
    const before = demands.length;
    assert.equal((await request(r.http, { host: 'plain.localhost' })).status, 503);
    assert.equal(demands.filter((d) => d.routeId === 'plain').length, 0);
    assert.equal(demands.length, before);
  });
});
