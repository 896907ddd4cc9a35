/**
 * The traffic a release served between two readings: deltas of the router's cumulative
 * counters, as Prometheus' increase() takes them — except that a counter that went down is
 * not read as a restart from zero and added up. A decrease means the router lost its
 * figures (it restarted, or re-created the instance), so the traffic since the earlier
 * reading is unknown: the delta is reported as a reset and the caller skips the window,
 * never counting negative or guessed traffic.
 */
import type { StatusClass } from '../router/stats.js';
import { totalOf, type InstanceReading, type Reading } from './analysis-reading.js';

const CLASSES: readonly StatusClass[] = ['1xx', '2xx', '3xx', '4xx', '5xx'];

/** Requests a release served between two readings. */
export interface Traffic {
  requests: Record<StatusClass, number>;
  total: number;
  /** 5xx answers, including requests the instance never answered (the router counts those as 5xx). */
  errors: number;
}

export type Delta =
  | { kind: 'reset'; reason: string }
  | { kind: 'counted'; of: (release: string) => Traffic };

export function deltaBetween(since: Reading, now: Reading): Delta {
  if (since.pid !== now.pid) {
    return { kind: 'reset', reason: `the router restarted (pid ${since.pid} → ${now.pid}), so its counters started again from zero` };
  }
  const before = new Map(since.instances.map((i) => [i.key, i]));
  const byRelease = new Map<string, Record<StatusClass, number>>();
  for (const i of now.instances) {
    // An instance that entered the table after `since` started its figures at zero then.
    const prior = before.get(i.key);
    const went = prior === undefined ? undefined : wentDown(prior, i);
    if (went !== undefined) return { kind: 'reset', reason: went };
    const sum = byRelease.get(i.release) ?? zero();
    for (const c of CLASSES) sum[c] += i.requests[c] - (prior?.requests[c] ?? 0);
    byRelease.set(i.release, sum);
  }
  // Instances that left the table since `since` are not in `now`: what they served after
  // `since` is unknown and is left out (it cannot be read any more), rather than guessed.
  return {
    kind: 'counted',
    of: (release) => {
      const requests = byRelease.get(release) ?? zero();
      return { requests, total: totalOf(requests), errors: requests['5xx'] };
    },
  };
}

function wentDown(prior: InstanceReading, now: InstanceReading): string | undefined {
  for (const c of CLASSES) {
    if (now.requests[c] < prior.requests[c]) {
      return `the router's ${c} counter of a ${now.release} instance went down (${prior.requests[c]} → ${now.requests[c]}), so its figures were reset`;
    }
  }
  return undefined;
}

function zero(): Record<StatusClass, number> {
  return { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
}
