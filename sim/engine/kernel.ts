/**
 * The event kernel: one clock, one queue. Knows no domain.
 *
 * An event is (time, kind, payload): `kind` indexes a handler registered once with `on`, and
 * `payload` is an int32 the handler interprets (an entity id). Events with equal times run in
 * the order they were scheduled (a monotone sequence number breaks ties), which makes runs
 * reproducible.
 *
 * The queue: a 4-ary min-heap on (time, sequence) (heap.ts) for the near events and, once many
 * events are pending, a calendar of time buckets (calendar.ts) for the later ones, moved into
 * the heap a bucket at a time. Both give the same order; tests check it on random schedules.
 *
 * Use: register each handler once with `on` (it returns the kind number), schedule with `at`
 * (absolute time) or `after` (a delay), then `run(until)` executes events in order, advancing
 * `now` to each event's time, until the queue is empty, `until` is passed or a handler calls
 * `stop`. Times are seconds of simulated time; the kernel reads no clock and draws no random
 * number (streams are random.ts, passed to the models by their owners).
 *
 * Guarantees, checked out loud: time never goes backwards (scheduling before `now` throws), and
 * the order depends only on (time, sequence), never on how the queue is laid out, so
 * `calendarFrom` changes speed only. The kernel allocates nothing per event: kind and
 * payload travel packed in one float64 word.
 *
 * Why the queue is built this way, with the measurements behind each choice: bench/README.md
 * ("The event queue"), and `npm run bench -- --case kernel-hold` to measure it again.
 */
import { Calendar, MAX_BUCKET } from './calendar.ts';
import { EventHeap } from './heap.ts';

export type Handler = (payload: number, now: number) => void;

// perf: kind and payload travel as one float64 word, kind * 2^32 + (payload as uint32), so a
// heap move copies three numbers instead of four; `word | 0` gives the int32 payload back.
const KIND_SCALE = 4294967296;
/** The most handlers a kernel accepts (kind * 2^32 must stay an exact float64 integer). */
export const MAX_KINDS = 1 << 20;

/** Tuning of the kernel's queue; the defaults suit every model we run. */
export interface KernelOptions {
  /**
   * Pending events from which later events wait in a calendar of time buckets instead of the
   * heap (default 16,384; Infinity keeps one heap). Changes speed only, never the order.
   */
  calendarFrom?: number;
}

const DEFAULT_CALENDAR_FROM = 16_384;
/** Events per bucket the calendar aims at: the near heap stays this small plus near events. */
const EVENTS_PER_BUCKET = 64;
/** Bucket moves, or events moved, between checks that the bucket width still fits the events. */
const RETUNE_DRAINS = 1024;
const RETUNE_EVENTS = 65_536;
const MIN_BUCKETS = 64;
const MAX_BUCKETS = 1 << 20;
const SAMPLE = 2048;

export class Kernel {
  /** simulation time, seconds */
  now = 0;
  /** events executed so far */
  executed = 0;

  private readonly handlers: Handler[] = [];
  private readonly heap: EventHeap;
  private readonly far: Calendar;
  /** whether later events go to the calendar (see KernelOptions.calendarFrom) */
  private farOn = false;
  private readonly calendarFrom: number;
  /** heap size at which the calendar is (re)considered */
  private nextActivation: number;
  private executedAtRebuild = 0;
  private nextSeq = 0;
  private stopped = false;

  /** `capacity`: events the queue holds before it first grows (it doubles as needed). */
  constructor(capacity = 1024, options: KernelOptions = {}) {
    this.heap = new EventHeap(capacity);
    this.far = new Calendar(capacity);
    this.calendarFrom = Math.max(16, options.calendarFrom ?? DEFAULT_CALENDAR_FROM);
    this.nextActivation = this.calendarFrom;
  }

  /** Registers a handler and returns its kind number. Throws beyond MAX_KINDS handlers. */
  on(handler: Handler): number {
    if (this.handlers.length >= MAX_KINDS) {
      throw new Error(`kernel invariant violated: more than ${MAX_KINDS} handlers`);
    }
    this.handlers.push(handler);
    return this.handlers.length - 1;
  }

  /** Number of pending events. */
  get pending(): number {
    return this.heap.size + this.far.count;
  }

  /** Time of the next pending event (seconds), or Infinity when none is pending. */
  nextTime(): number {
    return this.fill() ? this.heap.times[0] : Infinity;
  }

