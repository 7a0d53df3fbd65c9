import { emptySummary, type PercentileKey, type Summary } from '../../model/report.ts';

/**
 * A latency recorder: exact count, min, mean, standard deviation and max, plus percentiles from a
 * log-bucketed histogram. Recording allocates nothing; two recorders merge exactly (the merged
 * recorder equals one that recorded every sample of both).
 *
 * Buckets: each power of two between 2^LOWEST_EXPONENT ms (~0.00095 ms) and 2^HIGHEST_EXPONENT ms
 * (~1.07e9 ms) is cut into SUB_BUCKETS equal slices, and a percentile is reported as the middle of
 * its slice, so its relative error is at most 1 / (2 * SUB_BUCKETS) ≈ 0.4 % over 0.001 ms .. 1e9 ms.
 * Values below the range (including zero) fall into one underflow bucket, reported as the exact
 * min, and values above it into one overflow bucket, reported as the exact max; every percentile
 * is clamped to [min, max].
 *
 * Percentiles use the nearest-rank definition: the p-th percentile is the smallest recorded value
 * whose cumulative weight is at least p/100 of the total (as HdrHistogram does).
 */

/** Slices per power of two; 128 gives ≤ 0.4 % relative error at the middle of a slice. */
export const SUB_BUCKETS = 128;
const SUB_BITS = 7; // log2(SUB_BUCKETS)
/** Lowest power of two covered by the histogram: 2^-10 ms ≈ 0.00098 ms, below 0.001 ms. */
export const LOWEST_EXPONENT = -10;
/** Highest power of two covered: values up to 2^30 ms ≈ 1.07e9 ms, above 1e9 ms. */
export const HIGHEST_EXPONENT = 30;

const IEEE_BIAS = 1023;
const OCTAVES = HIGHEST_EXPONENT - LOWEST_EXPONENT;
/** bucket 0 = underflow (< 2^LOWEST_EXPONENT, zero, negative); last = overflow. */
const BUCKETS = OCTAVES * SUB_BUCKETS + 2;
const OVERFLOW = BUCKETS - 1;
const FIRST_BIASED_EXPONENT = LOWEST_EXPONENT + IEEE_BIAS;

// perf: the bucket index comes from the IEEE-754 exponent and top mantissa bits of the value,
// read through a shared scratch view, instead of a Math.log per sample.
const scratch = new Float64Array(1);
const scratchHi = new Int32Array(scratch.buffer, 4, 1); // high word on little-endian hosts
if (new Uint8Array(new Float64Array([2]).buffer)[7] !== 0x40) {
  throw new Error('recorder invariant violated: host is not little-endian');
}

function bucketOf(ms: number): number {
  scratch[0] = ms;
  const hi = scratchHi[0];
  const octave = ((hi >>> 20) & 0x7ff) - FIRST_BIASED_EXPONENT;
  if (ms <= 0 || octave < 0) return 0;
  if (octave >= OCTAVES) return OVERFLOW;
  return 1 + octave * SUB_BUCKETS + ((hi >>> (20 - SUB_BITS)) & (SUB_BUCKETS - 1));
}

/** The value reported for an in-range bucket: the middle of its slice (ms). */
function bucketMiddle(bucket: number): number {
  const b = bucket - 1;
  const octave = Math.floor(b / SUB_BUCKETS);
  const slice = b - octave * SUB_BUCKETS;
  return 2 ** (octave + LOWEST_EXPONENT) * (1 + (slice + 0.5) / SUB_BUCKETS);
}

const PERCENTILES: ReadonlyArray<readonly [PercentileKey, number]> = [
  ['p50', 0.5], ['p66', 0.66], ['p75', 0.75], ['p80', 0.8],
  ['p90', 0.9], ['p95', 0.95], ['p98', 0.98], ['p99', 0.99],
];

/**
 * Records latencies in milliseconds and summarises them as a Report `Summary`.
 * Mean and standard deviation are exact (weighted Welford running moments, merged with Chan's
 * formula); `stddev` is the population standard deviation.
 */
export class LatencyRecorder {
  /** total weight recorded (the number of samples when every weight is 1) */
  count = 0;
  private min = Infinity;
  private max = -Infinity;
  private mean = 0;
  /** sum of weighted squared deviations from the mean */
  private m2 = 0;
  // perf: one typed array sized once; weights may be fractional, so counts are float64.
  private readonly buckets = new Float64Array(BUCKETS);

  /** Records one latency sample (ms). Throws on NaN. */
  record(ms: number): void {
    this.recordWeighted(ms, 1);
  }

  /**
   * Records one sample standing for `weight` samples (fan-out sampled at 1 in `weight`).
   * Equivalent to `weight` calls of `record(ms)` for integer weights.
   * Throws when ms is NaN or weight is not a positive finite number.
   */
  recordWeighted(ms: number, weight: number): void {
    if (ms !== ms) throw new Error('recorder invariant violated: latency is NaN');
    if (!(weight > 0 && weight < Infinity)) {
      throw new Error(`recorder invariant violated: weight must be positive and finite (got ${weight})`);
    }
    const total = this.count + weight;
    const delta = ms - this.mean;
    this.mean += (delta * weight) / total;
    this.m2 += weight * delta * (ms - this.mean);
    this.count = total;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    this.buckets[bucketOf(ms)] += weight;
  }

  /** Adds every sample of `other` into this recorder (other is unchanged). */
  merge(other: LatencyRecorder): void {
    if (other.count === 0) return;
    if (this.count === 0) {
      this.mean = other.mean;
      this.m2 = other.m2;
    } else {
      const total = this.count + other.count;
      const delta = other.mean - this.mean;
      this.mean += (delta * other.count) / total;
      this.m2 += other.m2 + (delta * delta * this.count * other.count) / total;
    }
    this.count += other.count;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    const mine = this.buckets;
    const theirs = other.buckets;
    for (let i = 0; i < BUCKETS; i++) mine[i] += theirs[i];
  }

  /** Forgets every sample. */
  reset(): void {
    this.count = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.mean = 0;
    this.m2 = 0;
    this.buckets.fill(0);
  }

  /**
   * The nearest-rank percentile for a fraction q in (0, 1] (ms), within the histogram's relative
   * error and clamped to [min, max]; null when nothing was recorded.
   */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const target = Math.max(q * this.count, Number.MIN_VALUE);
    const b = this.buckets;
    let cumulative = 0;
    let i = 0;
    // the last bucket with weight is reached even when float sums fall a hair short of target
    let last = 0;
    for (; i < BUCKETS; i++) {
      if (b[i] === 0) continue;
      last = i;
      cumulative += b[i];
      if (cumulative >= target * (1 - 1e-12)) break;
    }
    const bucket = i < BUCKETS ? i : last;
    // outside the covered range the exact extreme is the best figure known
    if (bucket === 0) return this.min;
    if (bucket === OVERFLOW) return this.max;
    const v = bucketMiddle(bucket);
    return v < this.min ? this.min : v > this.max ? this.max : v;
  }

  /** The Report summary (ms); every figure but count is null when count is 0. */
  summary(): Summary {
    if (this.count === 0) return emptySummary();
    const s: Summary = {
      count: this.count,
      min: this.min,
      mean: this.mean,
      stddev: Math.sqrt(Math.max(0, this.m2 / this.count)),
      median: null,
      p50: null, p66: null, p75: null, p80: null, p90: null, p95: null, p98: null, p99: null,
      max: this.max,
    };
    for (const [key, q] of PERCENTILES) s[key] = this.quantile(q);
    s.median = s.p50;
    return s;
  }
}
