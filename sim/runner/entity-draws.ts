import type { Stream } from '../engine/random.ts';

const TWO_POW_32 = 4294967296;

/**
 * Where the entities' counters live: entity i's at counts[i × stride + offset]. A simulation
 * that keeps a record per entity puts them in it: the record is in cache when the entity draws,
 * a separate array of 10^6 counters is not (perf: one cache miss per draw less; the sustained
 * bench architecture's 10-minute run at 10^6 users 24.5 s → 20.5–21.6 s).
 */
export interface Counters {
  readonly counts: Float64Array;
  readonly stride: number;
  readonly offset: number;
}

/**
 * Draws per entity (a user, a process): the k-th number of entity i is a fixed function of the
 * stream's key, i and k, whatever the other entities drew meanwhile.
 *
 * Why: calibration compares runs whose parameters differ slightly, with the same seed (common
 * random numbers), and needs their difference to be the parameters' effect. With one generator
 * shared by every entity, the numbers go out in event order: a parameter change that swaps two
 * events anywhere hands every later number to another entity, and the whole rest of the run is a
 * new sample. Measured on the thesis baseline at the committed parameters, with the stalls drawn
 * from one stream for all 16 processes, raising the loop CPU per message by 0.18 % moved
 * Ireland's simulated request mean from 124.8 to 154.5 ms; with the stalls, the lock and the
 * fan-outs drawn per process and the delays and think times per user, from 124.07 to 124.05 ms.
 * Dedicating streams to the sources of randomness is the textbook way to synchronise common
 * random numbers (Law, "Simulation Modeling and Analysis", 5th ed., §11.2).
 *
 * A counter-based generator (as in Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011): a hash of (key, entity, counter), so an entity costs one counter instead of a
 * generator's state; the users' counters live in their own records (`Counters`), which a user's
 * event reads anyway, so they cost neither memory nor a cache miss. The hash is three rounds of
 * `lowbias32` (C. Wellons' hash-prospector, 2018: a bijective 32-bit mixer with low avalanche
 * bias), keyed twice; tested for uniformity and independence between entities and counters in
 * test/sim/runner/entity-draws.test.ts.
 */
export class EntityDraws {
  private readonly key: number;
  private readonly counts: Float64Array;
  private readonly stride: number;
  private readonly offset: number;

  /**
   * `entities`: how many entities draw (ids 0 … entities − 1), their counters kept here; or
   * where the caller keeps them (`Counters`).
   */
  constructor(seedFrom: Stream, entities: number | Counters) {
    this.key = (seedFrom.next() * TWO_POW_32) | 0;
    const at = typeof entities === 'number' ? { counts: new Float64Array(entities), stride: 1, offset: 0 } : entities;
    this.counts = at.counts;
    this.stride = at.stride;
    this.offset = at.offset;
  }

  /** Entity i's next uniform in [0, 1), 32 bits. */
  next(i: number): number {
    const j = i * this.stride + this.offset;
    return entityUniform(this.key, i, this.counts[j]++);
  }

  /** Entity i's next uniform in [lo, hi). */
  uniform(i: number, lo: number, hi: number): number {
    return lo + (hi - lo) * this.next(i);
  }
}

/** A bijective 32-bit mixer (lowbias32, Wellons' hash-prospector). */
function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The k-th uniform in [0, 1) of entity i under `key`. */
export function entityUniform(key: number, i: number, k: number): number {
  let h = lowbias32((key + Math.imul(i, 0x9e3779b9)) | 0);
  h = lowbias32((h + Math.imul(k + 1, 0x85ebca77)) | 0);
  return lowbias32(h ^ key) / TWO_POW_32;
}
