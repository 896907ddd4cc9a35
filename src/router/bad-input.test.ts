import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request, splitAddr } from './testing/client.js';
import { openSockets, startRouter, waitFor, type RunningRouter } from './testing/router-process.js';
import { route, table } from './testing/tables.js';
import { startEcho, startInvalidHttp, startResetting, startSilent, type Upstream } from './testing/upstreams.js';

/** Writes raw bytes, returns everything the router sent back before closing (or after `waitMs` of silence). */
function raw(addr: string, bytes: string, waitMs = 3_000): Promise<string> {
  const [host, port] = splitAddr(addr);
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    let got = '';
    s.setTimeout(waitMs, () => s.destroy());
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => resolve(got));
    s.write(bytes);
  });
}

const statusOf = (reply: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);

describe('router: bad input and faulty instances', () => {
  let r: RunningRouter;
  const ups: Upstream[] = [];
  let baseline = 0;

  before(async () => {
    r = await startRouter({ extraArgs: ['--header-timeout-ms', '300', '--max-header-bytes', '8192'] });
    const [echo, reset, mid, silent, invalid] = [await startEcho(), await startResetting('before-response'), await startResetting('mid-response'), await startSilent(), await startInvalidHttp()];
    ups.push(echo, reset, mid, silent, invalid);
    // Only the instance that never answers is meant to meet the response timeout; the others
    // get a long one, so that on a loaded machine a reset is never overtaken by the timeout.
    const quiet = { health: { intervalMs: 600_000 }, limits: { responseTimeoutMs: 10_000 } };
    const slow = { health: { intervalMs: 600_000 }, limits: { responseTimeoutMs: 300 } };
    await r.admin.pushTable(
      table(
        1,
        route('ok', 'ok.localhost', [{ release: 'v1', weight: 1, ports: [echo.port] }], quiet),
        route('reset', 'reset.localhost', [{ release: 'v1', weight: 1, ports: [reset.port] }], quiet),
        route('mid', 'mid.localhost', [{ release: 'v1', weight: 1, ports: [mid.port] }], quiet),
        route('silent', 'silent.localhost', [{ release: 'v1', weight: 1, ports: [silent.port] }], slow),
        route('invalid', 'invalid.localhost', [{ release: 'v1', weight: 1, ports: [invalid.port] }], quiet),
      ),
    );
    assert.equal((await request(r.http, { host: 'ok.localhost' })).status, 200);
    baseline = openSockets(r.pid);
  });
  after(async () => {
    await r?.stop();
    for (const u of ups) await u.close();
  });

  const cases: [string, string, number][] = [
    ['a malformed request line', 'GARBAGE\r\n\r\n', 400],
    ['an HTTP major version other than 1', 'GET / HTTP/7.1\r\nHost: ok.localhost\r\n\r\n', 505],
    ['a head larger than the limit', `GET / HTTP/1.1\r\nHost: ok.localhost\r\nX-Big: ${'a'.repeat(10_000)}\r\n\r\n`, 431],
    ['invalid chunked encoding', 'POST / HTTP/1.1\r\nHost: ok.localhost\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n0\r\n\r\n', 400],
    ['a bare CR inside a header value', 'GET / HTTP/1.1\r\nHost: ok.localhost\r\nX-A: one\rtwo\r\n\r\n', 400],
    ['a LF inside a header value', 'GET / HTTP/1.1\r\nHost: ok.localhost\r\nX-A: one\ntwo: x\r\n\r\n', 400],
    ['both Content-Length and Transfer-Encoding (smuggling)', 'POST / HTTP/1.1\r\nHost: ok.localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: ok.localhost\r\n\r\n', 400],
    ['two different Content-Length values', 'POST / HTTP/1.1\r\nHost: ok.localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', 400],
    ['an obfuscated Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: ok.localhost\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n', 400],
    ['a missing Host header', 'GET / HTTP/1.1\r\n\r\n', 400],
  ];
  for (const [what, bytes, status] of cases) {
    it(`answers ${status} and closes the connection for ${what}`, async () => {
      const reply = await raw(r.http, bytes);
      assert.equal(statusOf(reply), status, reply);
      assert.match(reply, /[Cc]onnection: close/);
    });
  }

  it('does not let a smuggled request reach an instance', async () => {
    assert.equal(ups[0]!.hits.filter((h) => h.url === '/smuggled').length, 0);
  });

  it('answers 408 to a client that sends its head too slowly (slowloris)', async () => {
    const reply = await raw(r.http, 'GET / HTTP/1.1\r\nHost: ok.localhost\r\nX-Slow: 1\r\n', 5_000);
    assert.equal(statusOf(reply), 408, reply);
  });

  it('answers 502 when an instance resets the connection before answering', async () => {
    const res = await request(r.http, { host: 'reset.localhost', method: 'POST', body: 'x', headers: { 'x-request-id': 'reset-1' } });
    assert.equal(res.status, 502);
    assert.match(res.body, /request id: reset-1/);
  });

  it('cuts the client connection when an instance resets mid-response', async () => {
    await assert.rejects(request(r.http, { host: 'mid.localhost' }), /aborted|socket hang up|ECONNRESET/);
  });

  it('answers 504 when an instance never answers', async () => {
    assert.equal((await request(r.http, { host: 'silent.localhost' })).status, 504);
  });

  it('answers 502 when an instance answers with invalid HTTP', async () => {
    assert.equal((await request(r.http, { host: 'invalid.localhost' })).status, 502);
  });

  it('still serves afterwards and leaks no connection', async () => {
    assert.equal((await request(r.http, { host: 'ok.localhost' })).status, 200);
    assert.equal(r.child.exitCode, null, 'the router is still running');
    await waitFor(`open sockets back to ${baseline}`, () => openSockets(r.pid) <= baseline);
  });
});
