/**
 * The upstream side's HTTP/1.1 response parser (RFC 9112), strict where leniency would let
 * an instance confuse the router about where a response ends:
 *
 *   - status line `HTTP/1.x NNN reason`; fields as http1-syntax.ts checks them;
 *   - framing by §6.3: no body for HEAD, 1xx, 204 and 304; chunked when it is the final
 *     transfer coding; otherwise Content-Length (several must agree); otherwise until close;
 *   - 1xx interim responses are consumed and parsing continues (§15.2).
 *
 * It allocates only for the head; body bytes are handed on as slices of the input.
 */
import { ChunkedDecoder, ProtocolError, contentLength, headLines, parseFields } from './http1-syntax.js';

export interface ResponseHead {
  status: number;
  reason: string;
  /** Flat [name, value, …] as received. */
  raw: string[];
  /** The connection may carry another request after this response. */
  keepAlive: boolean;
}

export interface ParserEvents {
  onHead(head: ResponseHead): void;
  onBody(chunk: Buffer): void;
  /** The response is complete; `clean` is false when bytes followed it (the connection is then unusable). */
  onEnd(clean: boolean): void;
}

const MAX_HEAD_BYTES = 64 * 1024;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d{2})(?: ([^\r\n]*))?$/;

type State = 'head' | 'fixed' | 'chunked' | 'until-close' | 'done';

export class ResponseParser {
  private state: State = 'head';
  private pending: Buffer | undefined;
  private remaining = 0;
  private headRequest = false;
  private readonly chunks = new ChunkedDecoder();
  private readonly onBody: (c: Buffer) => void;

  constructor(private readonly events: ParserEvents) {
    this.onBody = (c) => events.onBody(c);
  }

  /** Prepares for the response to a new request (`head`: it was a HEAD request). */
  reset(head: boolean): void {
    this.state = 'head';
    this.pending = undefined;
    this.headRequest = head;
  }

  /** Feeds bytes. Throws ProtocolError for anything that is not a valid response. */
  execute(input: Buffer): void {
    const buf = this.pending === undefined ? input : Buffer.concat([this.pending, input]);
    this.pending = undefined;
    let at = 0;
    while (at < buf.length) {
      switch (this.state) {
        case 'head': {
          const end = buf.indexOf('\r\n\r\n', at, 'latin1');
          if (end < 0) {
            if (buf.length - at > MAX_HEAD_BYTES) throw new ProtocolError('response head too large');
            this.pending = buf.subarray(at);
            return;
          }
          const head = this.parseHead(buf.toString('latin1', at, end));
          at = end + 4;
          if (head === undefined) continue; // 1xx: another head follows
          this.events.onHead(head);
          break;
        }
        case 'fixed': {
          const n = Math.min(this.remaining, buf.length - at);
          this.events.onBody(buf.subarray(at, at + n));
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = 'done';
          break;
        }
        case 'chunked':
          at = this.chunks.decode(buf, at, this.onBody);
          if (this.chunks.done) this.state = 'done';
          break;
        case 'until-close':
          this.events.onBody(at === 0 ? buf : buf.subarray(at));
          return;
      }
      if (this.state === 'done') {
        this.state = 'head';
        return this.events.onEnd(at === buf.length);
      }
    }
  }

  /** The connection closed: completes an until-close body. Returns false if a response was cut short. */
  close(): boolean {
    if (this.state !== 'until-close') return false;
    this.state = 'head';
    this.events.onEnd(true);
    return true;
  }

  private parseHead(text: string): ResponseHead | undefined {
    const lines = headLines(text);
    const m = STATUS_LINE.exec(lines[0]!);
    if (m === null) throw new ProtocolError('invalid status line');
    const status = Number(m[2]);
    const raw: string[] = [];
    parseFields(lines, raw);
    let keepAlive = m[1] === '1';
    let length = -1;
    let te: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      if (name.length !== 10 && name.length !== 14 && name.length !== 17) continue;
      const lower = name.toLowerCase();
      const value = raw[i + 1]!;
      if (lower === 'content-length') length = contentLength(value, length);
      else if (lower === 'transfer-encoding') te = te === undefined ? value : `${te}, ${value}`;
      else if (lower === 'connection') {
        const v = value.toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
      }
    }
    if (status < 200) {
      if (status === 101) throw new ProtocolError('101 to a request without Upgrade');
      return undefined;
    }
    const reason = m[3] ?? '';
    if (this.headRequest || status === 204 || status === 304) {
      this.state = 'done';
      return { status, reason, raw, keepAlive };
    }
    if (te !== undefined) {
      // Transfer-Encoding overrides Content-Length; such a message must not be followed by another (§6.3 item 3).
      if (/(?:^|,)\s*chunked\s*$/i.test(te)) {
        this.chunks.reset();
        this.state = 'chunked';
        return { status, reason, raw, keepAlive: keepAlive && length < 0 };
      }
      this.state = 'until-close';
      return { status, reason, raw, keepAlive: false };
    }
    if (length >= 0) {
      this.remaining = length;
      this.state = length === 0 ? 'done' : 'fixed';
      return { status, reason, raw, keepAlive };
    }
    this.state = 'until-close';
    return { status, reason, raw, keepAlive: false };
  }
}
