/**
 * The per-pool broadcast batching check (SYSTEM.md §1): a prediction's check reaches Redis at
 * time tc and is due when the newest last-broadcast timestamp SET that has landed by tc is older
 * than the window. With get-then-set (`racy`) the SET lands a gap after the GET (a round trip
 * plus driver work), so checks inside that gap also see the old value and publish too; with
 * check-and-set (`atomic`) the gap is zero.
 *
 * Checks are computed when their handler starts, not in time order (a handler queued far behind
 * a blocked loop checks far ahead of the clock). So every SET is kept per pool, sorted by value,
 * and a check is judged against the SETs that landed before it, whatever order they were
 * computed in. A check that is due but comes here after a later check whose GET would have
 * seen this one's SET is "swapped": that later check's update stands for this window, so the
 * number of updates per window is the one of time order.
 */
export class PoolClock {
  private values: Float64Array[];
  private lands: Float64Array[];
  private readonly sizes: Int32Array;
  /** the last decide() found the check due but left the publish to a later check already made */
  swapped = false;

  constructor(pools: number, private readonly windowS: number, private readonly maxGapS: number) {
    this.values = Array.from({ length: pools }, () => new Float64Array(64));
    this.lands = Array.from({ length: pools }, () => new Float64Array(64));
    this.sizes = new Int32Array(pools);
  }

  /** Index of the first set with value > x (binary search). */
  private upper(pool: number, x: number): number {
    const v = this.values[pool];
    let lo = 0;
    let hi = this.sizes[pool];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Is the check of `pool` reaching Redis at tc due? gapS: its get-to-set landing delay. */
  decide(pool: number, tc: number, gapS: number): boolean {
    this.swapped = false;
    const v = this.values[pool];
    const land = this.lands[pool];
    // newest landed value at tc: only sets with value in (tc − window − maxGap, tc] can matter
    const n = this.sizes[pool];
    // perf: checks mostly come in time order, after every set: no search then
    const end = n === 0 || tc >= v[n - 1] ? n : this.upper(pool, tc);
    const floor = tc - this.windowS - this.maxGapS;
    for (let i = end - 1; i >= 0 && v[i] > floor; i--) {
      if (land[i] <= tc && tc - v[i] <= this.windowS) return false;
    }
    // due: unless a later check already made would have seen this one's SET
    const from = n === 0 || tc + gapS - 1e-12 >= v[n - 1] ? n : this.upper(pool, tc + gapS - 1e-12);
    if (from < n && v[from] - tc <= this.windowS) {
      this.swapped = true;
      return false;
    }
    return true;
  }

  /** Records a SET of `pool`'s timestamp to valueS, landing at landS. */
  record(pool: number, valueS: number, landS: number): void {
    let n = this.sizes[pool];
    if (n === this.values[pool].length) {
      const nv = new Float64Array(n * 2);
      nv.set(this.values[pool]);
      this.values[pool] = nv;
      const nl = new Float64Array(n * 2);
      nl.set(this.lands[pool]);
      this.lands[pool] = nl;
    }
    const v = this.values[pool];
    const land = this.lands[pool];
    const at = n === 0 || valueS >= v[n - 1] ? n : this.upper(pool, valueS);
    v.copyWithin(at + 1, at, n);
    land.copyWithin(at + 1, at, n);
    v[at] = valueS;
    land[at] = landS;
    this.sizes[pool] = ++n;
  }
}
