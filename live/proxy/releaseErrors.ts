/** Width of a bucket of the release-error histogram, ms. */
export const RELEASE_ERROR_BUCKET_MS = 0.01;
/** The histogram's lowest error (a chunk sent this early or earlier lands in the first bucket), ms. */
const LOW_MS = -5;
/** Errors at or above this land in the last bucket, ms. */
const HIGH_MS = 200;
const BUCKETS = Math.round((HIGH_MS - LOW_MS) / RELEASE_ERROR_BUCKET_MS) + 1;

/**
 * How far from its due time each chunk left: error = write time − (receive time + drawn delay),
 * ms, negative when early. Counted in fixed 10 µs buckets (a typed array sized once, so
 * recording allocates nothing); windows are taken by subtracting an earlier copy.
 */
export class ReleaseErrors {
  readonly counts: Uint32Array;
  count = 0;

  constructor(counts?: Uint32Array) {
    this.counts = counts ?? new Uint32Array(BUCKETS);
    if (counts) for (let i = 0; i < counts.length; i++) this.count += counts[i];
  }

  record(errorMs: number): void {
    let i = Math.floor((errorMs - LOW_MS) / RELEASE_ERROR_BUCKET_MS);
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
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return LOW_MS + (i + 1) * RELEASE_ERROR_BUCKET_MS;
    }
    return NaN;
  }

  /** The q-quantile of |error|, ms (upper edge of its bucket): early and late count alike; NaN when empty. */
  absQuantile(q: number): number {
    if (!this.count) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    // bucket i covers [LOW + i·w, LOW + (i+1)·w); |error| grows outwards from the bucket holding 0
    const zero = Math.round(-LOW_MS / RELEASE_ERROR_BUCKET_MS);
    let seen = this.counts[zero];
    if (seen >= rank) return RELEASE_ERROR_BUCKET_MS;
    for (let k = 1; k < BUCKETS; k++) {
      if (zero + k < BUCKETS) seen += this.counts[zero + k];
      if (zero - k >= 0) seen += this.counts[zero - k];
      if (seen >= rank) return (k + 1) * RELEASE_ERROR_BUCKET_MS;
    }
    return HIGH_MS;
  }
}
