/**
 * One client request as it passes through the router: the route it matched, the attempts
 * made for it, and the figures it leaves behind when it ends (exactly once).
 */
import type { AccessLog } from './access-log.js';
import type { Backend } from './backend.js';
import type { FrontRequest, FrontResponse } from './front-message.js';
import type { GroupRuntime, RouteRuntime } from './route-runtime.js';

export class Exchange {
  readonly start = performance.now();
  route: RouteRuntime | undefined;
  attempts = 0;
  /** The backend and group of the current (last) attempt. */
  backend: Backend | undefined;
  group: GroupRuntime | undefined;
  status = 0;
  error: string | undefined;
  stickyRelease: string | undefined;
  /** The attempt in progress, told when the client goes away. */
  attempt: { clientClosed(): void } | undefined;
  private ended = false;

  constructor(
    readonly req: FrontRequest,
    readonly res: FrontResponse,
    readonly proto: 'http' | 'https',
    readonly requestId: string,
    readonly clientIp: string,
  ) {}

  /** Records the exchange in the route's figures and the access log; later calls are ignored. */
  end(status: number, log: AccessLog | undefined, error?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.status = status;
    if (error !== undefined) this.error = error;
    const ms = performance.now() - this.start;
    const r = this.route;
    if (r !== undefined) {
      r.stats.inFlight--;
      r.stats.finish(status, ms, Date.now());
    }
    if (log === undefined) return;
    log.write({
      time: new Date().toISOString(),
      requestId: this.requestId,
      method: this.req.method,
      host: this.req.headers.host ?? '',
      path: this.req.url,
      status,
      durationMs: Math.round(ms * 1000) / 1000,
      ...(r === undefined ? {} : { route: r.id }),
      ...(this.backend === undefined ? {} : { release: this.backend.release, instance: this.backend.id }),
      attempts: this.attempts,
      clientIp: this.clientIp,
      bytesOut: this.res.bytesOut,
      ...(this.error === undefined ? {} : { error: this.error }),
    });
  }
}
