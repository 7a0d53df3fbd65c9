import seedrandom from 'seedrandom';

/**
 * Named, independently seeded random streams. Each component draws from its own stream
 * (`streams.get('clients')`), so adding a component does not shift the numbers of the others.
 * No unseeded randomness (Math.random) and no wall clock anywhere in sim/ or model/.
 */
export class Stream {
  private readonly rng: () => number;
  constructor(seed: string) {
    // perf: alea is the fastest of seedrandom's well-tested generators
    this.rng = seedrandom.alea(seed);
  }
  /** uniform in [0, 1) */
  next(): number {
    return this.rng();
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.rng();
  }
  /** exponential with the given mean */
  exp(mean: number): number {
    return -mean * Math.log(1 - this.rng());
  }
  /** integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.rng() * n);
  }
  /** standard normal (Box–Muller, one value per call) */
  normal(): number {
    const u = 1 - this.rng();
    const v = this.rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** lognormal with the given median and shape sigma */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
}

export class Streams {
  private readonly cache = new Map<string, Stream>();
  constructor(readonly seed: number) {}
  get(name: string): Stream {
    let s = this.cache.get(name);
    if (!s) {
      s = new Stream(`${this.seed}/${name}`);
      this.cache.set(name, s);
    }
    return s;
  }
}
