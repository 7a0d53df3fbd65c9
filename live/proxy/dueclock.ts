/**
 * The one timer of a process's delay lines (`DueClock`) and the clock it reads; what it releases
 * and when is the whole of the proxy's timing, tested alone on an injected clock (dueclock.test.ts).
 */

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

/**
 * A chunk this close to its due time is sent now rather than waiting for another timer, ms. Half
 * the timer's 1 ms granularity: a chunk leaves within ±0.5 ms of its due time plus the wake-up
 * latency of the loop, instead of up to a whole timer tick late.
 */
export const SEND_EARLY_TOLERANCE_MS = 0.5;

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
    line.heapIndex = this.heap.length;
    this.heap.push(line);
    this.siftUp(line.heapIndex);
    if (line.heapIndex === 0) this.arm();
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
