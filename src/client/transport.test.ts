import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startControlServer } from '../daemon/http/control-server.js';
import { reply, type Route } from '../daemon/http/context.js';
import { type FeedEvent, pipeFeed } from '../daemon/http/sse-feed.js';
import { sse } from '../daemon/http/sse.js';
import { startTestServer, type TestServer } from '../daemon/http/testing.js';
import { WharfError } from '../errors.js';
import { ApiTransport, type ServerSentEvent } from './transport.js';

const isWharf = (code: string, check: (e: WharfError) => void = () => undefined) => (e: unknown) => {
  assert.ok(e instanceof WharfError, `expected a WharfError, got ${String(e)}`);
  assert.equal(e.code, code);
  check(e);
  return true;
};

/** Events 1..n, all replayed on every connection; live ones pushed to subscribers. */
const recorded: FeedEvent[] = [];
const listeners = new Set<(e: FeedEvent) => void>();
function record(data: unknown): void {
  const event = { id: recorded.length + 1, data };
  recorded.push(event);
  for (const l of listeners) l(event);
}
const lastEventIds: Array<string | undefined> = [];

const routes: Route[] = [
  { method: 'GET', path: '/apps/:app', handler: (ctx) => ({ app: ctx.params.app, caller: ctx.caller }) },
  { method: 'POST', path: '/echo', handler: (ctx) => reply(201, ctx.body) },
  { method: 'DELETE', path: '/apps/:app', handler: () => undefined },
  {
    method: 'GET',
    path: '/locked',
    handler: () => {
      throw new WharfError('LOCK_HELD', 'production is locked by alice (pid 4242)', { hint: 'run `wharf lock release`' });
    },
  },
  {
    method: 'GET',
    path: '/events',
    handler: (ctx) => {
      lastEventIds.push(ctx.req.headers['last-event-id'] as string | undefined);
      const stream = sse(ctx.res, { retryMs: 20 });
      // Each connection carries at most two events, then ends: the client must come back for the rest.
      let sent = 0;
      const send = stream.send.bind(stream);
      stream.send = (e) => {
        const ok = send(e);
        if (++sent === 2) stream.close();
        return ok;
      };
      return pipeFeed(stream, { replay: (after) => recorded.filter((e) => after === undefined || e.id > after), subscribe: (l) => (listeners.add(l), () => listeners.delete(l)) });
    },
  },
];

