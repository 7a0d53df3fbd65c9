import type { Kernel } from '../engine/kernel.ts';

/**
 * A timing wheel for messages reaching the event loops: requests and handshakes arriving from
 * clients, and the continuations of async/batched handlers whose awaits are done.
 *
 * perf: instead of one kernel event per message (the heap or calendar insert and removal that
 * dominate a run at 10^6 users), messages wait in buckets of TICK_S, and one kernel event per
 * non-empty bucket releases them (last pushed first within a bucket). Each message still starts at
 * max(its own time, its loop's free time), so latencies use exact times; the only approximation
 * is order: two messages reaching one loop within the same TICK_S (0.25 ms) may be served in
 * either order.
 */
export const TICK_S = 0.00025;
const BUCKETS = 1 << 18; // 65.5 s ahead; later messages go through the kernel
const MASK = BUCKETS - 1;

export class MessageWheel {
  private readonly head = new Int32Array(BUCKETS).fill(-1);
  /** messages waiting */
  private pending = 0;
  /** messages released so far */
  released = 0;
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

  /** User u's message is due at time tS (>= now). */
  push(u: number, tS: number): void {
    const k = Math.ceil(tS / TICK_S);
    if (k - Math.ceil(this.kernel.now / TICK_S) >= BUCKETS - 1) {
      this.direct(u, tS);
      return;
    }
    const b = k & MASK;
    // perf: pushed at the head (a stack per bucket): only this user's record is written, not the
    // previous tail's (a cache miss per message at 10^6 users)
    this.links[u * this.stride + this.offset] = this.head[b];
    this.head[b] = u;
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
    // messages pushed into this bucket while it is released are released too
    while (this.head[b] >= 0) {
      const u = this.head[b];
      this.head[b] = this.links[u * this.stride + this.offset];
      this.pending--;
      this.released++;
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
