import type { ResourceChange } from '../plan/types.js';
import type { OutputLine } from '../build/build-log.js';
import type { RolloutProgress, Strategy } from '../deploy/rollout/types.js';
import type { ResolvedEnvironment } from '../spec/resolve.js';
import type { Actor } from './applier.js';

/** Where the desired state came from: what a target needs to build and release it. */
export interface ApplySource {
  /** The app folder. */
  dir: string;
  environment: ResolvedEnvironment;
  /** Build the working tree of a git checkout, not only what is committed. */
  includeUncommitted?: boolean | undefined;
}

export interface TargetContext {
  app: string;
  env: string;
  source?: ApplySource | undefined;
  by?: Actor | undefined;
  /** Live progress of builds and rollouts, for `wharf deploy` and `wharf apply` to show. */
  onProgress?: ((p: RolloutProgress | OutputLine) => void) | undefined;
  /** `wharf deploy --strategy`: overrides the spec's strategy of every web service. */
  strategy?: Strategy | undefined;
}


/**
 * Where resources become real: the local runtime, Kubernetes, or (in tests) a recorder.
 * One method, called once per changed resource, in plan order.
 */
export interface Target {
  readonly name: string;
  /**
   * Makes one resource change real. Must converge: apply records a change only after this
   * returns, so a change whose apply was cut off is applied again by the next one.
   */
  apply(change: ResourceChange, ctx: TargetContext): Promise<void>;
  /**
   * `wharf deploy`: makes a release of the app's source as it is now (even when the spec did
   * not change) and rolls it out, after the plan's own changes. Targets without releases
   * leave it out.
   */
  deploy?(ctx: TargetContext): Promise<{ release: number; rolledOut: boolean }>;
}