describe('ApiTransport', () => {
  let t: TestServer;
  let local: ApiTransport;
  let remote: ApiTransport;
  before(async () => {
    t = await startTestServer(routes, { bodyLimitBytes: 16 * 1024 });
    local = new ApiTransport({ socketPath: t.server.socketPath });
    remote = new ApiTransport({ url: t.server.tcp?.url ?? '', token: t.token, client: 'dashboard' });
  });
  after(() => t.close());

  it('calls the daemon over the unix socket, naming itself the cli', async () => {
    const got = await local.request<{ app: string; caller: { client: string; via: string } }>('GET', '/apps/shop');
    assert.equal(got.app, 'shop');
    assert.deepEqual([got.caller.client, got.caller.via], ['cli', 'unix']);
  });

  it('calls the daemon over TCP with the bearer token and its client name', async () => {
    const got = await remote.request<{ caller: { client: string; via: string } }>('GET', '/apps/shop');
    assert.deepEqual([got.caller.client, got.caller.via], ['dashboard', 'tcp']);
  });

  it('sends a JSON body and returns the answer; a 204 returns undefined', async () => {
    assert.deepEqual(await remote.request('POST', '/echo', { services: { web: 2 } }), { services: { web: 2 } });
    assert.equal(await local.request('DELETE', '/apps/shop'), undefined);
  });

  it('throws the server’s error with its code, message and hint', async () => {
    await assert.rejects(
      local.request('GET', '/locked'),
      isWharf('LOCK_HELD', (e) => {
        assert.equal(e.message, 'production is locked by alice (pid 4242)');
        assert.equal(e.hint, 'run `wharf lock release`');
        assert.equal(e.status, 409);
      }),
    );
    await assert.rejects(local.request('GET', '/nowhere'), isWharf('NOT_FOUND'));
    await assert.rejects(local.request('PUT', '/echo'), isWharf('METHOD_NOT_ALLOWED'));
  });

  it('throws UNAUTHORIZED, with a hint about the token, for a wrong token', async () => {
    const wrong = new ApiTransport({ url: t.server.tcp?.url ?? '', token: 'not-the-token' });
    await assert.rejects(wrong.request('GET', '/apps/shop'), isWharf('UNAUTHORIZED', (e) => assert.match(e.hint ?? '', /token/)));
  });

  it('throws PAYLOAD_TOO_LARGE for a body over the daemon’s limit', async () => {
    for (const transport of [local, remote]) {
      await assert.rejects(transport.request('POST', '/echo', { pad: 'x'.repeat(64 * 1024) }), isWharf('PAYLOAD_TOO_LARGE'));
    }
  });

  it('follows an event stream across reconnects, resuming from the last id', async () => {
    recorded.length = 0;
    lastEventIds.length = 0;
    for (let i = 0; i < 3; i++) record({ n: i + 1 });
    const got: ServerSentEvent[] = [];
    const aborter = new AbortController();
    const done = local.stream(
      '/events',
      (e) => {
        got.push(e);
        if (got.length === 3) record({ n: 4 }); // a live one, after the replay
        if (got.length === 4) aborter.abort();
      },
      aborter.signal,
    );
    await done; // resolves, not rejects, on abort
    assert.deepEqual(
      got.map((e) => [e.lastEventId, JSON.parse(e.data).n]),
      [['1', 1], ['2', 2], ['3', 3], ['4', 4]],
    );
    // Two events per connection: the second connection resumed after 2.
    assert.deepEqual(lastEventIds.slice(0, 2), [undefined, '2']);
  });

  it('keeps the stream through a daemon restart on the same socket', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wharf-restart-'));
    const socketPath = join(dir, 'wharf.sock');
    const options = { socketPath, token: 'restart-token', routes };
    let server = await startControlServer(options);
    recorded.length = 0;
    record('before');
    const got: string[] = [];
    const aborter = new AbortController();
    const follower = new ApiTransport({ socketPath, retryMs: 20, maxRetryMs: 100 });
    try {
      let restarted!: Promise<void>;
      const done = follower.stream(
        '/events',
        (e) => {
          got.push(e.data); // strings go over the wire as they are
          if (got.length === 1) {
            restarted = (async () => {
              await server.stop(); // the follower now meets a missing socket, and retries
              record('while down');
              server = await startControlServer(options);
            })();
          }
          if (got.length === 2) aborter.abort();
        },
        aborter.signal,
      );
      await done;
      await restarted;
      assert.deepEqual(got, ['before', 'while down']);
    } finally {
      aborter.abort();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a stream the daemon refuses, without retrying', async () => {
    await assert.rejects(local.stream('/nowhere', () => undefined, new AbortController().signal), isWharf('NOT_FOUND'));
  });
});

describe('ApiTransport without a daemon', () => {
  const hint = 'start it with `wharf up` or `wharf daemon`';
  const notRunning = isWharf('DAEMON_NOT_RUNNING', (e) => assert.equal(e.hint, hint));

  it('says the daemon is not running when its socket file is missing', async () => {
    const transport = new ApiTransport({ socketPath: join(tmpdir(), `wharf-missing-${process.pid}.sock`) });
    await assert.rejects(transport.request('GET', '/apps'), notRunning);
    await assert.rejects(transport.stream('/events', () => undefined, new AbortController().signal), notRunning);
  });

  it('says the daemon is not running when nothing listens on its TCP port', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const transport = new ApiTransport({ url: `http://127.0.0.1:${port}`, token: 'x' });
    await assert.rejects(transport.request('GET', '/apps'), notRunning);
  });

  it('refuses a URL that is not http or https', () => {
    assert.throws(() => new ApiTransport({ url: 'ftp://example.com', token: 'x' }), isWharf('USAGE'));
    assert.throws(() => new ApiTransport({ url: 'not a url', token: 'x' }), isWharf('USAGE'));
  });
});
