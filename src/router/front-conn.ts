/**
 * One client connection: reads request heads and bodies, hands each request to the proxy,
 * and carries its response back, one at a time (pipelined requests wait their turn, as
 * RFC 9112 §9.3.2 requires responses in order).
 *
 *   head ──complete head──▶ body ──body read──▶ waiting ──response sent, reusable──▶ head
 *     │                      │                    │
 *     └──────── bad bytes (4xx), timeouts, close, a response that ends the connection ──▶ closed
 *
 * `head` with nothing buffered after a response is the idle keep-alive state.
 */
import type net from 'node:net';
import { rawErrorResponse } from './error-page.js';
import { FrontRequest, FrontResponse, type ConnectionSide } from './front-message.js';
import { requestIdOf } from './headers.js';
import { ChunkedDecoder, ProtocolError } from './http1-syntax.js';
import { parseRequestHead, type RequestHead } from './request-parser.js';

export type ConnState = 'head' | 'body' | 'waiting' | 'closed';

export interface FrontHandler {
  request(req: FrontRequest, res: FrontResponse): void;
  upgrade(req: FrontRequest, socket: net.Socket, rest: Buffer): void;
  readonly maxHeaderBytes: number;
}

export class FrontConn implements ConnectionSide {
  state: ConnState = 'head';
  /** When the current state began (head: first byte awaited; idle keep-alive: since the last response). */
  since = Date.now();
  /** Requests answered on this connection. */
  served = 0;
  private buf: Buffer | undefined;
  private req: FrontRequest | undefined;
  private res: FrontResponse | undefined;
  private remaining = 0;
  private readonly chunks = new ChunkedDecoder();
  private flowing = false;
  private clientEnded = false;

  constructor(
    readonly socket: net.Socket,
    private readonly handler: FrontHandler,
  ) {
    socket.on('data', (d: Buffer) => this.data(d));
    socket.on('end', () => {
      this.clientEnded = true;
      if (this.state === 'head') socket.end();
    });
    socket.on('close', () => this.closed());
    socket.on('error', () => {});
  }

  /** Idle between requests, with nothing of a next one received. */
  get idle(): boolean {
    return this.state === 'head' && this.buf === undefined && this.served > 0;
  }

  /** Answers with a bare error and closes (after a framing error the byte stream cannot be trusted). */
  reject(status: number): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.res?.headersSent !== true) this.socket.end(rawErrorResponse(status, requestIdOf(undefined)), 'latin1');
    this.socket.destroySoon();
  }

  bodyFlow(on: boolean): void {
    this.flowing = on;
    if (on) {
      this.socket.resume();
      if (this.state === 'body' && this.buf !== undefined) this.process(Buffer.alloc(0));
    } else this.socket.pause();
  }

  responseDone(reusable: boolean): void {
    this.served++;
    this.req = undefined;
    this.res = undefined;
    // A request body the instance never read would be taken for the next request: close instead.
    if (!reusable || this.state !== 'waiting' || this.clientEnded) {
      this.state = 'closed';
      this.socket.end();
      return;
    }
    this.state = 'head';
    this.since = Date.now();
    this.flowing = false;
    this.socket.resume();
    if (this.buf !== undefined) this.process(Buffer.alloc(0));
  }

  private data(d: Buffer): void {
    if (this.state === 'closed') return;
    try {
      this.process(d);
    } catch (e) {
      this.reject(e instanceof ProtocolError ? e.status : 400);
    }
  }

  private process(d: Buffer): void {
    if (this.state === 'head' && this.buf === undefined) this.since = Date.now(); // a new head starts its clock
    let buf = this.buf === undefined ? d : d.length === 0 ? this.buf : Buffer.concat([this.buf, d]);
    this.buf = undefined;
    while (buf.length > 0) {
      if (this.state === 'head') {
        const end = buf.indexOf('\r\n\r\n', 0, 'latin1');
        if (end < 0) {
          if (buf.length > this.handler.maxHeaderBytes) throw new ProtocolError('request head too large', 431);
          if (buf.length === 2 && buf[0] === 13 && buf[1] === 10 && this.served > 0) return; // stray CRLF after a body (§2.2)
          break;
        }
        if (end > this.handler.maxHeaderBytes) throw new ProtocolError('request head too large', 431);
        const head = parseRequestHead(buf.toString('latin1', 0, end));
        buf = buf.subarray(end + 4);
        if (head.upgrade) return this.upgrade(head, buf);
        this.start(head);
        continue;
      }
      if (this.state === 'body') {
        if (!this.flowing) break; // nobody reads the body yet: keep it, and stop reading the socket
        buf = this.body(buf);
        continue;
      }
      break; // waiting: a pipelined request waits for this response
    }
    if (buf.length > 0) {
      this.buf = buf;
      if (this.state !== 'head') this.socket.pause();
    }
  }

  private start(head: RequestHead): void {
    const req = new FrontRequest(head, this);
    const res = new FrontResponse(req, this);
    this.req = req;
    this.res = res;
    this.flowing = false;
    if (head.body === 'none') this.state = 'waiting';
    else {
      this.state = 'body';
      this.remaining = head.length;
      this.chunks.reset();
      // RFC 9110 §10.1.1: tell the client to send the body it is holding back.
      if (head.expectContinue) this.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
    }
    this.handler.request(req, res);
  }

  private body(buf: Buffer): Buffer {
    const req = this.req!;
    let at: number;
    if (req.head.body === 'length') {
      at = Math.min(this.remaining, buf.length);
      req.onData?.(buf.subarray(0, at));
      this.remaining -= at;
    } else {
      at = this.chunks.decode(buf, 0, (c) => req.onData?.(c));
    }
    if (this.remaining === 0 && (req.head.body === 'length' || this.chunks.done)) {
      this.state = 'waiting';
      req.complete = true;
      req.onEnd?.();
    }
    return buf.subarray(at);
  }

  private upgrade(head: RequestHead, rest: Buffer): void {
    this.state = 'closed';
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('end');
    this.handler.upgrade(new FrontRequest(head, this), this.socket, rest);
  }

  private closed(): void {
    const res = this.res;
    this.state = 'closed';
    this.res = undefined;
    res?.closed();
  }
}
