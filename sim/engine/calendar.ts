import type { EventHeap } from './heap.ts';

/**
 * The kernel's far queue: events later than the current time bucket, kept unsorted in buckets
 * of `1 / invWidth` seconds (a calendar queue) and moved into the near heap one bucket at a time.
 *
 * Bucket numbers are `Math.floor(t * invWidth)`, a non-decreasing function of t, so an event in
 * a later bucket is never earlier than one in an earlier bucket: the heap (buckets <= `current`)
 * always holds the earliest events, and (time, sequence) order is exact. Buckets `current + 1 ..
 * current + ring size` live in a ring; later ones wait in one overflow list.
 *
 * perf: with 10^6 pending events the near heap holds a few hundred and stays in cache; an event
 * costs O(1) here plus a push into that small heap.
 */
const NONE = -1;
/** Bucket numbers beyond this are not stepped through (a + 1 would not change them). */
export const MAX_BUCKET = 2 ** 50;

// perf: a bucket is a chain of chunks of CHUNK entries (time, seq, word) stored contiguously,
// not a linked list of single entries: moving a bucket into the heap reads memory in runs the
// processor can prefetch, instead of one dependent cache miss per event. Measured on the
// sustained-1e6 model cut to 3 simulated minutes (42.4 M events, same events either way): CPU
// 17.6..17.9 s -> 15.5..17.2 s, and the kernel's share of the profile 39 % -> 35 %.
const CHUNK = 16;
const ENTRY = 3;
const CHUNK_DOUBLES = CHUNK * ENTRY;

export class Calendar {
  private data: Float64Array;
  private chunkNext: Int32Array;
  private chunkFill: Int32Array;
  private chunkCapacity: number;
  private freeChunk = NONE;
  private freshChunk = 0;

  /** first and last chunk of each ring bucket; index `overflow` (= ring size) is the overflow list */
  private heads: Int32Array = new Int32Array(1).fill(NONE);
  private tails: Int32Array = new Int32Array(1).fill(NONE);
  private mask = 0;
  private overflow = 0;
  /** buckets per second */
  invWidth = 1;
  /** the last bucket moved into the heap: every event in a bucket <= current is in the heap */
  current = 0;
  private ringCount = 0;
  private overflowCount = 0;
  private overflowMin = Infinity;

  /** buckets moved into the heap, events they held and empty buckets stepped over (for retuning) */
  drains = 0;
  drained = 0;
  emptySkips = 0;

  constructor(capacity: number) {
    this.chunkCapacity = Math.max(4, Math.ceil(capacity / CHUNK));
    this.data = new Float64Array(this.chunkCapacity * CHUNK_DOUBLES);
    this.chunkNext = new Int32Array(this.chunkCapacity);
    this.chunkFill = new Int32Array(this.chunkCapacity);
  }

  /** events held */
  get count(): number {
    return this.ringCount + this.overflowCount;
  }

  /** Starts over with a ring of `buckets` (a power of two) buckets of 1 / invWidth seconds. Must be empty. */
  configure(invWidth: number, buckets: number, current: number): void {
    if (this.count !== 0) throw new Error('calendar invariant violated: configure with events held');
    if (this.heads.length !== buckets + 1) {
      this.heads = new Int32Array(buckets + 1);
      this.tails = new Int32Array(buckets + 1);
    }
    this.heads.fill(NONE);
    this.tails.fill(NONE);
    this.mask = buckets - 1;
    this.overflow = buckets;
    this.invWidth = invWidth;
    this.current = current;
    this.overflowMin = Infinity;
    this.drains = 0;
    this.drained = 0;
    this.emptySkips = 0;
  }

