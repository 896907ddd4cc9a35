import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { splitAddr } from './testing/client.js';
import { startRouter, waitFor, type RunningRouter } from './testing/router-process.js';
import { route, table } from './testing/tables.js';
import { startEcho, type Upstream } from './testing/upstreams.js';

/** Sends raw bytes and collects the reply until `done(text)` says it is complete. */
async function converse(addr: string, bytes: string, done: (text: string) => boolean): Promise<string> {
  const [host, port] = splitAddr(addr);
  const s = net.connect(port, host);
  let got = '';
  s.on('data', (d: Buffer) => (got += d.toString('latin1')));
  s.write(bytes);
  try {
    await waitFor('the whole reply', () => done(got) || s.destroyed);
  } finally {
    s.destroy();
  }
  return got;
}
const count = (text: string, re: RegExp): number => (text.match(re) ?? []).length;

describe('router: client connection handling', () => {
  let r: RunningRouter;
  let up: Upstream;

  before(async () => {
    up = await startEcho();
    r = await startRouter();
    await r.admin.pushTable(table(1, route('e', 'e.localhost', [{ release: 'v1', weight: 1, ports: [up.port] }])));
  });
  after(async () => {
    await r?.stop();
    await up?.close();
  });

  it('answers pipelined requests in order on one connection', async () => {
    const reqs = [1, 2, 3].map((i) => `GET /p${i} HTTP/1.1\r\nHost: e.localhost\r\n\r\n`).join('');
    const text = await converse(r.http, reqs, (t) => count(t, /HTTP\/1\.1 200/g) === 3 && t.includes('/p3'));
    const order = [...text.matchAll(/"url":"(\/p\d)"/g)].map((m) => m[1]);
    assert.deepEqual(order, ['/p1', '/p2', '/p3']);
  });

  it('frames a response to an HTTP/1.0 client by closing the connection', async () => {
    const text = await converse(r.http, 'GET /old HTTP/1.0\r\nHost: e.localhost\r\n\r\n', () => false);
    assert.match(text, /^HTTP\/1\.1 200/);
    assert.match(text, /Connection: close/i);
    assert.doesNotMatch(text, /Transfer-Encoding/i);
  });

  it('sends 100 Continue before reading a body the client holds back', async () => {
    const [host, port] = splitAddr(r.http);
    const s = net.connect(port, host);
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.write('POST /c HTTP/1.1\r\nHost: e.localhost\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n');
    await waitFor('100 Continue', () => got.includes('100 Continue'));
    s.write('body');
    await waitFor('the final answer', () => got.includes('"body":"body"'));
    s.destroy();
  });

  it('answers HEAD with the head only, keeping the connection usable', async () => {
    const text = await converse(r.http, 'HEAD /h HTTP/1.1\r\nHost: e.localhost\r\n\r\nGET /after HTTP/1.1\r\nHost: e.localhost\r\n\r\n', (t) => t.includes('/after'));
    assert.equal(count(text, /HTTP\/1\.1 200/g), 2);
  });

  it('closes an idle keep-alive connection after its timeout', async () => {
    const r2 = await startRouter({ extraArgs: ['--keep-alive-timeout-ms', '200'] });
    try {
      await r2.admin.pushTable(table(1, route('e', 'e.localhost', [{ release: 'v1', weight: 1, ports: [up.port] }])));
      const [host, port] = splitAddr(r2.http);
      const s = net.connect(port, host);
      let closed = false;
      s.on('close', () => (closed = true));
      s.on('data', () => {});
      s.write('GET / HTTP/1.1\r\nHost: e.localhost\r\n\r\n');
      await waitFor('the router to close the idle connection', () => closed);
    } finally {
      await r2.stop();
    }
  });
});
