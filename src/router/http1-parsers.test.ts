import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkedDecoder, ProtocolError } from './http1-syntax.js';
import { parseRequestHead } from './request-parser.js';
import { ResponseParser, type ResponseHead } from './response-parser.js';

const status = (f: () => unknown): number => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ProtocolError, String(e));
    return e.status;
  }
  return 0;
};

describe('parseRequestHead', () => {
  it('reads method, target, fields and framing', () => {
    const h = parseRequestHead('POST /a?b=1 HTTP/1.1\r\nHost: x.localhost\r\nContent-Length: 5\r\nCookie: a=1\r\nX-Other:  v ');
    assert.deepEqual([h.method, h.url, h.minor, h.body, h.length, h.keepAlive], ['POST', '/a?b=1', 1, 'length', 5, true]);
    assert.deepEqual(h.rawHeaders, ['Host', 'x.localhost', 'Content-Length', '5', 'Cookie', 'a=1', 'X-Other', 'v']);
    assert.equal(h.headers.cookie, 'a=1');
  });

  it('takes the host from an absolute-form target', () => {
    const h = parseRequestHead('GET http://a.localhost:8080/p?q HTTP/1.1\r\nHost: other');
    assert.deepEqual([h.url, h.headers.host], ['/p?q', 'a.localhost:8080']);
  });

  it('keeps HTTP/1.0 connections only when asked to', () => {
    assert.equal(parseRequestHead('GET / HTTP/1.0').keepAlive, false);
    assert.equal(parseRequestHead('GET / HTTP/1.0\r\nConnection: keep-alive').keepAlive, true);
    assert.equal(parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nConnection: close').keepAlive, false);
  });

  it('recognises a WebSocket upgrade and Expect: 100-continue', () => {
    const h = parseRequestHead('GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nExpect: 100-continue');
    assert.deepEqual([h.upgrade, h.expectContinue], [true, true]);
  });

  const refused: [string, string, number][] = [
    ['a request line with two spaces', 'GET  / HTTP/1.1\r\nHost: a', 400],
    ['a lower-case protocol name', 'GET / http/1.1\r\nHost: a', 400],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\nHost: a', 505],
    ['a target that is not origin form', 'GET foo HTTP/1.1\r\nHost: a', 400],
    ['CONNECT', 'CONNECT a:443 HTTP/1.1\r\nHost: a', 501],
    ['no Host in HTTP/1.1', 'GET / HTTP/1.1', 400],
    ['two Host fields', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b', 400],
    ['space before the colon', 'GET / HTTP/1.1\r\nHost : a', 400],
    ['obsolete line folding', 'GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2', 400],
    ['a NUL in a value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\0b', 400],
    ['a bare LF', 'GET / HTTP/1.1\nHost: a', 400],
    ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked', 400],
    ['disagreeing Content-Length values', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4', 400],
    ['a signed Content-Length', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3', 400],
    ['chunked that is not the final coding', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip', 400],
    ['a coding besides chunked', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked', 501],
    ['Transfer-Encoding in HTTP/1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked', 400],
    ['an unknown expectation', 'GET / HTTP/1.1\r\nHost: a\r\nExpect: magic', 417],
  ];
  for (const [what, head, code] of refused) {
    it(`refuses ${what} with ${code}`, () => assert.equal(status(() => parseRequestHead(head)), code));
  }
});

describe('ChunkedDecoder', () => {
  it('decodes chunks split at any byte, extensions and trailers included', () => {
    const wire = Buffer.from('5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n');
    for (let cut = 1; cut < wire.length; cut++) {
      const d = new ChunkedDecoder();
      let out = '';
      const a = d.decode(wire.subarray(0, cut), 0, (c) => (out += c.toString()));
      assert.equal(a, cut);
      const b = d.decode(wire.subarray(cut), 0, (c) => (out += c.toString()));
      assert.equal(b, wire.length - cut);
      assert.ok(d.done);
      assert.equal(out, 'hello world');
    }
  });

  it('refuses bad sizes, missing CRLF after data and bare LF', () => {
    for (const bad of ['zz\r\n', '5\r\nhelloX\r\n', '5\nhello\r\n', '-1\r\n']) {
      assert.equal(status(() => new ChunkedDecoder().decode(Buffer.from(bad), 0, () => {})), 400, bad);
    }
  });
});

describe('ResponseParser', () => {
  const parse = (wire: string, head = false) => {
    const seen: { head?: ResponseHead; body: string; ends: boolean[] } = { body: '', ends: [] };
    const p = new ResponseParser({ onHead: (h) => (seen.head = h), onBody: (c) => (seen.body += c.toString()), onEnd: (clean) => seen.ends.push(clean) });
    p.reset(head);
    p.execute(Buffer.from(wire));
    return { ...seen, parser: p };
  };

  it('frames by Content-Length, chunked, and connection close', () => {
    assert.deepEqual(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok').ends, [true]);
    const c = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n');
    assert.deepEqual([c.body, c.ends], ['ok', [true]]);
    const u = parse('HTTP/1.1 200 OK\r\n\r\nuntil close');
    assert.deepEqual([u.head!.keepAlive, u.ends], [false, []]);
    assert.equal(u.parser.close(), true);
  });

  it('reads no body for HEAD, 204 and 304, and skips 1xx responses', () => {
    assert.deepEqual(parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', true).ends, [true]);
    assert.deepEqual(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').ends, [true]);
    const r = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n');
    assert.equal(r.head!.status, 201);
  });

  it('marks a connection unusable when bytes follow a response or it says close', () => {
    assert.deepEqual(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA').ends, [false]);
    assert.equal(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').head!.keepAlive, false);
    assert.equal(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').head!.keepAlive, false);
  });

  it('refuses responses that are not valid HTTP/1.1', () => {
    for (const bad of ['HTTP/1.1 20 OK\r\n\r\n', 'HTTP/2 200\r\n\r\n', 'junk\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 'HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n']) {
      assert.throws(() => parse(bad), ProtocolError, bad);
    }
  });
});
