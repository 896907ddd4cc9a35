import type { ResourceChange } from '../plan/types.js';

export interface TargetContext {
  app: string;
  env: string;
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
}
