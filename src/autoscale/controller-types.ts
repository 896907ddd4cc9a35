/**
 * The autoscaling controller's collaborators, as small interfaces: the daemon wires the
 * real ones (store, fleet, router supervisor, operations), tests wire fakes where a fake
 * clock is the honest test and real processes everywhere else.
 */
import type { MetricsSnapshot } from '../router/metrics.js';
import type { AutoscaleSpec } from '../spec/wharf-schema.js';
import type { DecisionFigures } from './policy.js';
import type { InstanceNow, ServiceSize } from './sampler.js';

/** One autoscaled service as it runs now. */
export interface AutoscaledService {
  app: string;
  env: string;
  service: string;
  /** The live release: the one the controller scales. */
  release: number;
  /** The live release's autoscale block. */
  policy: AutoscaleSpec;
  /** `app.env.service`, the id of its first route; undefined for a worker. */
  routeBase: string | undefined;
  size: ServiceSize;
  /** Instances of the live release that count towards the service (started, not stopping). */
  current: number;
  /** Every started instance of the service, of any release: a rollout's old and new share the load. */
  instances: InstanceNow[];
}

export interface AutoscaleSources {
  /** The services with an autoscale block in their live release. */
  services(): Promise<AutoscaledService[]>;
  /** The router's latest figures (read every second by the router supervisor). */
  metrics(): MetricsSnapshot | undefined;
}

/** What the controller asks the scaler to do, with the decision behind it. */
export interface ScaleOrder {
  /** The live release the decision was made on: acting on another would act on stale figures. */
  release: number;
  from: number;
  to: number;
  /** "web 2 → 5: 1,840 req/min per instance > target 600" */
  reason: string;
  figures: DecisionFigures | undefined;
  /** When the controller decided (its clock). */
  orderedAt: number;
}

/** Acts on a decision through the same path as `wharf scale` (env lock, audit, fleet). */
export interface Scaler {
  scale(app: string, env: string, service: string, order: ScaleOrder): Promise<void>;
}

/**
 * The deploy engine's hook: while a service rolls out, the controller keeps deciding from
 * the old and new releases' load but acts only after the rollout ends.
 */
export interface RolloutFreeze {
  frozen(app: string, env: string, service: string): boolean;
}

export interface Clock {
  now(): number;
}

/** Calls `tick` every `ms`; returns the function that stops it. */
export type Ticker = (ms: number, tick: () => void) => () => void;

/** setInterval, unref'd: the controller never keeps a process alive by itself. */
export const intervalTicker: Ticker = (ms, tick) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/** What became of one decision. */
export type Outcome =
  | 'held' // the count stays
  | 'ordered' // a scale is under way
  | 'scaled' // done
  | 'frozen' // a rollout is under way: decided, not acted on
  | 'busy' // the previous scale of the service is still under way
  | 'lock-held' // the environment's lock is held: decided again next second
  | 'stale' // the live release or its policy changed before the scale: decided again next second
  | 'failed';

export interface DecisionRecord {
  at: number;
  from: number;
  to: number;
  reason: string;
  outcome: Outcome;
  error?: string;
}
