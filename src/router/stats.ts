/**
 * The figures kept for each route, release group and instance. Counters are cumulative
 * (the daemon differences two snapshots for rates, like Prometheus' rate()); in-flight is
 * a gauge; latency is windowed.
 */
import { LatencyWindow, type Quantiles } from './latency-window.js';

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';
const CLASSES: StatusClass[] = ['1xx', '2xx', '3xx', '4xx', '5xx'];

export interface Figures {
  requests: Record<StatusClass, number>;
  inFlight: number;
  retries: number;
  ejections: number;
  latencyMs: { '10s': Quantiles; '60s': Quantiles };
}

export class Stats {
  /** Index 0..4 for 1xx..5xx. */
  readonly byClass = new Float64Array(5);
  inFlight = 0;
  retries = 0;
  ejections = 0;
  readonly latency = new LatencyWindow();

  /** Counts a finished request. Status 0 (no response) counts as 5xx: the client got none. */
  finish(status: number, ms: number, now: number): void {
    const c = status >= 100 && status < 600 ? Math.floor(status / 100) - 1 : 4;
    this.byClass[c]! += 1;
    this.latency.record(ms, now);
  }

  figures(now: number): Figures {
    const requests = {} as Record<StatusClass, number>;
    CLASSES.forEach((k, i) => (requests[k] = this.byClass[i]!));
    return {
      requests,
      inFlight: this.inFlight,
      retries: this.retries,
      ejections: this.ejections,
      latencyMs: { '10s': this.latency.quantiles(10, now), '60s': this.latency.quantiles(60, now) },
    };
  }
}
