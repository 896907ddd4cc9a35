/**
 * Active health checks: GET <path> on every instance at its interval, for as long as the
 * instance is in the table — including after cut-over (kamal-proxy stops checking once an
 * app is up; we do not). A 2xx or 3xx within the timeout passes; anything else fails.
 */
import http from 'node:http';
import * as D from '../defaults.js';
import type { Backend } from './backend.js';
import { nextHealth, type Thresholds } from './health-state.js';
import type { HealthSettings } from './table.js';

export interface ResolvedHealth extends Thresholds {
  path: string;
  intervalMs: number;
  timeoutMs: number;
}

export function resolveHealth(h: HealthSettings | undefined): ResolvedHealth {
  return {
    path: h?.path ?? D.DEFAULT_HEALTH_PATH,
    intervalMs: h?.intervalMs ?? D.DEFAULT_HEALTH_INTERVAL_MS,
    timeoutMs: h?.timeoutMs ?? D.DEFAULT_HEALTH_TIMEOUT_MS,
    healthyThreshold: h?.healthyThreshold ?? D.DEFAULT_HEALTHY_THRESHOLD,
    unhealthyThreshold: h?.unhealthyThreshold ?? D.DEFAULT_UNHEALTHY_THRESHOLD,
  };
}

/** Told when an instance changes health, e.g. to log it. */
export type HealthListener = (b: Backend, from: string, to: string) => void;

export class HealthChecker {
  private timer: NodeJS.Timeout | undefined;
  private current: http.ClientRequest | undefined;
  private stopped = false;

  constructor(
    readonly backend: Backend,
    public settings: ResolvedHealth,
    private readonly listener?: HealthListener,
  ) {}

  start(): void {
    this.schedule(Math.random() * this.settings.intervalMs); // spread checks of many instances
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.current?.destroy();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.check(), ms);
    this.timer.unref();
  }

  private check(): void {
    const b = this.backend;
    let done = false;
    const finish = (passed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      this.current = undefined;
      req.destroy();
      const before = b.health.state;
      b.health = nextHealth(b.health, passed, this.settings);
      if (b.health.state !== before) this.listener?.(b, before, b.health.state);
      this.schedule(this.settings.intervalMs);
    };
    // A fresh connection each time (agent: false): a check must also prove the instance accepts connections.
    const req = http.get({ host: b.host, port: b.port, path: this.settings.path, agent: false, headers: { 'user-agent': 'wharf-router-health' } });
    this.current = req;
    const deadline = setTimeout(() => finish(false), this.settings.timeoutMs);
    req.on('response', (res) => {
      res.resume();
      const s = res.statusCode ?? 0;
      finish(s >= 200 && s < 400);
    });
    req.on('error', () => finish(false));
  }
}
