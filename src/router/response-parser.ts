/**
 * An HTTP/1.1 response parser for the upstream side (RFC 9112), strict where leniency
 * would let an instance confuse the router about where a response ends:
 *
 *   - status line `HTTP/1.x NNN reason`; header lines `name: value` with token names and no
 *     CR, LF or NUL in values; obsolete line folding refused (§5.2 allows refusing it);
 *   - framing by §6.3: no body for HEAD, 1xx, 204 and 304; chunked when it is the final
 *     transfer coding; otherwise Content-Length (several must agree); otherwise until close;
 *   - 1xx interim responses are consumed and parsing continues (§15.2).
 *
 * It allocates only for the head; body bytes are handed on as slices of the input.
 */

export interface ResponseHead {
  status: number;
  reason: string;
  /** Flat [name, value, …] as received. */
  raw: string[];
  /** The connection may carry another request after this response. */
  keepAlive: boolean;
  /** Body length when known from Content-Length, -1 for chunked or until-close, 0 for none. */
  contentLength: number;
}

export interface ParserEvents {
  onHead(head: ResponseHead): void;
  onBody(chunk: Buffer): void;
  /** The response is complete; `clean` is false when bytes followed it (the connection is then unusable). */
  onEnd(clean: boolean): void;
}

export class ParseError extends Error {
  readonly code = 'INVALID_RESPONSE';
}

const MAX_HEAD_BYTES = 64 * 1024;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE = /[\0\r\n]/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/;
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,15})[ \t]*(?:;.*)?$/;

type State = 'head' | 'fixed' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'until-close' | 'done';

export class ResponseParser {
  private state: State = 'head';
  private pending: Buffer | undefined;
  private remaining = 0;
  private headRequest = false;

  constructor(private readonly events: ParserEvents) {}

  /** Prepares for the response to a new request (`head`: it was a HEAD request). */
  reset(head: boolean): void {
    this.state = 'head';
    this.pending = undefined;
    this.headRequest = head;
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** True when the response is delimited by the connection closing. */
  get untilClose(): boolean {
    return this.state === 'until-close';
  }

  /** Feeds bytes; returns the number left over after a complete response (a protocol error if > 0). Throws ParseError. */
  execute(input: Buffer): number {
    const buf = this.pending === undefined ? input : Buffer.concat([this.pending, input]);
    this.pending = undefined;
    let at = 0;
    while (at < buf.length) {
      switch (this.state) {
        case 'head': {
          const end = buf.indexOf('\r\n\r\n', at, 'latin1');
          if (end < 0) {
            if (buf.length - at > MAX_HEAD_BYTES) throw new ParseError('response head too large');
            this.pending = buf.subarray(at);
            return 0;
          }
          const head = this.parseHead(buf.toString('latin1', at, end));
          at = end + 4;
          if (head === undefined) continue; // 1xx: another head follows
          this.events.onHead(head);
          if ((this.state as State) === 'done') return this.finish(buf.length - at);
          break;
        }
        case 'fixed': {
          const n = Math.min(this.remaining, buf.length - at);
          this.events.onBody(buf.subarray(at, at + n));
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            this.state = 'done';
            return this.finish(buf.length - at);
          }
          break;
        }
        case 'until-close':
          this.events.onBody(at === 0 ? buf : buf.subarray(at));
          return 0;
        case 'chunk-size':
        case 'trailers': {
          const eol = buf.indexOf('\r\n', at, 'latin1');
          if (eol < 0) {
            if (buf.length - at > 4096) throw new ParseError('chunk line too long');
            this.pending = buf.subarray(at);
            return 0;
          }
          const line = buf.toString('latin1', at, eol);
          at = eol + 2;
          if (this.state === 'trailers') {
            // Trailer fields are dropped: the client's framing is re-made by the router (RFC 9112 §7.1.2).
            if (line === '') {
              this.state = 'done';
              return this.finish(buf.length - at);
            }
            continue;
          }
          const m = CHUNK_SIZE.exec(line);
          if (m === null) throw new ParseError(`invalid chunk size line`);
          this.remaining = parseInt(m[1]!, 16);
          this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
          break;
        }
        case 'chunk-data': {
          const n = Math.min(this.remaining, buf.length - at);
          this.events.onBody(buf.subarray(at, at + n));
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = 'chunk-crlf';
          break;
        }
        case 'chunk-crlf': {
          if (buf.length - at < 2) {
            this.pending = buf.subarray(at);
            return 0;
          }
          if (buf[at] !== 13 || buf[at + 1] !== 10) throw new ParseError('missing CRLF after chunk data');
          at += 2;
          this.state = 'chunk-size';
          break;
        }
        case 'done':
          return buf.length - at;
      }
    }
    return 0;
  }

  /** The connection closed: completes an until-close body, or reports a truncated response. */
  close(): boolean {
    if (this.state === 'until-close') {
      this.state = 'done';
      this.events.onEnd(true);
      return true;
    }
    return this.state === 'done';
  }

  private finish(left: number): number {
    this.events.onEnd(left === 0);
    return left;
  }

  private parseHead(text: string): ResponseHead | undefined {
    const lines = text.split('\r\n');
    const m = STATUS_LINE.exec(lines[0]!);
    if (m === null) throw new ParseError('invalid status line');
    const minor = m[1]!;
    const status = Number(m[2]);
    const raw: string[] = [];
    let keepAlive = minor === '1';
    let contentLength = -2; // not given
    let chunked = false;
    let te = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new ParseError('invalid header line');
      const name = line.slice(0, colon);
      if (!TOKEN.test(name)) throw new ParseError('invalid header name');
      const value = line.slice(colon + 1).trim();
      if (BAD_VALUE.test(value)) throw new ParseError('invalid header value');
      raw.push(name, value);
      const lower = name.length === 10 || name.length === 14 || name.length === 17 ? name.toLowerCase() : '';
      if (lower === 'content-length') {
        if (!/^\d{1,15}$/.test(value)) throw new ParseError('invalid Content-Length');
        const n = Number(value);
        if (contentLength >= 0 && n !== contentLength) throw new ParseError('conflicting Content-Length');
        contentLength = n;
      } else if (lower === 'transfer-encoding') {
        te = true;
        chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
      } else if (lower === 'connection') {
        const v = value.toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
      }
    }
    if (status < 200) {
      if (status === 101) throw new ParseError('unexpected 101 to a request without Upgrade');
      return undefined;
    }
    if (this.headRequest || status === 204 || status === 304) {
      this.state = 'done';
      return { status, reason: m[3] ?? '', raw, keepAlive, contentLength: 0 };
    }
    if (te) {
      // Transfer-Encoding overrides Content-Length, and such a message must close (RFC 9112 §6.3 item 3).
      if (contentLength >= 0) keepAlive = false;
      this.state = chunked ? 'chunk-size' : 'until-close';
      if (!chunked) keepAlive = false;
      return { status, reason: m[3] ?? '', raw, keepAlive, contentLength: -1 };
    }
    if (contentLength >= 0) {
      this.remaining = contentLength;
      this.state = contentLength === 0 ? 'done' : 'fixed';
      return { status, reason: m[3] ?? '', raw, keepAlive, contentLength };
    }
    this.state = 'until-close';
    return { status, reason: m[3] ?? '', raw, keepAlive: false, contentLength: -1 };
  }
}
