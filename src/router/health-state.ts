/**
 * The health state of one instance, driven by active checks. One transition function:
 *
 *        ┌──────── unhealthyThreshold consecutive failures ────────┐
 *        │                                                          ▼
 *    healthy                                                    unhealthy
 *        ▲                                                          │
 *        └──────── healthyThreshold consecutive passes ─────────────┘
 *
 * New instances start healthy: the daemon adds an instance to the table only after its own
 * health gate passed (DESIGN.md), and a restarted router must serve at once from its
 * persisted table even while the daemon is down.
 */

export type Health = 'healthy' | 'unhealthy';

export interface HealthCounters {
  readonly state: Health;
  /** Consecutive results that disagree with `state`. */
  readonly streak: number;
}

export interface Thresholds {
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

export function nextHealth(c: HealthCounters, passed: boolean, t: Thresholds): HealthCounters {
  const agrees = (c.state === 'healthy') === passed;
  if (agrees) return c.streak === 0 ? c : { state: c.state, streak: 0 };
  const streak = c.streak + 1;
  const limit = c.state === 'healthy' ? t.unhealthyThreshold : t.healthyThreshold;
  if (streak < limit) return { state: c.state, streak };
  return { state: passed ? 'healthy' : 'unhealthy', streak: 0 };
}
