import seedrandom from 'seedrandom';

/**
 * CMA-ES, the covariance matrix adaptation evolution strategy (Hansen & Ostermeier 2001; the
 * update rules and default constants of Hansen, "The CMA Evolution Strategy: A Tutorial",
 * arXiv:1604.00772, appendix A). A global, derivative-free method: each generation samples
 * `lambda` points from a multivariate normal, ranks them, and moves the mean, the step size and
 * the covariance towards the better ones. It needs no hand-set start: a mean and a step size of
 * a quarter to a third of the box suffice, and the sampled cloud can cross ridges a coordinate
 * or simplex search walks along (in the calibration, a stall length and a loop CPU that must move
 * together).
 *
 * Ask/tell: `ask()` returns a generation's points, the caller evaluates them in any order and on
 * any number of machines, and `tell()` takes the values in the same order. Deterministic: the
 * samples come from a generator seeded by the caller (alea), ties are broken by index.
 *
 * Bounds: the caller's box is [0, 1]^n (calibrate/fit/space.ts). A sample outside it is
 * evaluated at its projection onto the box and ranked by that value plus
 * {@link BOUND_PENALTY} × its squared distance to the box (Hansen's tutorial, B.3: repair for
 * the evaluation, penalty for the ranking), so the mean does not drift out of the box.
 */

/** Weight of the squared distance outside the unit box added to a sample's value for ranking. */
export const BOUND_PENALTY = 1;

export interface CmaesOptions {
  /** initial mean, in the unit box */
  mean: readonly number[];
  /** initial step size (unit-box units) */
  sigma: number;
  /** seed of the sampling generator */
  seed: number | string;
  /** samples per generation; default 4 + ⌊3 ln n⌋ */
  lambda?: number;
}

export interface CmaesSample {
  /** the sampled point (may lie outside the box) */
  x: number[];
  /** the point evaluated: x projected onto [0, 1]^n */
  u: number[];
  /** squared distance between x and u */
  outside: number;
}

export class Cmaes {
  readonly n: number;
  readonly lambda: number;
  readonly mu: number;
  private readonly weights: number[];
  private readonly mueff: number;
  private readonly cc: number;
  private readonly cs: number;
  private readonly c1: number;
  private readonly cmu: number;
  private readonly damps: number;
  private readonly chiN: number;
  private readonly normal: () => number;
  mean: number[];
  sigma: number;
  private pc: number[];
  private ps: number[];
  private C: number[][];
  private B: number[][];
  private D: number[];
  generation = 0;
  evaluations = 0;

  constructor(opts: CmaesOptions) {
    const n = opts.mean.length;
    if (n === 0) throw new Error('cmaes needs at least one coordinate');
    if (!(opts.sigma > 0)) throw new Error(`cmaes invariant violated: sigma must be positive (got ${opts.sigma})`);
    this.n = n;
    this.lambda = opts.lambda ?? 4 + Math.floor(3 * Math.log(n));
    if (!Number.isInteger(this.lambda) || this.lambda < 2) throw new Error(`cmaes invariant violated: lambda must be an integer ≥ 2 (got ${this.lambda})`);
    this.mu = Math.floor(this.lambda / 2);
    const raw = Array.from({ length: this.mu }, (_, i) => Math.log((this.lambda + 1) / 2) - Math.log(i + 1));
    const sum = raw.reduce((a, b) => a + b, 0);
    this.weights = raw.map((w) => w / sum);
    this.mueff = 1 / this.weights.reduce((a, w) => a + w * w, 0);
    const { mueff } = this;
    this.cc = (4 + mueff / n) / (n + 4 + (2 * mueff) / n);
    this.cs = (mueff + 2) / (n + mueff + 5);
    this.c1 = 2 / ((n + 1.3) ** 2 + mueff);
    this.cmu = Math.min(1 - this.c1, (2 * (mueff - 2 + 1 / mueff)) / ((n + 2) ** 2 + mueff));
    this.damps = 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + this.cs;
    this.chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
    const rng = seedrandom.alea(String(opts.seed));
    let spare: number | null = null;
    // Box–Muller, both values used
    this.normal = () => {
      if (spare !== null) { const s = spare; spare = null; return s; }
      let a = rng();
      while (a <= 0) a = rng();
      const b = rng();
      const r = Math.sqrt(-2 * Math.log(a));
      spare = r * Math.sin(2 * Math.PI * b);
      return r * Math.cos(2 * Math.PI * b);
    };
    this.mean = [...opts.mean];
    this.sigma = opts.sigma;
    this.pc = new Array<number>(n).fill(0);
    this.ps = new Array<number>(n).fill(0);
    this.C = identity(n);
    this.B = identity(n);
    this.D = new Array<number>(n).fill(1);
  }

