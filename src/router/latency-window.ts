/**
 * Latency over sliding windows: one histogram per second in a 60-slot ring, so p50/p90/p99
 * over the last 10 s or 60 s are read by summing slots, with no per-request allocation.
 * Buckets grow by 25 % from 50 µs to ~2 min, so a quantile is off by at most 12.5 %
 * (the trade HdrHistogram and Prometheus native histograms make).
 */

const GROWTH = 1.25;
const MIN_MS = 0.05;
export const BUCKETS = 70;
const LOG_GROWTH = Math.log(GROWTH);
export const SLOTS = 60;

/** Upper bound (ms) of bucket i. */
export function bucketUpper(i: number): number {
  return MIN_MS * GROWTH ** (i + 1);
}

export function bucketOf(ms: number): number {
  if (ms <= MIN_MS) return 0;
  const i = Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH);
  return i >= BUCKETS ? BUCKETS - 1 : i;
}

export interface Quantiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

export class LatencyWindow {
  private readonly counts = new Uint32Array(SLOTS * BUCKETS);
  /** The second (epoch) each slot currently holds; stale slots are cleared on reuse. */
  private readonly slotSecond = new Float64Array(SLOTS).fill(-1);

  record(ms: number, nowMs: number): void {
    const sec = Math.floor(nowMs / 1000);
    const slot = sec % SLOTS;
    if (this.slotSecond[slot] !== sec) {
      this.counts.fill(0, slot * BUCKETS, (slot + 1) * BUCKETS);
      this.slotSecond[slot] = sec;
    }
    this.counts[slot * BUCKETS + bucketOf(ms)]! += 1;
  }

  /** Quantiles over the last `seconds` seconds (including the current one). */
  quantiles(seconds: number, nowMs: number): Quantiles {
    const now = Math.floor(nowMs / 1000);
    const sum = new Float64Array(BUCKETS);
    let count = 0;
    for (let s = now - Math.min(seconds, SLOTS) + 1; s <= now; s++) {
      const slot = ((s % SLOTS) + SLOTS) % SLOTS;
      if (this.slotSecond[slot] !== s) continue;
      for (let b = 0; b < BUCKETS; b++) {
        const c = this.counts[slot * BUCKETS + b]!;
        sum[b]! += c;
        count += c;
      }
    }
    return { count, p50: at(sum, count, 0.5), p90: at(sum, count, 0.9), p99: at(sum, count, 0.99) };
  }
}

/** The bucket's geometric midpoint for the q-th quantile; 0 when there is no sample. */
function at(sum: Float64Array, count: number, q: number): number {
  if (count === 0) return 0;
  const rank = Math.ceil(q * count);
  let seen = 0;
  for (let b = 0; b < BUCKETS; b++) {
    seen += sum[b]!;
    if (seen >= rank) return round(bucketUpper(b) / Math.sqrt(GROWTH));
  }
  return round(bucketUpper(BUCKETS - 1));
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
