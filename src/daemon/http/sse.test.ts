import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Route } from './context.js';
import { type EventFeed, type FeedEvent, pipeFeed } from './sse-feed.js';
import { formatSseEvent, sse, type SseStream } from './sse.js';
import { openRawStream, startTestServer, type TestServer } from './testing.js';

describe('formatSseEvent', () => {
  const table: Array<[Parameters<typeof formatSseEvent>[0], string]> = [
    [{ data: 'hello' }, 'data: hello\n\n'],
    [{ id: 7, event: 'deploy', data: { v: 2 } }, 'id: 7\nevent: deploy\ndata: {"v":2}\n\n'],
    [{ data: 'a\nb\r\nc\rd' }, 'data: a\ndata: b\ndata: c\ndata: d\n\n'],
    [{ data: '' }, 'data: \n\n'],
    [{ data: undefined }, 'data: null\n\n'],
  ];
  for (const [event, wire] of table) {
    it(`writes ${JSON.stringify(event)} as ${JSON.stringify(wire)}`, () => assert.equal(formatSseEvent(event), wire));
  }

  it('refuses an id or event name that would break the framing', () => {
    assert.throws(() => formatSseEvent({ id: '1\n2', data: 'x' }), /cannot contain/);
    assert.throws(() => formatSseEvent({ event: 'a\rb', data: 'x' }), /cannot contain/);
    assert.throws(() => formatSseEvent({ id: 'a\0', data: 'x' }), /cannot contain/);
  });
});

/** The recorded timeline: events 1..n, and live subscribers that receive new ones. */
class Timeline implements EventFeed {
  readonly events: FeedEvent[] = [];
  readonly listeners = new Set<(e: FeedEvent) => void>();
  /** Runs before and after the replay's read: an event recorded there is live and, before, also replayed. */
  duringReplay: (() => void) | undefined;

  record(data: unknown): FeedEvent {
    const event = { id: this.events.length + 1, event: 'tick', data };
    this.events.push(event);
    for (const l of this.listeners) l(event);
    return event;
  }
  replay(afterId: number | undefined): FeedEvent[] {
    this.duringReplay?.();
    const missed = this.events.filter((e) => afterId === undefined || e.id > afterId);
    this.duringReplay?.();
    return missed;
  }
  subscribe(listener: (e: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const ids = (text: string): number[] => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

describe('sse over the control server', () => {
  const timeline = new Timeline();
  const opened: SseStream[] = [];
  const routes: Route[] = [
    {
      method: 'GET',
      path: '/events',
      handler: (ctx) => {
        const stream = sse(ctx.res, { retryMs: 50 });
        opened.push(stream);
        return pipeFeed(stream, timeline);
      },
    },
    {
      method: 'GET',
      path: '/flood',
      handler: (ctx) => {
        const stream = sse(ctx.res, { maxBufferedBytes: 64 * 1024 });
        opened.push(stream);
        const pad = 'x'.repeat(8 * 1024);
        const timer = setInterval(() => stream.send({ data: pad }), 1);
        stream.signal.addEventListener('abort', () => clearInterval(timer));
      },
    },
    {
      method: 'GET',
      path: '/quiet',
      handler: (ctx) => {
        opened.push(sse(ctx.res, { heartbeatMs: 20 }));
      },
    },
  ];
  let t: TestServer;
  before(async () => (t = await startTestServer(routes)));
  after(() => t.close());
  const target = () => ({ socketPath: t.server.socketPath });

  it('sends the recorded events, then live ones, as event-stream frames', async () => {
    timeline.record({ n: 1 });
    timeline.record({ n: 2 });
    const s = await openRawStream(target(), '/events');
    try {
      assert.equal(s.status, 200);
      assert.equal(s.headers['content-type'], 'text/event-stream; charset=utf-8');
      await s.waitFor((text) => ids(text).includes(2));
      timeline.record({ n: 3 });
      const text = await s.waitFor((t) => ids(t).includes(3));
      assert.match(text, /^retry: 50\n\n/);
      assert.match(text, /id: 3\nevent: tick\ndata: \{"n":3\}\n\n/);
      assert.deepEqual(ids(text), [1, 2, 3]);
    } finally {
      s.close();
    }
  });

  it('resumes after the Last-Event-ID the client sends, without repeating or losing any', async () => {
    let calls = 0;
    timeline.duringReplay = () => {
      if (++calls === 2) timeline.duringReplay = undefined;
      timeline.record({ n: `recorded while replaying (${calls})` });
    };
    const s = await openRawStream(target(), '/events', { 'last-event-id': '2' });
    try {
      const last = timeline.events.length;
      const text = await s.waitFor((t) => ids(t).includes(last));
      assert.deepEqual(ids(text), Array.from({ length: last - 2 }, (_, i) => i + 3));
    } finally {
      s.close();
    }
  });

  it('stops delivering to a stream and unsubscribes once its client disconnects', async () => {
    const s = await openRawStream(target(), '/events', { 'last-event-id': String(timeline.events.length) });
    await s.waitFor((text) => text.startsWith('retry:'));
    const stream = opened.at(-1) as SseStream;
    assert.ok(timeline.listeners.size >= 1);
    s.close();
    await waitUntil(() => stream.closed && timeline.listeners.size === 0);
    assert.equal(stream.send({ data: 'late' }), false);
  });

  it('drops a reader that stops reading instead of queueing for it without bound', async () => {
    // A client that sends its request and then never reads: the kernel buffers fill, then ours.
    const earlier = opened.length;
    const socket = connect(t.server.socketPath);
    socket.write('GET /flood HTTP/1.1\r\nHost: wharf\r\n\r\n');
    socket.pause();
    try {
      await waitUntil(() => opened.length > earlier && (opened[earlier] as SseStream).closed, 30_000);
    } finally {
      socket.destroy();
    }
  });

  it('sends heartbeat comments while there is nothing to say', async () => {
    const s = await openRawStream(target(), '/quiet');
    try {
      await s.waitFor((text) => (text.match(/^: heartbeat$/gm) ?? []).length >= 2);
    } finally {
      s.close();
    }
  });

  it('ends open streams when the server stops', async () => {
    const other = await startTestServer(routes);
    const s = await openRawStream({ socketPath: other.server.socketPath }, '/quiet');
    await other.close();
    await s.ended;
    assert.ok((opened.at(-1) as SseStream).closed);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
