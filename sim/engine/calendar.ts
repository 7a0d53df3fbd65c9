import type { EventHeap } from './heap.ts';

/**
 * The kernel's far queue: events later than the current time bucket, kept unsorted in buckets
 * of `widthS` seconds (a calendar queue) and moved into the near heap one bucket at a time.
 *
 * Bucket numbers are `Math.floor(t * invWidth)`, a non-decreasing function of t, so an event in
 * a later bucket is never earlier than one in an earlier bucket: the heap (buckets <= `current`)
 * always holds the earliest events, and (time, sequence) order is exact. Buckets `current + 1 ..
 * current + ring size` live in a ring of linked lists; later ones wait in one overflow list.
 *
 * perf: with 10^6 pending events the near heap holds a few hundred and stays in cache; an event
 * costs O(1) here plus a push into that small heap.
 */
const NONE = -1;
const STRIDE = 4; // time, seq, word, next
/** Bucket numbers beyond this are not stepped through (a + 1 would not change them). */
export const MAX_BUCKET = 2 ** 50;

export class Calendar {
  // perf: the entry pool interleaves (time, seq, word, next) in one array, so visiting an entry
  // of a bucket's linked list costs one cache miss rather than four.
  private pool: Float64Array;
  private capacity: number;
  private freeHead = NONE;
  private fresh = 0;

  private heads: Int32Array = new Int32Array(0);
  private mask = 0;
  /** buckets per second */
  invWidth = 1;
  /** the last bucket moved into the heap: every event in a bucket <= current is in the heap */
  current = 0;
  private ringCount = 0;
  private overflowHead = NONE;
  private overflowCount = 0;
  private overflowMin = Infinity;

  /** buckets moved into the heap, events they held and empty buckets stepped over (for retuning) */
  drains = 0;
  drained = 0;
  emptySkips = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(16, capacity | 0);
    this.pool = new Float64Array(this.capacity * STRIDE);
  }

  /** events held */
  get count(): number {
    return this.ringCount + this.overflowCount;
  }

  /** Starts over with a ring of `buckets` (a power of two) buckets of 1 / invWidth seconds. Must be empty. */
  configure(invWidth: number, buckets: number, current: number): void {
    if (this.count !== 0) throw new Error('calendar invariant violated: configure with events held');
    if (this.heads.length !== buckets) this.heads = new Int32Array(buckets);
    this.heads.fill(NONE);
    this.mask = buckets - 1;
    this.invWidth = invWidth;
    this.current = current;
    this.overflowMin = Infinity;
    this.drains = 0;
    this.drained = 0;
    this.emptySkips = 0;
  }

  /** Holds an event whose bucket `b` is after `current`. */
  add(b: number, t: number, s: number, w: number): void {
    const slot = this.alloc();
    const pool = this.pool;
    const e = slot * STRIDE;
    pool[e] = t;
    pool[e + 1] = s;
    pool[e + 2] = w;
    if (b <= this.current + this.mask + 1) {
      const i = b & this.mask;
      pool[e + 3] = this.heads[i];
      this.heads[i] = slot;
      this.ringCount++;
    } else {
      pool[e + 3] = this.overflowHead;
      this.overflowHead = slot;
      this.overflowCount++;
      if (b < this.overflowMin) this.overflowMin = b;
    }
  }

  /**
   * Moves the next non-empty bucket into the (empty) heap. Returns false when nothing moved:
   * the calendar is empty, or holds only events too far ahead to step to (the caller then
   * takes them all with `drainAll`).
   */
  advanceInto(heap: EventHeap): boolean {
    const heads = this.heads;
    for (;;) {
      if (this.ringCount === 0) {
        if (this.overflowCount === 0 || !(this.overflowMin < MAX_BUCKET)) return false;
        this.current = this.overflowMin - 1;
        this.refill();
      }
      // take the next bucket's list before refilling: bucket b + ring size shares its ring slot
      const b = this.current + 1;
      const i = b & this.mask;
      let slot = heads[i];
      heads[i] = NONE;
      this.current = b;
      // perf: refill once the earliest overflow bucket is half a ring ahead, not on every step;
      // it then takes everything up to a full ring ahead, so an overflow scan serves many steps
      if (this.overflowMin <= b + ((this.mask + 1) >> 1)) this.refill();
      if (slot === NONE) {
        this.emptySkips++;
        continue;
      }
      const pool = this.pool;
      let moved = 0;
      while (slot !== NONE) {
        const e = slot * STRIDE;
        const after = pool[e + 3];
        heap.insert(pool[e], pool[e + 1], pool[e + 2]);
        pool[e + 3] = this.freeHead;
        this.freeHead = slot;
        moved++;
        slot = after;
      }
      this.ringCount -= moved;
      this.drains++;
      this.drained += moved;
      return true;
    }
  }

  /** Moves every held event into the heap's array, unordered (the caller heapifies). */
  drainAll(heap: EventHeap): void {
    heap.reserve(heap.size + this.count);
    const pool = this.pool;
    const visit = (head: number): void => {
      for (let slot = head; slot !== NONE; ) {
        const e = slot * STRIDE;
        const after = pool[e + 3];
        const k = heap.size++;
        heap.times[k] = pool[e];
        heap.seqs[k] = pool[e + 1];
        heap.words[k] = pool[e + 2];
        pool[e + 3] = this.freeHead;
        this.freeHead = slot;
        slot = after;
      }
    };
    for (let i = 0; i < this.heads.length; i++) {
      visit(this.heads[i]);
      this.heads[i] = NONE;
    }
    visit(this.overflowHead);
    this.overflowHead = NONE;
    this.ringCount = 0;
    this.overflowCount = 0;
    this.overflowMin = Infinity;
  }

  /** Up to `max` event times, spread over everything held (for choosing a bucket width). */
  sampleTimes(max: number, out: number[]): void {
    const stride = Math.max(1, Math.floor(this.count / max));
    let k = 0;
    const visit = (head: number): void => {
      for (let slot = head; slot !== NONE; slot = this.pool[slot * STRIDE + 3]) {
        if (k++ % stride === 0) out.push(this.pool[slot * STRIDE]);
      }
    };
    for (let i = 0; i < this.heads.length; i++) visit(this.heads[i]);
    visit(this.overflowHead);
  }

  /** Moves overflow events whose bucket entered the ring's span into the ring. */
  private refill(): void {
    let slot = this.overflowHead;
    this.overflowHead = NONE;
    this.overflowCount = 0;
    this.overflowMin = Infinity;
    const last = this.current + this.mask + 1;
    const pool = this.pool;
    while (slot !== NONE) {
      const e = slot * STRIDE;
      const after = pool[e + 3];
      const b = Math.floor(pool[e] * this.invWidth);
      if (b <= last) {
        const i = b & this.mask;
        pool[e + 3] = this.heads[i];
        this.heads[i] = slot;
        this.ringCount++;
      } else {
        pool[e + 3] = this.overflowHead;
        this.overflowHead = slot;
        this.overflowCount++;
        if (b < this.overflowMin) this.overflowMin = b;
      }
      slot = after;
    }
  }

  private alloc(): number {
    if (this.freeHead !== NONE) {
      const slot = this.freeHead;
      this.freeHead = this.pool[slot * STRIDE + 3];
      return slot;
    }
    if (this.fresh === this.capacity) this.grow();
    return this.fresh++;
  }

  private grow(): void {
    this.capacity *= 2;
    const pool = new Float64Array(this.capacity * STRIDE);
    pool.set(this.pool);
    this.pool = pool;
  }
}
