import type { Kernel } from '../engine/kernel.ts';

/**
 * A timing wheel for the continuations of async/batched handlers: the moment a handler's awaits
 * are done, its continuation joins its loop's FIFO queue.
 *
 * perf: instead of one kernel event per continuation (half of all events in async/batched runs),
 * continuations wait in buckets of TICK_S and one kernel event per non-empty bucket releases
 * them (at 10^6 users ~60 continuations share a tick). Each continuation still starts
 * at max(its own time, its loop's free time); the only approximation is order: a message that
 * reaches the loop later than a continuation but in the same tick may be served before it (at
 * most TICK_S out of FIFO order).
 */
export const TICK_S = 0.001;
const BUCKETS = 1 << 16; // 65.5 s ahead; further continuations go through the kernel
const MASK = BUCKETS - 1;

export class ContinuationWheel {
  private readonly head = new Int32Array(BUCKETS).fill(-1);
  private readonly tail = new Int32Array(BUCKETS).fill(-1);
  /** continuations waiting */
  private pending = 0;
  /** bucket of the tick event that will release next (-1: none scheduled); other ticks are stale */
  private scheduled = -1;
  private readonly kTick: number;

  /**
   * links: per-user storage for the bucket lists, `links[u * stride + offset]` (perf: inside the
   * user's own record, which its release reads anyway: no cache miss of its own).
   */
  constructor(
    private readonly kernel: Kernel,
    private readonly links: Float64Array,
    private readonly stride: number,
    private readonly offset: number,
    private readonly release: (u: number) => void,
    private readonly direct: (u: number, t: number) => void,
  ) {
    this.kTick = kernel.on((k) => this.tick(k));
  }

  /** User u's continuation is due at time tS (>= now). */
  push(u: number, tS: number): void {
    const k = Math.ceil(tS / TICK_S);
    if (k - Math.ceil(this.kernel.now / TICK_S) >= BUCKETS - 1) {
      this.direct(u, tS);
      return;
    }
    const b = k & MASK;
    this.links[u * this.stride + this.offset] = -1;
    if (this.head[b] < 0) this.head[b] = u;
    else this.links[this.tail[b] * this.stride + this.offset] = u;
    this.tail[b] = u;
    this.pending++;
    // an earlier tick than the one scheduled (if any): the later one becomes stale
    if (this.scheduled < 0 || k < this.scheduled) this.schedule(k);
  }

  private schedule(k: number): void {
    this.scheduled = k;
    this.kernel.at(Math.max(k * TICK_S, this.kernel.now), this.kTick, k);
  }

  private tick(k: number): void {
    if (k !== this.scheduled) return; // stale: an earlier tick took over
    const b = k & MASK;
    // continuations pushed into this bucket while it is released are released too
    while (this.head[b] >= 0) {
      const u = this.head[b];
      const n = this.links[u * this.stride + this.offset];
      this.head[b] = n;
      if (n < 0) this.tail[b] = -1;
      this.pending--;
      this.release(u);
    }
    if (this.pending === 0) {
      this.scheduled = -1;
      return;
    }
    // the next non-empty bucket (one exists within the ring: pending > 0)
    let n = k + 1;
    while (this.head[n & MASK] < 0) n++;
    this.schedule(n);
  }
}
