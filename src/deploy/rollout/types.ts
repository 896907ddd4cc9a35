import type { MetricsSnapshot } from '../../router/metrics.js';
import type { ResolvedService } from '../../spec/resolve.js';
import type { ReleaseRecord } from '../../state/types.js';
import type { Fleet } from '../fleet.js';
import type { RolloutSignals } from './signals.js';

export type Strategy = 'rolling' | 'blue-green' | 'canary';
export const STRATEGIES: readonly Strategy[] = ['rolling', 'blue-green', 'canary'];

/** One line of a rollout's progress: shown live by `wharf deploy` and kept as an event. */
export interface RolloutProgress {
  time: number;
  app: string;
  env: string;
  service?: string | undefined;
  /** e.g. `started`, `weight`, `analysis`, `switched`, `promoted`, `aborted`. */
  step: string;
  message: string;
  data?: unknown;
}

/** Why a rollout stops and rolls back: the reason and the figures behind it. */
export class RolloutFailure extends Error {
  constructor(
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RolloutFailure';
  }
}

/** What a strategy gets to move one service from the stable release to the new one. */
export interface ServiceRollout {
  app: string;
  env: string;
  service: string;
  release: ReleaseRecord;
  /** The live release, if there is one (a first deploy has none). */
  stable: ReleaseRecord | undefined;
  /** The service as the new release froze it. */
  spec: ResolvedService;
  /** Instances the new release should end with. */
  count: number;
  fleet: Fleet;
  signals: RolloutSignals;
  /** Gives the new release this share of the service's traffic, and waits until the router serves it. */
  setWeight(weight: number): Promise<void>;
  /** A fresh reading of the router's figures, or undefined without a router. */
  metrics(): Promise<MetricsSnapshot | undefined>;
  progress(step: string, message: string, data?: unknown): Promise<void>;
  now(): number;
}
