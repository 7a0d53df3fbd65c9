import type { Kernel } from '../engine/kernel.ts';

/**
 * A timing wheel for the continuations of async/batched handlers: the moment a handler's awaits
 * are done, its continuation joins its loop's FIFO queue.
 *
 * perf: instead of one kernel event per continuation (half of all events in async/batched runs),
 * continuations wait in buckets of TICK_S and one kernel event per bucket releases them, only
 * while any wait (at 10^6 users ~60 continuations share a tick). Each continuation still starts
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
  /** next bucket (absolute index) to release */
  private cursor = 0;
  private ticking = false;
  private readonly kTick: number;

  /**
   * `release(u)`: user u's continuation is due (at the time the caller stored for it).
   * `direct(u, t)`: a continuation beyond the wheel's reach, to schedule on the kernel.
   */
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
    let k = Math.ceil(tS / TICK_S);
    if (this.ticking) {
      if (k < this.cursor) k = this.cursor;
      if (k - this.cursor >= BUCKETS) {
        this.direct(u, tS);
        return;
      }
    } else {
      // nothing pending: the wheel restarts at this bucket
      this.cursor = k;
      this.ticking = true;
      this.kernel.at(Math.max(k * TICK_S, this.kernel.now), this.kTick, k);
    }
    const b = k & MASK;
    this.links[u * this.stride + this.offset] = -1;
    if (this.head[b] < 0) this.head[b] = u;
    else this.links[this.tail[b] * this.stride + this.offset] = u;
    this.tail[b] = u;
    this.pending++;
  }

  private tick(k: number): void {
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
    // every bucket ticks while any continuation waits, so a push never lands before the cursor
    this.cursor = k + 1;
    if (this.pending > 0) this.kernel.at(Math.max((k + 1) * TICK_S, this.kernel.now), this.kTick, k + 1);
    else this.ticking = false;
  }
}
