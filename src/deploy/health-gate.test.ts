import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it, mock } from 'node:test';
import { WARMUP_CONNECTIONS, WARMUP_REQUESTS_PER_CONNECTION } from '../defaults.js';
import type { HealthSpec } from '../spec/wharf-schema.js';
import { passHealthGate, warmUp } from './health-gate.js';

const HEALTH: HealthSpec = { path: '/healthz', interval: 20, timeout: 500, healthy_threshold: 2, unhealthy_threshold: 3 };

/** An instance stand-in that counts requests, the connections they came on, and the most at once. */
async function instance(answer: (n: number) => number | 'reset' | 'hang' = () => 200) {
  const seen = { requests: 0, paths: new Set<string>(), agents: new Set<string>(), forwarded: new Set<string>(), ids: new Set<string>(), sockets: new Set<unknown>(), inFlight: 0, maxInFlight: 0 };
  const server: Server = createServer((req, res) => {
    seen.requests++;
    seen.paths.add(req.url ?? '');
    seen.agents.add(req.headers['user-agent'] ?? '');
    const h = req.headers;
    seen.forwarded.add(`for=${String(h['x-forwarded-for'])} proto=${String(h['x-forwarded-proto'])} host=${String(h['x-forwarded-host'])}`);
    seen.ids.add(String(h['x-request-id']));
    seen.sockets.add(req.socket);
    seen.maxInFlight = Math.max(seen.maxInFlight, ++seen.inFlight);
    const status = answer(seen.requests);
    if (status === 'hang') return; // a request that outlasts the health timeout
    setImmediate(() => {
      seen.inFlight--;
      if (status === 'reset') return req.socket.destroy();
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, seen };
}
const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

describe('the health gate', () => {
  it('passes after healthy_threshold consecutive passes, and not before', async () => {
    const { port, seen } = await instance((n) => (n === 1 ? 503 : 200));
    const r = await passHealthGate(port, HEALTH, Date.now() + 5_000, () => true);
    assert.equal(r.passed, true);
    assert.equal(seen.requests, 3, 'one failure, then two passes in a row');
  });

  it('tells of each probe that passes, before it waits for the next', async () => {
    const { port, seen } = await instance((n) => (n === 2 ? 503 : 200));
    const heard: number[] = [];
    const r = await passHealthGate(port, HEALTH, Date.now() + 5_000, () => true, Date.now, () => heard.push(seen.requests));
    assert.equal(r.passed, true);
    assert.deepEqual(heard, [1, 3, 4], 'a pass, a failure, then the two passes in a row');
  });

  it('fails at the deadline with the last answer', async () => {
    const { port, seen } = await instance(() => 500);
    const r = await passHealthGate(port, HEALTH, Date.now() + 300, () => true);
    assert.equal(r.passed, false);
    assert.ok(seen.requests >= 1);
    // The last check may be the one the deadline cut short, on a busy machine.
    assert.match(r.last?.detail ?? '', /^(500|timeout)$/);
    assert.equal(r.last?.passed, false);
  });
});

describe('the warm-up after the gate', () => {
  it('sends the requests to the health path as the router forwards them, over a few keep-alive connections', async () => {
    const { port, seen } = await instance();
    const answered = await warmUp(port, HEALTH, 120, Date.now() + 10_000);
    assert.equal(answered, 120);
    assert.equal(seen.requests, 120);
    assert.deepEqual([...seen.paths], ['/healthz']);
    assert.deepEqual([...seen.agents], ['wharf-warmup'], 'an app can tell warm-up requests apart');
    assert.deepEqual([...seen.forwarded], [`for=127.0.0.1 proto=http host=127.0.0.1:${port}`]);
    assert.equal(seen.ids.size, 120, 'a request id of its own each, as the router gives');
    assert.ok(seen.sockets.size <= WARMUP_CONNECTIONS, `${seen.sockets.size} connections for 120 requests: they are kept alive`);
    assert.ok(seen.maxInFlight <= WARMUP_CONNECTIONS);
  });

  it('opens a new connection every WARMUP_REQUESTS_PER_CONNECTION requests, as the router\'s come and go', async () => {
    const { port, seen } = await instance();
    const requests = 8 * WARMUP_REQUESTS_PER_CONNECTION;
    assert.equal(await warmUp(port, HEALTH, requests, Date.now() + 10_000, { connections: 2 }), requests);
    // Each of the two carries its share in runs of WARMUP_REQUESTS_PER_CONNECTION; the shares
    // need not be equal, so each may end with one short run.
    assert.ok(seen.sockets.size >= 8 && seen.sockets.size <= 8 + 2, `${seen.sockets.size} connections for ${requests} requests`);
    assert.ok(seen.maxInFlight <= 2);
  });

  it('does not judge answers, and sends again a request that fails or outlasts the health timeout', async () => {
    const { port, seen } = await instance((n) => (n === 30 ? 'reset' : n === 60 ? 'hang' : n % 2 ? 500 : 200));
    const answered = await warmUp(port, HEALTH, 200, Date.now() + 10_000);
    assert.equal(answered, 200, 'a booting instance on a busy host may answer late, and is still warmed up in full');
    assert.equal(seen.requests, 202, 'the reset one and the hung one sent once more each');
  });

  it('stops when told to: the gate failed meanwhile', async () => {
    const stop = new AbortController();
    const { port, seen } = await instance((n) => (n === 20 && stop.abort(), 200));
    const answered = await warmUp(port, HEALTH, 500, Date.now() + 10_000, { signal: stop.signal });
    assert.ok(answered >= 20 && seen.requests < 20 + WARMUP_CONNECTIONS, `answered ${answered}, sent ${seen.requests}`);
  });

  it('stops at the deadline', async () => {
    const { port, seen } = await instance();
    let clock = 0;
    const answered = await warmUp(port, HEALTH, 1_000, 10, { now: () => clock++ });
    assert.ok(answered <= 10 && seen.requests <= 10, `answered ${answered} with a deadline of 10 ticks`);
  });

  it('ends at the deadline, not after a retry pause past it', async (t) => {
    // The request is cut off after the deadline has passed: nothing is left to wait for.
    const { port, seen } = await instance(() => 'reset');
    t.after(() => mock.timers.reset());
    mock.timers.enable({ apis: ['setTimeout'] }); // a pause that would be waited out never ends
    let clock = 0;
    let ended = false;
    const warming = warmUp(port, HEALTH, 1, 10, { now: () => clock, connections: 1 }).then((n) => ((ended = true), n));
    clock = 10;
    for (let turn = 0; turn < 1_000 && !ended; turn++) await new Promise((r) => setImmediate(r));
    assert.equal(seen.requests, 1);
    assert.equal(ended, true, 'the warm-up paused before a retry it would not send');
    assert.equal(await warming, 0);
  });

  it('stops at the deadline when nothing answers', async () => {
    const { port } = await instance(() => 'hang');
    const answered = await warmUp(port, HEALTH, 100, Date.now() + 300);
    assert.equal(answered, 0);
  });

  it('sends nothing when asked for none', async () => {
    const { port, seen } = await instance();
    assert.equal(await warmUp(port, HEALTH, 0, Date.now() + 1_000), 0);
    assert.equal(seen.requests, 0);
  });
});
