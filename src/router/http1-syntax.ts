/**
 * HTTP/1.1 message syntax shared by the request and response parsers (RFC 9112). Strict
 * on purpose: every leniency in framing is a request-smuggling or response-splitting
 * opening when two parsers disagree (RFC 9112 §11.2).
 */

export class ProtocolError extends Error {
  /** The status a client gets for it (400, 431 …); responses from instances map to 502. */
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Field values: visible characters, SP, HTAB and obs-text; no CR, LF or NUL (RFC 9110 §5.5). */
const BAD_VALUE = /[\0-\x08\x0a-\x1f\x7f]/;

export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

/**
 * Parses header lines (after the start line) into a flat [name, value, …] list. Refuses
 * whitespace before the colon (§5.1), obsolete line folding (§5.2) and control characters.
 */
export function parseFields(lines: string[], out: string[]): void {
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ProtocolError(line.length > 0 && (line[0] === ' ' || line[0] === '\t') ? 'obsolete line folding' : 'invalid header line');
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw new ProtocolError('invalid header name');
    const value = line.slice(colon + 1).trim();
    if (BAD_VALUE.test(value)) throw new ProtocolError('invalid character in a header value');
    out.push(name, value);
  }
}

/** Splits a head (without its final CRLFCRLF) into lines, refusing a bare CR or LF anywhere. */
export function headLines(text: string): string[] {
  const lines = text.split('\r\n');
  for (const l of lines) if (l.includes('\n') || l.includes('\r')) throw new ProtocolError('bare CR or LF in the head');
  return lines;
}

/** A Content-Length value: digits only; a list or repeats must all agree (§6.3 item 5). */
export function contentLength(value: string, previous: number): number {
  let n = previous;
  for (const part of value.split(',')) {
    const v = part.trim();
    if (!/^\d{1,15}$/.test(v)) throw new ProtocolError('invalid Content-Length');
    const x = Number(v);
    if (n >= 0 && x !== n) throw new ProtocolError('conflicting Content-Length values');
    n = x;
  }
  return n;
}

const CHUNK_SIZE = /^([0-9A-Fa-f]{1,15})[ \t]*(?:;[^\r\n]*)?$/;
const MAX_CHUNK_LINE = 4096;

type ChunkState = 'size' | 'data' | 'crlf' | 'trailers' | 'done';

/** Decodes the chunked transfer coding (§7.1); trailer fields are read and dropped. */
export class ChunkedDecoder {
  private state: ChunkState = 'size';
  private remaining = 0;
  private line = '';

  reset(): void {
    this.state = 'size';
    this.line = '';
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** Consumes from `buf[at…]`, handing data to `onData`; returns where it stopped (buf.length if it wants more). */
  decode(buf: Buffer, at: number, onData: (chunk: Buffer) => void): number {
    while (at < buf.length && this.state !== 'done') {
      if (this.state === 'data') {
        const n = Math.min(this.remaining, buf.length - at);
        onData(buf.subarray(at, at + n));
        at += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = 'crlf';
        continue;
      }
      const eol = buf.indexOf(10, at);
      const end = eol < 0 ? buf.length : eol + 1;
      this.line += buf.toString('latin1', at, end);
      at = end;
      if (this.line.length > MAX_CHUNK_LINE) throw new ProtocolError('chunk line too long');
      if (eol < 0) break;
      if (!this.line.endsWith('\r\n')) throw new ProtocolError('bare LF in chunked framing');
      const line = this.line.slice(0, -2);
      this.line = '';
      if (this.state === 'crlf') {
        if (line !== '') throw new ProtocolError('missing CRLF after chunk data');
        this.state = 'size';
      } else if (this.state === 'size') {
        const m = CHUNK_SIZE.exec(line);
        if (m === null) throw new ProtocolError('invalid chunk size');
        this.remaining = parseInt(m[1]!, 16);
        this.state = this.remaining === 0 ? 'trailers' : 'data';
      } else if (line === '') {
        this.state = 'done';
      }
    }
    return at;
  }
}