  /** Holds an event whose bucket `b` is after `current`. */
  add(b: number, t: number, s: number, w: number): void {
    if (b <= this.current + this.mask + 1) {
      this.append(b & this.mask, t, s, w);
      this.ringCount++;
    } else {
      this.append(this.overflow, t, s, w);
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
      // take the next bucket's chain before refilling: bucket b + ring size shares its ring slot
      const b = this.current + 1;
      const i = b & this.mask;
      let chunk = heads[i];
      heads[i] = NONE;
      this.tails[i] = NONE;
      this.current = b;
      // perf: refill once the earliest overflow bucket is half a ring ahead, not on every step;
      // it then takes everything up to a full ring ahead, so an overflow scan serves many steps
      if (this.overflowMin <= b + ((this.mask + 1) >> 1)) this.refill();
      if (chunk === NONE) {
        this.emptySkips++;
        continue;
      }
      const data = this.data;
      const fill = this.chunkFill;
      let moved = 0;
      while (chunk !== NONE) {
        const n = fill[chunk];
        for (let e = chunk * CHUNK_DOUBLES, end = e + n * ENTRY; e < end; e += ENTRY) {
          heap.insert(data[e], data[e + 1], data[e + 2]);
        }
        moved += n;
        const after = this.chunkNext[chunk];
        this.release(chunk);
        chunk = after;
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
    const data = this.data;
    for (let i = 0; i <= this.overflow; i++) {
      let chunk = this.heads[i];
      while (chunk !== NONE) {
        const n = this.chunkFill[chunk];
        for (let e = chunk * CHUNK_DOUBLES, end = e + n * ENTRY; e < end; e += ENTRY) {
          const k = heap.size++;
          heap.times[k] = data[e];
          heap.seqs[k] = data[e + 1];
          heap.words[k] = data[e + 2];
        }
        const after = this.chunkNext[chunk];
        this.release(chunk);
        chunk = after;
      }
      this.heads[i] = NONE;
      this.tails[i] = NONE;
    }
    this.ringCount = 0;
    this.overflowCount = 0;
    this.overflowMin = Infinity;
  }

  /** Up to about `max` event times, spread over everything held (for choosing a bucket width). */
  sampleTimes(max: number, out: number[]): void {
    const stride = Math.max(1, Math.floor(this.count / max));
    let k = 0;
    for (let i = 0; i <= this.overflow; i++) {
      for (let chunk = this.heads[i]; chunk !== NONE; chunk = this.chunkNext[chunk]) {
        const base = chunk * CHUNK_DOUBLES;
        for (let j = 0; j < this.chunkFill[chunk]; j++) if (k++ % stride === 0) out.push(this.data[base + j * ENTRY]);
      }
    }
  }

  /** Moves overflow events whose bucket entered the ring's span into the ring. */
  private refill(): void {
    let chunk = this.heads[this.overflow];
    this.heads[this.overflow] = NONE;
    this.tails[this.overflow] = NONE;
    this.overflowCount = 0;
    this.overflowMin = Infinity;
    const last = this.current + this.mask + 1;
    while (chunk !== NONE) {
      const n = this.chunkFill[chunk];
      const base = chunk * CHUNK_DOUBLES;
      for (let j = 0; j < n; j++) {
        // appends below may grow the pool: read through `this.data` each time
        const e = base + j * ENTRY;
        const t = this.data[e];
        const s = this.data[e + 1];
        const w = this.data[e + 2];
        const b = Math.floor(t * this.invWidth);
        // the placement of add(), inlined with the ring's end hoisted: this loop moves every overflow event
        if (b <= last) {
          this.append(b & this.mask, t, s, w);
          this.ringCount++;
        } else {
          this.append(this.overflow, t, s, w);
          this.overflowCount++;
          if (b < this.overflowMin) this.overflowMin = b;
        }
      }
      const after = this.chunkNext[chunk];
      this.release(chunk);
      chunk = after;
    }
  }

  private append(list: number, t: number, s: number, w: number): void {
    let chunk = this.tails[list];
    if (chunk === NONE || this.chunkFill[chunk] === CHUNK) {
      const fresh = this.acquire();
      if (chunk === NONE) this.heads[list] = fresh;
      else this.chunkNext[chunk] = fresh;
      this.tails[list] = fresh;
      chunk = fresh;
    }
    const e = chunk * CHUNK_DOUBLES + this.chunkFill[chunk]++ * ENTRY;
    const data = this.data;
    data[e] = t;
    data[e + 1] = s;
    data[e + 2] = w;
  }

  private acquire(): number {
    let chunk = this.freeChunk;
    if (chunk !== NONE) {
      this.freeChunk = this.chunkNext[chunk];
    } else {
      if (this.freshChunk === this.chunkCapacity) this.grow();
      chunk = this.freshChunk++;
    }
    this.chunkNext[chunk] = NONE;
    this.chunkFill[chunk] = 0;
    return chunk;
  }

  private release(chunk: number): void {
    this.chunkNext[chunk] = this.freeChunk;
    this.freeChunk = chunk;
  }

  private grow(): void {
    this.chunkCapacity *= 2;
    const data = new Float64Array(this.chunkCapacity * CHUNK_DOUBLES);
    data.set(this.data);
    this.data = data;
    const next = new Int32Array(this.chunkCapacity);
    next.set(this.chunkNext);
    this.chunkNext = next;
    const fill = new Int32Array(this.chunkCapacity);
    fill.set(this.chunkFill);
    this.chunkFill = fill;
  }
}
