/**
 * The client-facing HTTP and HTTPS servers. They never listen themselves: sockets are
 * accepted by plain listeners (listeners.ts) and fed in with `emit('connection')`, so the
 * same code serves sockets accepted here or on listeners inherited in a hand-off, and
 * "stop accepting" never touches connections already open.
 *
 * Connection life in closing mode (after a hand-off):
 *   busy → response sent with `Connection: close` → closed by the server
 *   idle → closed after CLOSING_IDLE_MS of idleness, exactly like a keep-alive timeout,
 *          so the hand-off adds no race that keep-alive clients do not already handle.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import * as D from '../defaults.js';
import { rawErrorResponse } from './error-page.js';
import { requestIdOf } from './headers.js';
import type { Router } from './router.js';
import { tunnel } from './tunnel.js';

export interface FrontLimits {
  maxHeaderBytes: number;
  headerTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export const DEFAULT_FRONT_LIMITS: FrontLimits = {
  maxHeaderBytes: D.DEFAULT_ROUTER_MAX_HEADER_BYTES,
  headerTimeoutMs: D.DEFAULT_ROUTER_HEADER_TIMEOUT_MS,
  keepAliveTimeoutMs: D.DEFAULT_ROUTER_KEEP_ALIVE_TIMEOUT_MS,
};

const CLOSING_IDLE_MS = 2_000;

export class FrontServers {
  readonly http: http.Server;
  readonly https: https.Server;
  /** Open client connections (accepted sockets), until they close. */
  private readonly open = new Set<net.Socket>();
  /** Requests in progress per HTTP connection (the TLS socket for HTTPS). */
  private readonly busy = new Map<net.Socket, number>();
  private onAllClosed: (() => void) | undefined;

  constructor(
    private readonly router: Router,
    limits: FrontLimits = DEFAULT_FRONT_LIMITS,
  ) {
    const opts: http.ServerOptions = {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headerTimeoutMs,
      // No whole-request limit: bodies stream, and uploads may be long. Slowloris is bounded by headersTimeout.
      requestTimeout: 0,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Check header deadlines every second instead of Node's 30 s, so a slow head is cut near its deadline.
      connectionsCheckingInterval: 1_000,
    };
    this.http = http.createServer(opts, (req, res) => this.request(req, res, 'http'));
    this.https = https.createServer({ ...opts, SNICallback: router.tls.sniCallback }, (req, res) => this.request(req, res, 'https'));
    for (const [server, proto] of [[this.http, 'http'], [this.https, 'https']] as const) {
      server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => clientError(err, socket));
      server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
        this.busy.delete(socket); // a tunnel is no longer an HTTP connection: never closed as idle
        tunnel(router.state, req, socket, head, proto);
      });
      // The servers are fed sockets rather than listening; 'listening' starts their header-deadline checks.
      server.emit('listening');
    }
    this.https.on('tlsClientError', () => {});
    this.http.on('connection', (s: net.Socket) => this.trackBusy(s));
    this.https.on('secureConnection', (s: net.Socket) => this.trackBusy(s));
  }

  /** Serves a socket accepted on a plain listener (`tls`: the HTTPS one). */
  accept(socket: net.Socket, tls: boolean): void {
    this.open.add(socket);
    socket.once('close', () => {
      this.open.delete(socket);
      if (this.open.size === 0) this.onAllClosed?.();
    });
    (tls ? this.https : this.http).emit('connection', socket);
  }

  /** Enters closing mode; resolves when every client connection has closed. */
  closeGracefully(): Promise<void> {
    this.router.closing = true;
    for (const server of [this.http, this.https]) server.keepAliveTimeout = CLOSING_IDLE_MS;
    // Node's own idle handler (socketOnTimeout) closes a connection with no request in progress.
    for (const [s, n] of this.busy) if (n === 0) s.setTimeout(CLOSING_IDLE_MS);
    return new Promise((resolve) => {
      if (this.open.size === 0) return resolve();
      this.onAllClosed = resolve;
    });
  }

  /** Cuts every connection still open (end of a drain timeout). */
  destroyAll(): void {
    for (const s of this.open) s.destroy();
  }

  get connections(): number {
    return this.open.size;
  }

  private trackBusy(s: net.Socket): void {
    this.busy.set(s, 0);
    s.once('close', () => this.busy.delete(s));
  }

  private request(req: http.IncomingMessage, res: http.ServerResponse, proto: 'http' | 'https'): void {
    const s = req.socket;
    const n = this.busy.get(s);
    if (n !== undefined) {
      this.busy.set(s, n + 1);
      res.once('close', () => {
        const m = this.busy.get(s);
        if (m !== undefined) this.busy.set(s, m - 1);
      });
    }
    this.router.proxy.handle(req, res, proto);
  }
}

/**
 * Requests that cannot be parsed get the status Node's parser implies and the connection is
 * closed: after a framing error the byte stream cannot be trusted (RFC 9112 §11.2, smuggling).
 */
function clientError(err: NodeJS.ErrnoException, socket: net.Socket): void {
  const inProgress = (socket as unknown as { _httpMessage?: { headersSent: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent === true) {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'HPE_HEADERS_TIMEOUT' ? 408 : 400;
  socket.end(rawErrorResponse(status, requestIdOf(undefined)));
  socket.destroySoon?.();
}
