import type net from 'node:net';
import { ReleaseErrors } from './releaseErrors.ts';

/**
 * One direction of an emulated network path.
 * - `delayMs`: one-way delay added to every chunk (half the path's RTT)
 * - `jitterMs`: each chunk's delay is drawn uniformly in delayMs ± jitterMs (never below 0)
 * - `loss`: probability a chunk is "lost"; TCP hides a loss as a retransmission, so it costs
 *   `rtoMs` of extra delay instead of missing bytes
 */
export interface LinkSpec {
  delayMs: number;
  jitterMs: number;
  loss: number;
  rtoMs: number;
}

/** Where a proxy's delay lines read the time (ms) and arm their one timer. */
export interface ProxyClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** performance.now() and setTimeout. */
export const REAL_CLOCK: ProxyClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Bytes a delay line may hold before it stops reading its source (backpressure). */
export const PROXY_MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/**
 * A chunk this close to its due time is sent now rather than waiting for another timer, ms. Half
 * the timer's 1 ms granularity: a chunk leaves within ±0.5 ms of its due time plus the wake-up
 * latency of the loop, instead of up to a whole timer tick late.
 */
export const SEND_EARLY_TOLERANCE_MS = 0.5;

/** Counters of one proxy, shared by the delay lines of both its directions. */
export interface LineStats {
  bytes: number;
  chunks: number;
  lost: number;
  latenessSum: number;
  latenessMax: number;
}

/** What waits on a DueClock: a delay line (or, in tests, anything with a due time). */
export interface Waiter {
  /** position in the clock's heap, -1 when not in it (the clock keeps it) */
  heapIndex: number;
  /** when the waiter is due, ms on the clock's time (the heap key; set before `add`) */
  wakeAt: number;
  /** called once the waiter is due (within SEND_EARLY_TOLERANCE_MS), with the time of the tick */
  flush(now: number): void;
}

/**
 * The one timer of this process's delay lines: a min-heap of the lines whose first chunk waits,
 * keyed by that chunk's due time, and a single setTimeout armed for the earliest. A chunk never
 * gets a timer of its own; when the timer fires, every line that is due is flushed, so thousands
 * of connections (every region's paths in one process) cost one timer between them.
 */
export class DueClock {
  private readonly heap: Waiter[] = [];
  private timer: unknown = null;
  private armedFor = Infinity;

  constructor(readonly time: ProxyClock) {}

  /** Puts a line in the heap at its key `line.wakeAt` (it must not be in it yet). */
  add(line: Waiter): void {
    const h = this.heap;
    let i = h.length;
    h.push(line);
    line.heapIndex = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent].wakeAt <= line.wakeAt) break;
      h[i] = h[parent];
      h[i].heapIndex = i;
      i = parent;
    }
    h[i] = line;
    line.heapIndex = i;
    if (i === 0) this.arm();
  }

  /** Takes a line out of the heap (when its connection is torn down). */
  remove(line: Waiter): void {
    const i = line.heapIndex;
    if (i < 0) return;
    const h = this.heap;
    const last = h.pop()!;
    line.heapIndex = -1;
    if (last !== line) {
      h[i] = last;
      last.heapIndex = i;
      this.siftDown(i);
      this.siftUp(last.heapIndex);
    }
    if (!h.length && this.timer) {
      this.time.clearTimer(this.timer);
      this.timer = null;
      this.armedFor = Infinity;
    }
  }

  private siftUp(i: number): void {
    const h = this.heap;
    const x = h[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent].wakeAt <= x.wakeAt) break;
      h[i] = h[parent];
      h[i].heapIndex = i;
      i = parent;
    }
    h[i] = x;
    x.heapIndex = i;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = h.length;
    const x = h[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && h[c + 1].wakeAt < h[c].wakeAt) c++;
      if (h[c].wakeAt >= x.wakeAt) break;
      h[i] = h[c];
      h[i].heapIndex = i;
      i = c;
    }
    h[i] = x;
    x.heapIndex = i;
  }

  private pop(): Waiter {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    top.heapIndex = -1;
    if (h.length) {
      h[0] = last;
      last.heapIndex = 0;
      this.siftDown(0);
    }
    return top;
  }

  /** Arms the timer for the earliest line if it is not armed for that time already. */
  private arm(): void {
    if (!this.heap.length) return;
    const at = this.heap[0].wakeAt;
    if (this.timer && this.armedFor <= at) return;
    if (this.timer) this.time.clearTimer(this.timer);
    this.armedFor = at;
    // The timer sleeps a whole number of ms from about now: the nearest whole number lands the
    // wake-up within ±0.5 ms of `at`, inside the send tolerance; if the loop's cached time makes
    // it fire earlier, `fire` finds nothing due and re-arms for the rest.
    this.timer = this.time.setTimer(this.fire, Math.max(1, Math.round(at - this.time.now())));
  }

  /**
   * Sends what is already due at `now` without waiting for the timer (called as chunks arrive:
   * a busy process reads far more often than its 1 ms timer can fire).
   */
  poll(now: number): void {
    if (this.heap.length && this.heap[0].wakeAt <= now) {
      while (this.heap.length && this.heap[0].wakeAt <= now) this.pop().flush(now);
    }
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.armedFor = Infinity;
    const now = this.time.now();
    while (this.heap.length && this.heap[0].wakeAt - now <= SEND_EARLY_TOLERANCE_MS) this.pop().flush(now);
    this.arm();
  };
}

