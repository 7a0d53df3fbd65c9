import type { Stream } from '../engine/random.ts';

const TWO_POW_32 = 4294967296;

/**
 * xoshiro128** (Blackman & Vigna), a 32-bit generator seeded from a named stream.
 * perf: the hottest draws of a run (network delays, think times: several per request) inline
 * as a few Math.imul and shifts, instead of a call through the seeded stream's wrapper. The
 * numbers still come from one named seeded stream each, so runs stay reproducible and
 * independent of other components.
 */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seedFrom: Stream) {
    this.s0 = (seedFrom.next() * TWO_POW_32) | 0;
    this.s1 = (seedFrom.next() * TWO_POW_32) | 0;
    this.s2 = (seedFrom.next() * TWO_POW_32) | 0;
    this.s3 = (seedFrom.next() * TWO_POW_32) | 0 || 1;
  }

  /** Uniform in [0, 1) with 32 bits. */
  next(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return (result >>> 0) / TWO_POW_32;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
}
