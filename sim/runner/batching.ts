/**
 * The per-pool broadcast batching check (SYSTEM.md §1): a prediction's check reaches Redis at
 * time tc and is due when no last-broadcast timestamp SET that has landed by tc is within the
 * window. With get-then-set (`racy`) a due check's SET lands a gap after its GET (a round trip
 * plus driver work), so checks inside that gap also see the old value and publish too; with
 * check-and-set (`atomic`) the gap is zero.
 *
 * Checks are computed when their handler starts, not in time order (a handler queued behind a
 * blocked loop checks far ahead of the clock), so a check is decided in two steps:
 * - when computed: if a SET known by then has landed by tc within the window, it is not due —
 *   final, as SETs computed later can only add to what it sees;
 * - otherwise it may be due: it is decided again at tc itself (a kernel event), in time order,
 *   when every SET that lands by tc is known. Only the few checks right after a window expires
 *   take that event.
 */
export class PoolClock {
  private values: Float64Array[];
  private lands: Float64Array[];
  private readonly sizes: Int32Array;

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

  /** Does the check of `pool` reaching Redis at tc see no landed SET within the window (so far)? */
  due(pool: number, tc: number): boolean {
    const v = this.values[pool];
    const land = this.lands[pool];
    const n = this.sizes[pool];
    // perf: checks mostly come after every set: no search then
    const end = n === 0 || tc >= v[n - 1] ? n : this.upper(pool, tc);
    // only sets with value in (tc − window − maxGap, tc] can have landed within the window
    const floor = tc - this.windowS - this.maxGapS;
    for (let i = end - 1; i >= 0 && v[i] > floor; i--) {
      if (land[i] <= tc && tc - v[i] <= this.windowS) return false;
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
