import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from './testing/client.js';
import { startRouter, type RunningRouter } from './testing/router-process.js';
import { route, table } from './testing/tables.js';
import { startEcho, type Upstream } from './testing/upstreams.js';

const HOST = 'web.production.shop.localhost';

describe('router figures across table pushes', () => {
  let r: RunningRouter;
  let a: Upstream;
  let b: Upstream;
  before(async () => {
    a = await startEcho({ name: 'a' });
    b = await startEcho({ name: 'b' });
    r = await startRouter();
  });
  after(async () => {
    await r?.stop();
    await a?.close();
    await b?.close();
  });

  it('keeps a route\'s and a release group\'s counters and latency windows when a push changes weights', async () => {
    await r.admin.pushTable(table(1, route('web', HOST, [{ release: 'v1', weight: 100, ports: [a.port] }, { release: 'v2', weight: 0, ports: [b.port] }])));
    for (let i = 0; i < 5; i++) assert.equal((await request(r.http, { host: HOST, path: '/' })).status, 200);
    // A canary step: the same route and groups, new weights.
    await r.admin.pushTable(table(2, route('web', HOST, [{ release: 'v1', weight: 95, ports: [a.port] }, { release: 'v2', weight: 5, ports: [b.port] }])));
    for (let i = 0; i < 3; i++) assert.equal((await request(r.http, { host: HOST, path: '/' })).status, 200);
    const m = await r.admin.metrics();
    const web = m.routes.find((x) => x.id === 'web')!;
    assert.equal(web.requests['2xx'], 8, 'the route counted every request, before and after the push');
    assert.equal(web.latencyMs['60s'].count, 8);
    const groups = Object.fromEntries(web.groups.map((g) => [g.release, g.requests['2xx']]));
    assert.equal(groups['v1']! + groups['v2']!, 8, 'the groups counted every request too');
    assert.ok(groups['v1']! >= 5);
  });
});
