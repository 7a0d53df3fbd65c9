/**
 * The kernel's near queue: a 4-ary min-heap of events ordered by (time, sequence), in three
 * parallel typed arrays. An event's `word` is opaque here (the kernel packs kind and payload).
 */

// perf: 4 children per node: half the levels of a binary heap, and the 4 children's times sit
// in one 32-byte run of `times`, so a level costs one cache line when the heap is large.
const ARITY_SHIFT = 2;
const ARITY = 1 << ARITY_SHIFT;

export class EventHeap {
  // perf: keys live in heap order (not behind a slot index), so comparisons read adjacent memory
  // and no free list is kept.
  times: Float64Array;
  seqs: Float64Array;
  words: Float64Array;
  size = 0;

  constructor(capacity: number) {
    const n = Math.max(16, capacity | 0);
    this.times = new Float64Array(n);
    this.seqs = new Float64Array(n);
    this.words = new Float64Array(n);
  }

  /** Adds an event; `seq` must exceed every sequence number already held. */
  push(t: number, seq: number, word: number): void {
    if (this.size === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const words = this.words;
    // sift up; the new event has the largest sequence number, so it passes only strictly later times
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> ARITY_SHIFT;
      const pt = times[parent];
      if (t < pt) {
        times[i] = pt;
        seqs[i] = seqs[parent];
        words[i] = words[parent];
        i = parent;
      } else break;
    }
    times[i] = t;
    seqs[i] = seq;
    words[i] = word;
  }

  /** Adds an event with any sequence number (used when refilling from the far queue). */
  insert(t: number, seq: number, word: number): void {
    if (this.size === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const words = this.words;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> ARITY_SHIFT;
      const pt = times[parent];
      if (t < pt || (t === pt && seq < seqs[parent])) {
        times[i] = pt;
        seqs[i] = seqs[parent];
        words[i] = words[parent];
        i = parent;
      } else break;
    }
    times[i] = t;
    seqs[i] = seq;
    words[i] = word;
  }

  /** Removes the earliest event (the caller has read times[0] and words[0]). */
  removeTop(): void {
    const n = --this.size;
    if (n > 0) this.siftDown(0, this.times[n], this.seqs[n], this.words[n], n);
  }

  /** Restores heap order over arbitrary contents of the first `size` entries (Floyd, O(n)). */
  heapify(): void {
    const n = this.size;
    for (let i = (n - 2) >> ARITY_SHIFT; i >= 0; i--) this.siftDown(i, this.times[i], this.seqs[i], this.words[i], n);
  }

  private siftDown(start: number, lastT: number, lastS: number, lastW: number, n: number): void {
    const times = this.times;
    const seqs = this.seqs;
    const words = this.words;
    let i = start;
    for (;;) {
      const first = (i << ARITY_SHIFT) + 1;
      if (first >= n) break;
      const end = first + ARITY < n ? first + ARITY : n;
      let best = first;
      let bestT = times[first];
      let bestS = seqs[first];
      for (let c = first + 1; c < end; c++) {
        const ct = times[c];
        if (ct < bestT || (ct === bestT && seqs[c] < bestS)) {
          best = c;
          bestT = ct;
          bestS = seqs[c];
        }
      }
      if (bestT < lastT || (bestT === lastT && bestS < lastS)) {
        times[i] = bestT;
        seqs[i] = bestS;
        words[i] = words[best];
        i = best;
      } else break;
    }
    times[i] = lastT;
    seqs[i] = lastS;
    words[i] = lastW;
  }

  /** Makes room for at least `n` events. */
  reserve(n: number): void {
    while (this.times.length < n) this.grow();
  }

  private grow(): void {
    const n = this.times.length * 2;
    const times = new Float64Array(n);
    times.set(this.times);
    this.times = times;
    const seqs = new Float64Array(n);
    seqs.set(this.seqs);
    this.seqs = seqs;
    const words = new Float64Array(n);
    words.set(this.words);
    this.words = words;
  }
}
