/**
 * The figures the autoscaling policy reads, and their averages over a window.
 *
 * The controller hands the policy one sample per sample period (1 s), oldest first, with
 * `null` where no sample came (the router restarting, an instance not answering). Each
 * sample lists the service's instances with the figures measured for each; a figure the
 * controller could not read is left out. Only ready instances count: one still starting
 * receives no traffic, so its idle figures would drag the average down and trigger a
 * scale-down in the middle of a scale-up (the Kubernetes HPA leaves unready pods out for
 * the same reason).
 */

/** One instance in one sample. */
export interface InstanceFigures {
  /** Passed the health gate and receives traffic; the figures of other instances are ignored. */
  ready: boolean;
  /** Requests the router sent to this instance during the sample period. */
  requests?: number;
  /** Requests in flight to this instance when the sample was taken. */
  inflight?: number;
  /** CPU use in % of the instance's size.cpu. */
  cpuPercent?: number;
  /** Memory use in % of the instance's size.memory. */
  memoryPercent?: number;
}

/** The service at one sample time. */
export interface Sample {
  instances: readonly InstanceFigures[];
}

/** Samples oldest first, one per sample period; `null` marks a period with no sample. */
export type FigureWindow = readonly (Sample | null)[];

/** One figure averaged over the last samples of a window. */
export interface WindowAverage {
  /** Mean per ready instance over the samples that had the figure; undefined when none had. */
  perInstance: number | undefined;
  /**
   * Mean number of ready instances over those samples. `ready × perInstance` is the
   * service's mean load, which is what the instance count has to carry.
   */
  ready: number;
  /** Every sample of the window is there, has a ready instance, and has the figure from each. */
  complete: boolean;
}

/**
 * Averages one figure over the last `length` samples of `window`. In a sample where some
 * ready instances lack the figure, the others' mean stands for them (the load is still
 * there), but the window is then incomplete, and an incomplete window never scales down.
 */
export function averageOver(
  window: FigureWindow,
  length: number,
  read: (instance: InstanceFigures) => number | undefined,
): WindowAverage {
  const samples = window.slice(-length);
  let complete = samples.length >= length;
  let load = 0;
  let readySum = 0;
  let counted = 0;
  for (const sample of samples) {
    const ready = sample === null ? [] : sample.instances.filter((i) => i.ready);
    const values = ready.map(read).filter(isFigure);
    if (ready.length === 0 || values.length < ready.length) complete = false;
    if (values.length === 0) continue;
    load += (sum(values) / values.length) * ready.length;
    readySum += ready.length;
    counted += 1;
  }
  if (counted === 0) return { perInstance: undefined, ready: 0, complete: false };
  return { perInstance: load / readySum, ready: readySum / counted, complete };
}

/** A measured value; negative or non-finite readings are treated as missing. */
function isFigure(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && value >= 0;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
