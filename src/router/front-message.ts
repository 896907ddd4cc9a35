/**
 * A client's request and the router's response to it, on a client connection (front-conn.ts).
 * A deliberately small surface — what the proxy needs and no more — so that a request costs
 * two small objects and no streams, emitters or per-request listeners.
 */
import type net from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { RequestFields, RequestHead } from './request-parser.js';

/** What the connection offers its current request and response. */
export interface ConnectionSide {
  readonly socket: net.Socket;
  /** Body bytes are wanted (or no longer): the connection resumes or pauses reading. */
  bodyFlow(on: boolean): void;
  /** The response is complete; `reusable` says whether the connection may carry another request. */
  responseDone(reusable: boolean): void;
}

export class FrontRequest {
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: string[];
  readonly headers: RequestFields;
  onData: ((chunk: Buffer) => void) | undefined;
  onEnd: (() => void) | undefined;
  /** The body has been read completely (always true for a request without one). */
  complete: boolean;

  constructor(
    readonly head: RequestHead,
    private readonly conn: ConnectionSide,
  ) {
    this.method = head.method;
    this.url = head.url;
    this.rawHeaders = head.rawHeaders;
    this.headers = head.headers;
    this.complete = head.body === 'none';
  }

  get socket(): net.Socket {
    return this.conn.socket;
  }

  /** Starts the body flowing to `onData`/`onEnd`. */
  consume(onData: (chunk: Buffer) => void, onEnd: () => void): void {
    this.onData = onData;
    this.onEnd = onEnd;
    if (this.complete) return onEnd();
    this.conn.bodyFlow(true);
  }

  pause(): void {
    this.conn.bodyFlow(false);
  }

  resume(): void {
    this.conn.bodyFlow(true);
  }
}

type Framing = 'length' | 'chunked' | 'close' | 'none';

export class FrontResponse {
  headersSent = false;
  writableFinished = false;
  /** Bytes written for this response, head included (for the access log). */
  bytesOut = 0;
  /** Set false to close the connection after this response (hand-off, errors). */
  shouldKeepAlive: boolean;
  private head = '';
  private framing: Framing = 'none';
  private onClose: (() => void) | undefined;

  constructor(
    readonly req: FrontRequest,
    private readonly conn: ConnectionSide,
  ) {
    this.shouldKeepAlive = req.head.keepAlive;
  }

  get destroyed(): boolean {
    return this.conn.socket.destroyed;
  }

  /** Called once if the connection closes before the response finished. */
  onceClosed(fn: () => void): void {
    this.onClose = fn;
  }

  closed(): void {
    if (!this.writableFinished) this.onClose?.();
  }

  /** Prepares the head; it goes out with the first write (a small response is one write). */
  writeHead(status: number, reason: string | undefined, fields: string[] | Record<string, string | number>): void {
    const flat = Array.isArray(fields) ? fields : Object.entries(fields).flatMap(([k, v]) => [k, String(v)]);
    let text = `HTTP/1.1 ${status} ${reason || STATUS_CODES[status] || ''}\r\n`;
    let length = false;
    for (let i = 0; i < flat.length; i += 2) {
      const name = flat[i]!;
      if (name.length === 14 && name.toLowerCase() === 'content-length') length = true;
      text += `${name}: ${flat[i + 1]}\r\n`;
    }
    const bodiless = this.req.method === 'HEAD' || status === 204 || status === 304 || status < 200;
    if (bodiless) this.framing = 'none';
    else if (length) this.framing = 'length';
    else if (this.req.head.minor === 1) {
      this.framing = 'chunked';
      text += 'Transfer-Encoding: chunked\r\n';
    } else {
      this.framing = 'close'; // an HTTP/1.0 client reads to the end of the connection
      this.shouldKeepAlive = false;
    }
    if (!this.shouldKeepAlive) text += 'Connection: close\r\n';
    else if (this.req.head.minor === 0) text += 'Connection: keep-alive\r\n';
    this.head = text + '\r\n';
    this.headersSent = true;
  }

  write(chunk: Buffer | string, encoding: BufferEncoding = 'latin1'): boolean {
    const socket = this.conn.socket;
    if (socket.destroyed) return true;
    let out = this.head;
    this.head = '';
    this.bytesOut += out.length + (this.framing === 'none' ? 0 : Buffer.byteLength(chunk, encoding));
    if (this.framing === 'none' || chunk.length === 0) return out === '' || socket.write(out, 'latin1');
    if (this.framing === 'chunked') out += `${Buffer.byteLength(chunk, encoding).toString(16)}\r\n`;
    if (typeof chunk === 'string' && encoding === 'latin1') {
      return socket.write(this.framing === 'chunked' ? `${out}${chunk}\r\n` : out + chunk, 'latin1');
    }
    if (out !== '') socket.write(out, 'latin1');
    const ok = socket.write(chunk, encoding);
    return this.framing === 'chunked' ? socket.write('\r\n', 'latin1') : ok;
  }

  end(chunk?: Buffer | string, encoding: BufferEncoding = 'latin1'): void {
    if (this.writableFinished) return;
    if (!this.headersSent) this.writeHead(200, 'OK', { 'content-length': 0 });
    if (chunk !== undefined && chunk.length > 0) {
      if (this.framing === 'chunked' && typeof chunk === 'string' && encoding === 'latin1') {
        // Head, the one chunk and the last-chunk in a single write.
        this.bytesOut += this.head.length + chunk.length;
        this.conn.socket.write(`${this.head}${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`, 'latin1');
        this.head = '';
        return this.finish();
      }
      this.write(chunk, encoding);
    }
    if (this.head !== '' || this.framing === 'chunked') {
      this.bytesOut += this.head.length;
      this.conn.socket.write(this.head + (this.framing === 'chunked' ? '0\r\n\r\n' : ''), 'latin1');
      this.head = '';
    }
    this.finish();
  }

  once(event: 'drain', fn: () => void): void {
    this.conn.socket.once(event, fn);
  }

  destroy(): void {
    this.conn.socket.destroy();
  }

  private finish(): void {
    this.writableFinished = true;
    this.conn.responseDone(this.shouldKeepAlive && this.framing !== 'close');
  }
}
