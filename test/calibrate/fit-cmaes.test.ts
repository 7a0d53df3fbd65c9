import { describe, expect, it } from 'vitest';
import { BOUND_PENALTY, Cmaes, symmetricEigen } from '../../calibrate/fit/cmaes.ts';

/** Runs CMA-ES to a budget on f over the unit box; returns the best sampled point. */
function minimise(f: (u: number[]) => number, mean: number[], sigma: number, budget: number, seed = 1, lambda?: number) {
  const es = new Cmaes({ mean, sigma, seed, lambda });
  let best = { u: mean, f: Infinity };
  while (es.evaluations + es.lambda <= budget) {
    const gen = es.ask();
    const values = gen.map((s) => f(s.u));
    values.forEach((v, i) => { if (v < best.f) best = { u: gen[i].u, f: v }; });
    es.tell(gen, values);
  }
  return { ...best, es };
}

describe('symmetricEigen', () => {
  it('decomposes a symmetric matrix: A v = λ v for every pair, vectors orthonormal', () => {
    const a = [[4, 1, -2, 0.5], [1, 3, 0, 1], [-2, 0, 5, -1], [0.5, 1, -1, 2]];
    const { values, vectors } = symmetricEigen(a);
    for (let k = 0; k < 4; k++) {
      const v = vectors.map((row) => row[k]);
      const av = a.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
      av.forEach((x, i) => expect(x).toBeCloseTo(values[k] * v[i], 10));
      for (let l = 0; l < 4; l++) expect(vectors.reduce((s, row) => s + row[k] * row[l], 0)).toBeCloseTo(k === l ? 1 : 0, 10);
    }
    // trace is the sum of the eigenvalues
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(14, 10);
  });
});

describe('CMA-ES', () => {
  it('finds the minimum of an ill-conditioned, rotated ellipsoid in 8 dimensions', () => {
    const target = [0.3, 0.7, 0.55, 0.2, 0.8, 0.45, 0.6, 0.35];
    // a rotation mixes coordinates: a coordinate search would crawl, CMA-ES learns the axes
    const f = (u: number[]) => {
      const d = u.map((x, i) => x - target[i]);
      // pairwise 45° rotations (orthogonal), then axis scales from 1 to 1000
      const y = d.map((_, i) => (i % 2 === 0 ? d[i] + d[i + 1] : d[i - 1] - d[i]) / Math.SQRT2);
      return y.reduce((s, yi, i) => s + 10 ** ((3 * i) / (y.length - 1)) * yi * yi, 0);
    };
    const r = minimise(f, new Array(8).fill(0.5), 0.3, 4000);
    expect(r.f).toBeLessThan(1e-8);
    r.u.forEach((x, i) => expect(x).toBeCloseTo(target[i], 3));
  });

  it('solves the Rosenbrock valley (scaled into the box)', () => {
    // x = 4u − 2: minimum at x = (1, 1), u = (0.75, 0.75)
    const f = (u: number[]) => {
      const x = u.map((v) => 4 * v - 2);
      return 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2;
    };
    const r = minimise(f, [0.2, 0.75], 0.2, 3000);
    expect(r.u[0]).toBeCloseTo(0.75, 3);
    expect(r.u[1]).toBeCloseTo(0.75, 3);
  });

  it('leaves the local minimum of Rastrigin it starts in for the global basin (larger population)', () => {
    // 4-d Rastrigin on x = 10u − 5, global minimum 0 at u = 0.5; local minima at every integer x
    const f = (u: number[]) => u.reduce((s, v) => { const x = 10 * v - 5; return s + x * x - 10 * Math.cos(2 * Math.PI * x) + 10; }, 0);
    const start = [0.9, 0.1, 0.8, 0.2]; // x = (4, −4, 3, −3): a local minimum
    expect(f(start)).toBeCloseTo(50, 6);
    const r = minimise(f, start, 0.3, 20000, 3, 100);
    // every local minimum but the global one is at least 1 (one coordinate one step off)
    expect(r.f).toBeLessThan(1.5);
  });

  it('keeps to the box: a minimum on a face is found with the mean inside', () => {
    // the unconstrained minimum lies at u = (1.5, 0.3); on the box, at (1, 0.3)
    const f = (u: number[]) => (u[0] - 1.5) ** 2 + (u[1] - 0.3) ** 2;
    const r = minimise(f, [0.5, 0.5], 0.3, 1500);
    expect(r.u[0]).toBe(1);
    expect(r.u[1]).toBeCloseTo(0.3, 4);
    expect(r.es.mean[0]).toBeLessThan(1 + 0.05);
    expect(BOUND_PENALTY).toBeGreaterThan(0);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = new Cmaes({ mean: [0.5, 0.5, 0.5], sigma: 0.3, seed: 7 }).ask();
    const b = new Cmaes({ mean: [0.5, 0.5, 0.5], sigma: 0.3, seed: 7 }).ask();
    const c = new Cmaes({ mean: [0.5, 0.5, 0.5], sigma: 0.3, seed: 8 }).ask();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toHaveLength(4 + Math.floor(3 * Math.log(3)));
  });

  it('refuses a tell that does not match its generation', () => {
    const es = new Cmaes({ mean: [0.5, 0.5], sigma: 0.3, seed: 1 });
    const gen = es.ask();
    expect(() => es.tell(gen.slice(1), [1, 2, 3, 4, 5])).toThrow(/invariant violated/);
  });
});
