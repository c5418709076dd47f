/**
 * A fixed-memory latency histogram (HDR-style log-linear buckets): every
 * power of two of microseconds is split into 32 equal buckets, so any
 * percentile is within 1/64 (1.6 %) of the true value, whatever the number of
 * samples, in 896 counters (3.5 KiB) per histogram.
 *
 * @module
 */

const SUB_BITS = 5;
const SUB = 1 << SUB_BITS; // buckets per power of two
const MAX_MICROS = 0xffffffff; // ~71 minutes; longer samples land in the last bucket
const BUCKETS = SUB + (32 - SUB_BITS) * SUB;

function bucketOf(micros: number): number {
  if (micros < SUB) return micros;
  const exponent = 31 - Math.clz32(micros);
  return SUB + (exponent - SUB_BITS) * SUB + ((micros >>> (exponent - SUB_BITS)) - SUB);
}

/** Lowest value (µs) that falls into bucket `index`, and the bucket's width. */
function boundsOf(index: number): [low: number, width: number] {
  if (index < SUB) return [index, 1];
  const exponent = SUB_BITS + Math.floor((index - SUB) / SUB);
  const width = 2 ** (exponent - SUB_BITS);
  return [(SUB + ((index - SUB) % SUB)) * width, width];
}

/** One bar of {@linkcode LatencyHistogram.octaves}: samples in `[fromMs, toMs)`. */
export interface HistogramBar {
  /** Lower bound in milliseconds. */
  fromMs: number;
  /** Upper bound in milliseconds (exclusive). */
  toMs: number;
  /** Samples in the range. */
  count: number;
}

/**
 * Records durations in fixed memory and answers percentiles.
 *
 * @example Percentiles of known latencies
 * ```ts
 * import { LatencyHistogram } from "./histogram.ts";
 * const histogram = new LatencyHistogram();
 * for (let ms = 1; ms <= 100; ms++) histogram.record(ms);
 * histogram.percentile(50); // ≈ 50
 * histogram.percentile(99); // ≈ 99
 * ```
 */
export class LatencyHistogram {
  #counts = new Uint32Array(BUCKETS);
  /** Samples recorded. */
  count = 0;
  /** Sum of all samples in milliseconds. */
  totalMs = 0;
  /** Smallest sample in milliseconds (`Infinity` when empty). */
  minMs: number = Infinity;
  /** Largest sample in milliseconds (0 when empty). */
  maxMs = 0;

  /** Records one duration in milliseconds. */
  record(ms: number): void {
    const micros = ms <= 0 ? 0 : ms >= MAX_MICROS / 1000 ? MAX_MICROS : Math.round(ms * 1000);
    this.#counts[bucketOf(micros)]++;
    this.count++;
    this.totalMs += ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** The mean in milliseconds (0 when empty). */
  get meanMs(): number {
    return this.count === 0 ? 0 : this.totalMs / this.count;
  }

  /** The `p`th percentile (0–100) in milliseconds, 0 when empty. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let index = 0; index < BUCKETS; index++) {
      seen += this.#counts[index];
      if (seen >= rank) {
        const [low, width] = boundsOf(index);
        const ms = (low + (width - 1) / 2) / 1000;
        return Math.min(this.maxMs, Math.max(this.minMs, ms));
      }
    }
    return this.maxMs;
  }

  /** Adds another histogram's samples to this one. */
  merge(other: LatencyHistogram): void {
    const counts = other.#counts;
    for (let index = 0; index < BUCKETS; index++) this.#counts[index] += counts[index];
    this.count += other.count;
    this.totalMs += other.totalMs;
    this.minMs = Math.min(this.minMs, other.minMs);
    this.maxMs = Math.max(this.maxMs, other.maxMs);
  }

  /** Forgets every sample. */
  reset(): void {
    this.#counts.fill(0);
    this.count = 0;
    this.totalMs = 0;
    this.minMs = Infinity;
    this.maxMs = 0;
  }

  /**
   * Samples per power of two of microseconds, from the lowest to the highest
   * non-empty range: the bars of a log-scale chart.
   */
  octaves(): HistogramBar[] {
    const bars: HistogramBar[] = [];
    for (let index = 0; index < BUCKETS; index++) {
      const count = this.#counts[index];
      if (count === 0) continue;
      const [low] = boundsOf(index);
      const octave = low === 0 ? 0 : 31 - Math.clz32(low) + 1;
      bars[octave] = bars[octave] ??
        { fromMs: octave === 0 ? 0 : 2 ** (octave - 1) / 1000, toMs: 2 ** octave / 1000, count: 0 };
      bars[octave].count += count;
    }
    const first = bars.findIndex((bar) => bar !== undefined);
    if (first < 0) return [];
    const result: HistogramBar[] = [];
    for (let octave = first; octave < bars.length; octave++) {
      result.push(bars[octave] ?? { fromMs: 2 ** (octave - 1) / 1000, toMs: 2 ** octave / 1000, count: 0 });
    }
    return result;
  }
}