  /** The next generation's samples. */
  ask(): CmaesSample[] {
    const out: CmaesSample[] = [];
    for (let k = 0; k < this.lambda; k++) {
      const z = Array.from({ length: this.n }, () => this.normal());
      const y = this.B.map((row) => row.reduce((s, bij, j) => s + bij * this.D[j] * z[j], 0));
      const x = this.mean.map((m, i) => m + this.sigma * y[i]);
      const u = x.map((v) => (v < 0 ? 0 : v > 1 ? 1 : v));
      out.push({ x, u, outside: x.reduce((s, v, i) => s + (v - u[i]) ** 2, 0) });
    }
    return out;
  }

  /**
   * Updates the distribution from a generation's samples and their values (value at `u`; the
   * penalty for lying outside the box is added here). Non-finite values rank last.
   */
  tell(samples: readonly CmaesSample[], values: readonly number[]): void {
    if (samples.length !== this.lambda || values.length !== this.lambda) throw new Error(`cmaes invariant violated: tell needs ${this.lambda} samples and values (got ${samples.length}, ${values.length})`);
    const { n, weights, mu, cs, cc, c1, cmu, mueff } = this;
    this.generation++;
    this.evaluations += this.lambda;
    const ranked = samples.map((s, i) => ({ i, f: (Number.isFinite(values[i]) ? values[i] : Infinity) + BOUND_PENALTY * s.outside }))
      .sort((a, b) => a.f - b.f || a.i - b.i)
      .map((r) => samples[r.i].x);
    const old = this.mean;
    this.mean = Array.from({ length: n }, (_, j) => weights.reduce((s, w, k) => s + w * ranked[k][j], 0));
    const step = this.mean.map((m, j) => (m - old[j]) / this.sigma);
    // C^-1/2 · step = B · D^-1 · Bᵀ · step
    const bt = this.B[0].map((_, j) => this.B.reduce((s, row, i) => s + row[j] * step[i], 0));
    const invSqrt = this.B.map((row) => row.reduce((s, bij, j) => s + (bij * bt[j]) / this.D[j], 0));
    const csn = Math.sqrt(cs * (2 - cs) * mueff);
    this.ps = this.ps.map((p, j) => (1 - cs) * p + csn * invSqrt[j]);
    const psNorm = Math.hypot(...this.ps);
    const hsig = psNorm / Math.sqrt(1 - (1 - cs) ** (2 * this.generation)) / this.chiN < 1.4 + 2 / (n + 1) ? 1 : 0;
    const ccn = Math.sqrt(cc * (2 - cc) * mueff);
    this.pc = this.pc.map((p, j) => (1 - cc) * p + hsig * ccn * step[j]);
    const art = ranked.slice(0, mu).map((x) => x.map((v, j) => (v - old[j]) / this.sigma));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let rankMu = 0;
        for (let k = 0; k < mu; k++) rankMu += weights[k] * art[k][i] * art[k][j];
        const v = (1 - c1 - cmu) * this.C[i][j]
          + c1 * (this.pc[i] * this.pc[j] + (1 - hsig) * cc * (2 - cc) * this.C[i][j])
          + cmu * rankMu;
        this.C[i][j] = v;
        this.C[j][i] = v;
      }
    }
    this.sigma *= Math.exp((cs / this.damps) * (psNorm / this.chiN - 1));
    const { vectors, values: eig } = symmetricEigen(this.C);
    this.B = vectors;
    this.D = eig.map((e) => Math.sqrt(Math.max(e, 1e-20)));
  }

  /** Largest standard deviation of the sampling distribution along a coordinate (unit-box units). */
  spread(): number {
    return this.sigma * Math.sqrt(Math.max(...this.C.map((row, i) => row[i])));
  }
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

/**
 * Eigenvalues and eigenvectors (columns of `vectors`) of a symmetric matrix by cyclic Jacobi
 * rotations: exact to rounding for the small matrices here (n ≤ a few dozen).
 */
export function symmetricEigen(m: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const n = m.length;
  const a = m.map((row) => [...row]);
  const v = identity(n);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i][j] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]), vectors: v };
}
