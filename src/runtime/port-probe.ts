/**
 * The bounded readiness probe: has the instance bound its port? A TCP connect to loopback
 * (IPv4, then IPv6, since an app may bind `::1` only) every 100 ms until one succeeds, the
 * caller gives up (the process died or is being stopped), or the deadline passes.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PortProbeOptions {
  timeoutMs: number;
  /** @default 100 */
  intervalMs?: number;
  /** Checked between attempts: true ends the probe early (answering false). */
  cancelled?: () => boolean;
}

export function canConnect(port: number, host: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Resolves true once `port` accepts a connection on loopback. */
export async function waitForPort(port: number, options: PortProbeOptions): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.cancelled?.()) return false;
    if ((await canConnect(port, '127.0.0.1')) || (await canConnect(port, '::1'))) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(options.intervalMs ?? 100, left));
  }
}