/** The process-wide clock of every proxy started here with the real time. */
export const realClock = new DueClock(REAL_CLOCK);

/**
 * One direction of one connection: chunks leave in arrival order, each no earlier than its own
 * due time. A chunk's due time is max(previous due, arrival + drawn delay), so jitter never
 * reorders bytes, exactly as TCP delivers them in order. Chunks due together are written to the
 * socket in one corked batch (one writev).
 */
export class DelayLine implements Waiter {
  // perf: chunks[head..tail) wait; the arrays keep their capacity when the line empties (most
  // lines hold one chunk at a time, and truncating them made every push allocate anew)
  private readonly chunks: (Buffer | undefined)[] = [];
  private readonly due: number[] = [];
  private head = 0;
  private tail = 0;
  private lastDue = 0;
  private queuedBytes = 0;
  private paused = false;
  private ended = false;
  /** position in the clock's heap, -1 when not waiting there */
  heapIndex = -1;
  /** due time of the first waiting chunk (the heap key) */
  wakeAt = 0;

  constructor(
    private readonly from: net.Socket,
    private readonly to: net.Socket,
    private readonly link: LinkSpec,
    private readonly rng: () => number,
    private readonly stats: LineStats,
    /** extra delay of the first chunk only (connection setup), ms */
    private setupMs: number,
    private readonly clock: DueClock,
    /** where each chunk's release error is counted (write time − due time) */
    private readonly errors: ReleaseErrors,
    /** false when the source was opened with `onread` and hands its chunks to `push` itself */
    listen = true,
  ) {
    if (listen) from.on('data', (b: Buffer) => this.push(b));
    from.on('end', () => {
      this.ended = true;
      if (this.heapIndex < 0) this.flush();
    });
    to.on('drain', () => { if (this.heapIndex < 0) this.flush(); });
  }

  /** Takes a chunk read from the source (the caller owns nothing of it afterwards). */
  push(b: Buffer): void {
    const now = this.clock.time.now();
    let d = this.link.delayMs + this.setupMs;
    this.setupMs = 0;
    if (this.link.jitterMs > 0) d = Math.max(0, d + (this.rng() * 2 - 1) * this.link.jitterMs);
    if (this.link.loss > 0 && this.rng() < this.link.loss) {
      d += this.link.rtoMs;
      this.stats.lost++;
    }
    const due = Math.max(this.lastDue, now + d);
    this.lastDue = due;
    if (this.tail === this.chunks.length) {
      this.chunks.push(b);
      this.due.push(due);
    } else {
      this.chunks[this.tail] = b;
      this.due[this.tail] = due;
    }
    this.tail++;
    this.queuedBytes += b.length;
    if (this.queuedBytes > PROXY_MAX_QUEUED_BYTES && !this.paused) {
      this.paused = true;
      this.from.pause();
    }
    // the first waiting chunk: the line joins the clock (later ones wait behind it)
    if (this.head === this.tail - 1) {
      if (due - now <= SEND_EARLY_TOLERANCE_MS) this.flush(now);
      else {
        this.wakeAt = due;
        this.clock.add(this);
      }
    }
    this.clock.poll(now);
  }

  /** Sends every chunk due by `now`; re-joins the clock for the next one, if any. */
  flush(now = this.clock.time.now()): void {
    const to = this.to;
    const open = !to.destroyed;
    let corked = false;
    // the chunks of one flush leave in one (corked) write: the time now, not the tick's, is
    // their write time (lines flushed later in a tick leave later)
    const writtenAt = this.clock.time.now();
    while (this.head < this.tail) {
      const due = this.due[this.head];
      if (due - now > SEND_EARLY_TOLERANCE_MS) {
        if (corked) to.uncork();
        if (this.heapIndex < 0) {
          this.wakeAt = due;
          this.clock.add(this);
        }
        return;
      }
      const b = this.chunks[this.head]!;
      this.chunks[this.head] = undefined;
      this.head++;
      this.queuedBytes -= b.length;
      const error = writtenAt - due;
      this.errors.record(error);
      const late = error > 0 ? error : 0;
      this.stats.latenessSum += late;
      if (late > this.stats.latenessMax) this.stats.latenessMax = late;
      this.stats.bytes += b.length;
      this.stats.chunks++;
      if (open) {
        if (!corked && this.head < this.tail) {
          to.cork();
          corked = true;
        }
        to.write(b);
      }
    }
    if (corked) to.uncork();
    this.head = 0;
    this.tail = 0;
    if (this.paused && this.queuedBytes < PROXY_MAX_QUEUED_BYTES / 2) {
      this.paused = false;
      this.from.resume();
    }
    if (this.ended && !this.to.destroyed) this.to.end();
  }

  destroy(): void {
    this.clock.remove(this);
  }
}