  /**
   * Schedules `kind(payload)` at absolute time `t` (seconds, >= now). `payload` is kept as an
   * int32. Throws when t is before now or NaN, or kind was not returned by `on`.
   */
  at(t: number, kind: number, payload: number): void {
    if (!(t >= this.now)) throw new Error(`kernel invariant violated: event at ${t} scheduled before now ${this.now}`);
    if (!(kind >= 0 && kind < this.handlers.length)) throw new Error(`kernel invariant violated: unknown kind ${kind}`);
    const seq = this.nextSeq++;
    const word = kind * KIND_SCALE + (payload >>> 0);
    if (this.farOn) {
      const b = Math.floor(t * this.far.invWidth);
      if (b > this.far.current) {
        this.far.add(b, t, seq, word);
        return;
      }
      this.heap.push(t, seq, word);
    } else {
      this.heap.push(t, seq, word);
      if (this.heap.size >= this.nextActivation) this.rebuild();
    }
  }

  /** Schedules `kind(payload)` after a delay in seconds (>= 0). */
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
    const handlers = this.handlers;
    const heap = this.heap;
    while (!this.stopped && (heap.size > 0 || this.fill())) {
      const t = heap.times[0];
      if (t > until) break;
      if (t < this.now) throw new Error(`kernel invariant violated: time ran backwards from ${this.now} to ${t}`);
      const word = heap.words[0];
      heap.removeTop();
      this.now = t;
      this.executed++;
      handlers[Math.floor(word / KIND_SCALE)](word | 0, t);
    }
    if (until !== Infinity && this.now < until && !this.stopped) this.now = until;
  }

  /** Makes the heap hold the earliest pending event; false when nothing is pending. */
  private fill(): boolean {
    const heap = this.heap;
    const far = this.far;
    while (heap.size === 0) {
      if (!this.farOn) return false;
      if (!far.advanceInto(heap)) {
        if (far.count === 0) return false;
        // only events too far ahead to step to are left: one heap takes them
        this.useHeapOnly();
        continue;
      }
      if (far.drains >= RETUNE_DRAINS || far.drained >= RETUNE_EVENTS) this.retune();
    }
    return true;
  }

  /** Rebuilds the calendar when its bucket width no longer fits the pending events. */
  private retune(): void {
    const far = this.far;
    const meanPerBucket = far.drained / far.drains;
    const skipsPerBucket = far.emptySkips / far.drains;
    const pending = this.pending;
    const misfit = pending < this.calendarFrom / 4 || meanPerBucket > 8 * EVENTS_PER_BUCKET ||
      meanPerBucket < EVENTS_PER_BUCKET / 8 || skipsPerBucket > 8;
    // a rebuild costs O(pending): at most one per `pending` events executed keeps it O(1) per event
    if (misfit && this.executed - this.executedAtRebuild >= pending) this.rebuild();
    else {
      far.drains = 0;
      far.drained = 0;
      far.emptySkips = 0;
    }
  }

  private useHeapOnly(): void {
    this.far.drainAll(this.heap);
    this.heap.heapify();
    this.farOn = false;
    this.nextActivation = Math.max(this.calendarFrom, 2 * this.heap.size);
  }

  /**
   * Chooses a bucket width from a sample of pending times (about EVENTS_PER_BUCKET events per
   * bucket) and splits every pending event between the heap and the calendar; or, when the
   * events are too few or all at one time, keeps them in the heap.
   */
  private rebuild(): void {
    const heap = this.heap;
    const far = this.far;
    this.executedAtRebuild = this.executed;
    const n = heap.size + far.count;
    const sample: number[] = [];
    const stride = Math.max(1, Math.floor(heap.size / SAMPLE));
    for (let i = 0; i < heap.size; i += stride) sample.push(heap.times[i]);
    far.sampleTimes(SAMPLE, sample);
    sample.sort((a, b) => a - b);
    far.drainAll(heap);
    let spanS = sample[Math.floor(0.9 * (sample.length - 1))] - this.now;
    if (!(spanS > 0 && spanS < Infinity)) spanS = sample[sample.length - 1] - this.now;
    const widthS = (spanS / (0.9 * n)) * EVENTS_PER_BUCKET;
    const invWidth = 1 / widthS;
    const current = Math.floor(this.now * invWidth);
    if (n < this.calendarFrom / 2 || !(spanS > 0 && spanS < Infinity) || !(invWidth < Infinity) || !(current < MAX_BUCKET / 2)) {
      heap.heapify();
      this.farOn = false;
      this.nextActivation = Math.max(this.calendarFrom, 2 * heap.size);
      return;
    }
    let buckets = MIN_BUCKETS;
    while (buckets < MAX_BUCKETS && buckets * widthS < 2 * spanS) buckets *= 2;
    far.configure(invWidth, buckets, current);
    const times = heap.times;
    const seqs = heap.seqs;
    const words = heap.words;
    let kept = 0;
    for (let i = 0; i < heap.size; i++) {
      const t = times[i];
      const b = Math.floor(t * invWidth);
      if (b <= current) {
        times[kept] = t;
        seqs[kept] = seqs[i];
        words[kept] = words[i];
        kept++;
      } else {
        far.add(b, t, seqs[i], words[i]);
      }
    }
    heap.size = kept;
    heap.heapify();
    this.farOn = true;
  }
}
