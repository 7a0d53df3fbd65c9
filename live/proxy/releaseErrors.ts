/** Width of the fine buckets of the release-error histogram (errors under FINE_MS), ms. */
export const RELEASE_ERROR_BUCKET_MS = 0.01;
/** The histogram's lowest error (a chunk sent this early or earlier lands in the first bucket), ms. */
const LOW_MS = -5;
/** Errors from here up are counted in 1 ms buckets, ms. */
const FINE_MS = 20;
/** Errors at or above this land in the last bucket, ms. */
const HIGH_MS = 10_000;
const FINE = Math.round((FINE_MS - LOW_MS) / RELEASE_ERROR_BUCKET_MS);
const BUCKETS = FINE + (HIGH_MS - FINE_MS) + 1;

/** Lower edge of bucket i, ms (rounded to the µs: the edges are multiples of 10 µs). */
function lowerEdge(i: number): number {
  return i < FINE ? Math.round((LOW_MS + i * RELEASE_ERROR_BUCKET_MS) * 1000) / 1000 : FINE_MS + (i - FINE);
}

/**
 * How far from its due time each chunk left: error = write time − (receive time + drawn delay),
 * ms, negative when early. Counted in a typed array sized once (10 µs buckets from −5 to 20 ms,
 * 1 ms buckets above), so recording allocates nothing; a window is taken by subtracting an
 * earlier copy.
 */
export class ReleaseErrors {
  readonly counts: Uint32Array;
  count = 0;

  constructor(counts?: Uint32Array) {
    this.counts = counts ?? new Uint32Array(BUCKETS);
    if (counts) for (let i = 0; i < counts.length; i++) this.count += counts[i];
  }

  record(errorMs: number): void {
    let i = errorMs < FINE_MS ? Math.floor((errorMs - LOW_MS) / RELEASE_ERROR_BUCKET_MS) : FINE + Math.floor(errorMs - FINE_MS);
    if (i < 0) i = 0;
    else if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i]++;
    this.count++;
  }

  copy(): ReleaseErrors {
    return new ReleaseErrors(this.counts.slice());
  }

  /** The chunks recorded since `earlier` (a copy of this histogram taken before). */
  since(earlier: ReleaseErrors): ReleaseErrors {
    const out = new Uint32Array(BUCKETS);
    for (let i = 0; i < BUCKETS; i++) out[i] = this.counts[i] - earlier.counts[i];
    return new ReleaseErrors(out);
  }

  /** The q-quantile of the signed error, ms (upper edge of its bucket); NaN when empty. */
  quantile(q: number): number {
    if (!this.count) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i + 1 < BUCKETS ? lowerEdge(i + 1) : HIGH_MS;
    }
    return NaN;
  }

  /**
   * The q-quantile of |error|, ms: early counts as much as late. An upper bound within one
   * bucket: the early buckets are folded onto the late ones by their far edge. NaN when empty.
   */
  absQuantile(q: number): number {
    if (!this.count) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    // walk the late buckets outwards from 0, adding each early bucket once its |error| is covered
    const zero = Math.round(-LOW_MS / RELEASE_ERROR_BUCKET_MS);
    let seen = 0;
    let k = 0; // fine buckets below zero consumed so far
    for (let i = zero; i < BUCKETS; i++) {
      const upper = i + 1 < BUCKETS ? lowerEdge(i + 1) : HIGH_MS;
      // add the early buckets whose |lower edge| is at most this bucket's upper edge
      while (k < zero && (k + 1) * RELEASE_ERROR_BUCKET_MS <= upper + 1e-9) {
        seen += this.counts[zero - 1 - k];
        k++;
      }
      seen += this.counts[i];
      if (seen >= rank) return upper;
    }
    return HIGH_MS;
  }
}
