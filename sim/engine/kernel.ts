/**
 * The event kernel: one clock, one queue. Knows no domain.
 *
 * An event is (time, kind, payload): `kind` indexes a handler registered once with `on`, and
 * `payload` is an integer the handler interprets (an entity id). Events with equal times run in
 * the order they were scheduled (a monotone sequence number breaks ties), which makes runs
 * reproducible.
 *
 * perf: events live in typed arrays indexed by slot and the heap orders slot numbers, so
 * scheduling allocates nothing and no closure is created per event.
 */
export type Handler = (payload: number, now: number) => void;

export class Kernel {
  /** simulation time, seconds */
  now = 0;
  /** events executed so far */
  executed = 0;

  private readonly handlers: Handler[] = [];
  private times: Float64Array;
  private seqs: Float64Array;
  private kinds: Int32Array;
  private payloads: Int32Array;
  private heap: Int32Array;
  private size = 0;
  private freeSlots: Int32Array;
  private freeTop = 0;
  private nextSeq = 0;
  private stopped = false;

  constructor(initialCapacity = 1024) {
    const n = Math.max(16, initialCapacity | 0);
    this.times = new Float64Array(n);
    this.seqs = new Float64Array(n);
    this.kinds = new Int32Array(n);
    this.payloads = new Int32Array(n);
    this.heap = new Int32Array(n);
    this.freeSlots = new Int32Array(n);
    for (let i = 0; i < n; i++) this.freeSlots[i] = n - 1 - i;
    this.freeTop = n;
  }

  /** Registers a handler and returns its kind number. */
  on(handler: Handler): number {
    this.handlers.push(handler);
    return this.handlers.length - 1;
  }

  /** Number of pending events. */
  get pending(): number {
    return this.size;
  }

  /** Schedules `kind(payload)` at absolute time `t` (seconds, >= now). */
  at(t: number, kind: number, payload: number): void {
    if (!(t >= this.now)) throw new Error(`kernel invariant violated: event at ${t} scheduled before now ${this.now}`);
    if (this.freeTop === 0) this.grow();
    const slot = this.freeSlots[--this.freeTop];
    this.times[slot] = t;
    this.seqs[slot] = this.nextSeq++;
    this.kinds[slot] = kind;
    this.payloads[slot] = payload;
    // sift up
    const heap = this.heap;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (this.before(slot, p)) {
        heap[i] = p;
        i = parent;
      } else break;
    }
    heap[i] = slot;
  }

  /** Schedules `kind(payload)` after a delay in seconds. */
  after(delayS: number, kind: number, payload: number): void {
    this.at(this.now + delayS, kind, payload);
  }

  /** Stops `run` after the current event. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Runs events in time order until the queue is empty, `stop()` is called, or the next event
   * is later than `until` (the clock is then advanced to `until`).
   */
  run(until = Infinity): void {
    this.stopped = false;
    const heap = this.heap;
    while (this.size > 0 && !this.stopped) {
      const slot = this.heap[0];
      const t = this.times[slot];
      if (t > until) break;
      this.popTop();
      this.now = t;
      const kind = this.kinds[slot];
      const payload = this.payloads[slot];
      this.freeSlots[this.freeTop++] = slot;
      this.executed++;
      this.handlers[kind](payload, t);
    }
    void heap;
    if (until !== Infinity && this.now < until && !this.stopped) this.now = until;
  }

  private before(a: number, b: number): boolean {
    const ta = this.times[a];
    const tb = this.times[b];
    return ta < tb || (ta === tb && this.seqs[a] < this.seqs[b]);
  }

  private popTop(): void {
    const heap = this.heap;
    const last = heap[--this.size];
    if (this.size === 0) return;
    let i = 0;
    const n = this.size;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.before(heap[child + 1], heap[child])) child++;
      if (this.before(heap[child], last)) {
        heap[i] = heap[child];
        i = child;
      } else break;
    }
    heap[i] = last;
  }

  private grow(): void {
    const old = this.times.length;
    const n = old * 2;
    const grow64 = (a: Float64Array) => { const b = new Float64Array(n); b.set(a); return b; };
    const grow32 = (a: Int32Array) => { const b = new Int32Array(n); b.set(a); return b; };
    this.times = grow64(this.times);
    this.seqs = grow64(this.seqs);
    this.kinds = grow32(this.kinds);
    this.payloads = grow32(this.payloads);
    this.heap = grow32(this.heap);
    const free = new Int32Array(n);
    for (let i = 0; i < n - old; i++) free[i] = n - 1 - i;
    this.freeSlots = free;
    this.freeTop = n - old;
  }
}
