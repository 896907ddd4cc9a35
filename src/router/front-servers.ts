/**
 * The client-facing side: plain and TLS connections accepted by the listeners
 * (listeners.ts) become FrontConns whose requests go to the proxy. Sockets are fed in, not
 * accepted here, so connections inherited in a hand-off and new ones are served alike, and
 * "stop accepting" never touches a connection already open.
 *
 * One timer sweeps every connection for the limits that are about time:
 *   a head not complete within headerTimeoutMs → 408 and close (slowloris)
 *   idle keep-alive longer than keepAliveTimeoutMs → closed quietly
 *   closing mode (after a hand-off): busy connections get `Connection: close` on their next
 *   response; idle ones close after CLOSING_IDLE_MS, exactly like a keep-alive timeout, so
 *   the hand-off adds no race that keep-alive clients do not already handle.
 */
import type net from 'node:net';
import tls from 'node:tls';
import * as D from '../defaults.js';
import { FrontConn, type FrontHandler } from './front-conn.js';
import type { FrontRequest, FrontResponse } from './front-message.js';
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
  private readonly tls: tls.Server;
  private readonly conns = new Set<FrontConn>();
  /** Accepted sockets until they close (tunnels included): a graceful stop waits for all. */
  private readonly open = new Set<net.Socket>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly handlers: { http: FrontHandler; https: FrontHandler };
  private onAllClosed: (() => void) | undefined;

  constructor(
    private readonly router: Router,
    private readonly limits: FrontLimits = DEFAULT_FRONT_LIMITS,
  ) {
    const handler = (proto: 'http' | 'https'): FrontHandler => ({
      maxHeaderBytes: limits.maxHeaderBytes,
      request: (req: FrontRequest, res: FrontResponse) => router.proxy.handle(req, res, proto),
      upgrade: (req: FrontRequest, socket: net.Socket, rest: Buffer) => tunnel(router.state, req, socket, rest, proto),
    });
    this.handlers = { http: handler('http'), https: handler('https') };
    this.tls = tls.createServer({ SNICallback: router.tls.sniCallback, handshakeTimeout: limits.headerTimeoutMs });
    this.tls.on('secureConnection', (s: tls.TLSSocket) => this.serve(s, this.handlers.https));
    this.tls.on('tlsClientError', () => {});
    const every = Math.min(1_000, Math.max(50, Math.floor(limits.headerTimeoutMs / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  /** Serves a socket accepted on a plain listener (`tls`: the HTTPS one). */
  accept(socket: net.Socket, tls: boolean): void {
    this.open.add(socket);
    socket.once('close', () => {
      this.open.delete(socket);
      if (this.open.size === 0) this.onAllClosed?.();
    });
    if (tls) this.tls.emit('connection', socket);
    else this.serve(socket, this.handlers.http);
  }

  /** Enters closing mode; resolves when every client connection has closed. */
  closeGracefully(): Promise<void> {
    this.router.closing = true;
    this.sweep();
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

  stop(): void {
    clearInterval(this.sweeper);
  }

  private serve(socket: net.Socket, handler: FrontHandler): void {
    socket.setNoDelay(true);
    const conn = new FrontConn(socket, handler);
    this.conns.add(conn);
    socket.once('close', () => this.conns.delete(conn));
  }

  private sweep(): void {
    const now = Date.now();
    const idleLimit = this.router.closing ? CLOSING_IDLE_MS : this.limits.keepAliveTimeoutMs;
    for (const c of this.conns) {
      if (c.state !== 'head') continue;
      if (c.idle) {
        if (now - c.since >= idleLimit) c.socket.destroy();
      } else if (now - c.since >= this.limits.headerTimeoutMs) c.reject(408);
    }
  }
}
