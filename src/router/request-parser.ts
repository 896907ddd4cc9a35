/**
 * The client side's request-head parser (RFC 9112). It decides the request's framing and
 * refuses every ambiguity an attacker could use to make the router and an instance see
 * different requests: Content-Length with Transfer-Encoding, disagreeing lengths, codings
 * other than chunked, bare CR/LF, folding, missing or repeated Host (RFC 9112 §3.2, §6, §11.2).
 */
import { ProtocolError, contentLength, headLines, isToken, parseFields } from './http1-syntax.js';

/** The few fields the router itself reads, by lower-case name. */
export interface RequestFields {
  host?: string;
  'x-request-id'?: string;
  cookie?: string;
  'transfer-encoding'?: string;
  'content-length'?: string;
}

export interface RequestHead {
  method: string;
  /** Origin form (`/path?query`), or `*` for OPTIONS. */
  url: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  rawHeaders: string[];
  headers: RequestFields;
  keepAlive: boolean;
  /** Body framing: `length` bytes, chunked, or none. */
  body: 'none' | 'length' | 'chunked';
  length: number;
  /** A protocol upgrade (WebSocket) was asked for. */
  upgrade: boolean;
  expectContinue: boolean;
}

const REQUEST_LINE = /^([^ ]+) ([^ ]+) HTTP\/(\d)\.(\d)$/;
const TARGET = /^[\x21-\x7e\x80-\xff]+$/;
const MAX_FIELDS = 100;

export function parseRequestHead(text: string): RequestHead {
  const lines = headLines(text);
  const m = REQUEST_LINE.exec(lines[0]!);
  if (m === null) throw new ProtocolError('malformed request line');
  const [, method, target, major, minorText] = m as unknown as [string, string, string, string, string];
  if (!isToken(method)) throw new ProtocolError('invalid method');
  // A different major version is well-formed but not ours to speak (RFC 9110 §15.6.6).
  if (major !== '1') throw new ProtocolError('HTTP version not supported', 505);
  const minor = minorText === '0' ? 0 : 1;
  if (lines.length - 1 > MAX_FIELDS) throw new ProtocolError('too many header fields', 431);
  const rawHeaders: string[] = [];
  parseFields(lines, rawHeaders);
  const headers: RequestFields = {};
  let hosts = 0;
  let length = -1;
  let te: string | undefined;
  let connection = '';
  let upgradeField = false;
  let expectContinue = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const lower = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    switch (lower) {
      case 'host':
        hosts++;
        headers.host = value;
        break;
      case 'content-length':
        length = contentLength(value, length);
        headers['content-length'] = String(length);
        break;
      case 'transfer-encoding':
        te = te === undefined ? value : `${te}, ${value}`;
        break;
      case 'connection':
        connection += `,${value.toLowerCase()}`;
        break;
      case 'upgrade':
        upgradeField = true;
        break;
      case 'expect':
        if (value.toLowerCase() !== '100-continue') throw new ProtocolError('unsupported expectation', 417);
        expectContinue = true;
        break;
      case 'x-request-id':
      case 'cookie':
        headers[lower] = headers[lower] === undefined ? value : `${headers[lower]}; ${value}`;
        break;
    }
  }
  if (minor === 1 ? hosts !== 1 : hosts > 1) throw new ProtocolError(hosts === 0 ? 'missing Host' : 'more than one Host');
  let body: RequestHead['body'] = length > 0 ? 'length' : 'none';
  if (te !== undefined) {
    if (length >= 0) throw new ProtocolError('both Content-Length and Transfer-Encoding');
    if (minor === 0) throw new ProtocolError('Transfer-Encoding in an HTTP/1.0 request');
    const codings = te.split(',').map((c) => c.trim().toLowerCase());
    if (codings[codings.length - 1] !== 'chunked') throw new ProtocolError('chunked must be the final transfer coding');
    if (codings.length > 1) throw new ProtocolError('transfer codings other than chunked', 501);
    headers['transfer-encoding'] = 'chunked';
    body = 'chunked';
  }
  let url = target;
  if (!TARGET.test(target)) throw new ProtocolError('invalid request target');
  if (target.startsWith('http://') || target.startsWith('https://')) {
    // Absolute form: the target's authority wins over Host (RFC 9112 §3.2.2).
    const u = new URL(target);
    url = `${u.pathname}${u.search}`;
    headers.host = u.host;
  } else if (method === 'CONNECT') {
    throw new ProtocolError('CONNECT is not supported', 501);
  } else if (!(target.startsWith('/') || (target === '*' && method === 'OPTIONS'))) {
    throw new ProtocolError('invalid request target');
  }
  const tokens = connection.split(',').map((t) => t.trim());
  const keepAlive = minor === 1 ? !tokens.includes('close') : tokens.includes('keep-alive');
  return {
    method,
    url,
    minor,
    rawHeaders,
    headers,
    keepAlive,
    body,
    length: Math.max(length, 0),
    upgrade: upgradeField && tokens.includes('upgrade'),
    expectContinue,
  };
}
