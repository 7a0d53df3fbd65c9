import { describe, expect, it } from 'vitest';
import { HINGE_MARGIN, HUBER_DELTA, termCost, termQuadratic } from '../../calibrate/fit/loss.ts';
import { useTrustRegion } from '../../calibrate/fit/calibrate.ts';
import { broydenUpdate, linearised, minimiseModel, modelLoss, trustRegionSearch, type TermModel, type TermValues } from '../../calibrate/fit/trust.ts';

/** Plain squared terms: cost e², one quadratic piece centred on 0. */
const squares = (n: number, weight = 1): TermModel[] => Array.from({ length: n }, () => ({ weight, cost: (e) => (e === null ? 16 : e * e), quadraticAt: () => [{ curvature: 1, centre: 0 }] }));
/** The loss's own terms (Huber and hinge) for a mean (tolerance 10 %, scale 1). */
const lossTerms = (n: number): TermModel[] => Array.from({ length: n }, () => {
  const t = { scale: 1, tolerance: 0.1 };
  return { weight: 1 / n, cost: (e) => termCost(t, e), quadraticAt: (e) => termQuadratic(t, e) };
});

describe('the loss as quadratic pieces', () => {
  it('adds up to the term\'s cost inside Huber\'s region, with the hinge beyond its band', () => {
    for (const t of [{ scale: 1, tolerance: 0.1 }, { scale: 0.4, tolerance: 0.25 }, { scale: 1, tolerance: null }]) {
      for (const e of [0, 0.03, -0.05, 0.12, -0.15, 0.2]) {
        if (Math.abs(e * t.scale) > HUBER_DELTA) continue;
        const pieces = termQuadratic(t, e);
        expect(pieces.reduce((s, p) => s + p.curvature * (e - p.centre) ** 2, 0)).toBeCloseTo(termCost(t, e), 12);
      }
    }
    // inside the hinge band only Huber's piece; beyond it, the hinge's too
    expect(termQuadratic({ scale: 1, tolerance: 0.1 }, Math.log(1 + HINGE_MARGIN * 0.1) - 1e-6)).toHaveLength(1);
    expect(termQuadratic({ scale: 1, tolerance: 0.1 }, Math.log(1 + HINGE_MARGIN * 0.1) + 1e-6)).toHaveLength(2);
  });

  it('reweights Huber\'s linear part: the piece matches the cost\'s slope far out', () => {
    const t = { scale: 1, tolerance: null };
    const e = 1.5;
    const [p] = termQuadratic(t, e);
    const slope = (termCost(t, e + 1e-6) - termCost(t, e - 1e-6)) / 2e-6;
    expect(2 * p.curvature * e).toBeCloseTo(slope, 5);
  });
});

describe('minimiseModel', () => {
  it('solves a linear least-squares model exactly when the box does not bind', () => {
    // errors e = e0 + J x, minimum where J x = −e0: x = (1, −2) for this full-rank J
    const J = [[1, 0], [0, 1], [1, 1]];
    const x0 = [1, -2];
    const e0 = J.map((row) => -(row[0] * x0[0] + row[1] * x0[1]));
    const r = minimiseModel(squares(3), e0, J, [-5, -5], [5, 5]);
    expect(r.x[0]).toBeCloseTo(1, 8);
    expect(r.x[1]).toBeCloseTo(-2, 8);
    expect(r.value).toBeCloseTo(0, 12);
  });

  it('stays inside its box and lowers the model there', () => {
    const J = [[1, 0], [0, 1]];
    const e0 = [-1, 2];
    const r = minimiseModel(squares(2), e0, J, [-0.3, -0.3], [0.3, 0.3]);
    expect(r.x).toEqual([0.3, -0.3]);
    expect(r.value).toBeCloseTo(0.7 ** 2 + 1.7 ** 2, 12);
  });

  it('treats a missing error as a constant', () => {
    const r = minimiseModel(squares(2), [null, 0.5], [[1, 0], [0, 1]], [-1, -1], [1, 1]);
    expect(r.x[1]).toBeCloseTo(-0.5, 8);
    expect(r.x[0]).toBe(0);
    expect(r.value).toBeCloseTo(16, 10);
  });

  it('minimises the loss\'s own costs (Huber and hinge), where a grid search finds their minimum', () => {
    // one parameter; two terms pull it to 0.02, one far-out term to 2
    const terms = lossTerms(3);
    const e0 = [-0.02, -0.02, -2];
    const J = [[1], [1], [1]];
    const r = minimiseModel(terms, e0, J, [-5], [5]);
    const grid = Array.from({ length: 4001 }, (_, k) => -1 + k * 0.001);
    const best = grid.reduce((b, x) => (modelLoss(terms, linearised(e0, J, [x])) < modelLoss(terms, linearised(e0, J, [b])) ? x : b), 0);
    expect(r.x[0]).toBeCloseTo(best, 2);
    expect(r.value).toBeLessThanOrEqual(modelLoss(terms, linearised(e0, J, [best])) + 1e-9);
  });
});

describe('broydenUpdate', () => {
  it('makes the Jacobian reproduce the step it saw (the secant equation) and leaves orthogonal directions', () => {
    const J = [[1, 0], [0, 1]];
    broydenUpdate(J, [0.1, 0], [0.3, 0.05]);
    expect(J[0][0] * 0.1).toBeCloseTo(0.3, 12);
    expect(J[1][0] * 0.1).toBeCloseTo(0.05, 12);
    expect(J[0][1]).toBe(0);
    expect(J[1][1]).toBe(1);
  });
});

describe('trustRegionSearch', () => {
  /**
   * A calibration in miniature: four "statistics" predicted from three coordinates that trade
   * against each other (log errors of products of powers, so ln-linear in the log of the
   * parameter, but the parameter is on a log scale of the unit cube: nonlinear in u), measured
   * at a known point.
   */
  const truth = [0.62, 0.35, 0.48];
  const predict = (u: number[]): number[] => {
    const p = u.map((x) => 10 ** (3 * x - 1));
    return [p[0] * p[1], p[0] / p[2] + p[1], Math.sqrt(p[1] * p[2]) + 0.1 * p[0], p[2] ** 1.5 + p[0] * p[1] * p[2]];
  };
  const measured = predict(truth);
  const terms = lossTerms(4);
  const valuesAt = (u: number[]): TermValues => {
    const errors = predict(u).map((p, t) => Math.log(p / measured[t]));
    return { value: modelLoss(terms, errors), errors };
  };

  it('finds the measured point from far away within a small budget, evaluating two steps at a time', async () => {
    const start = [0.2, 0.8, 0.9];
    const batches: number[] = [];
    const f = async (points: number[][]) => { batches.push(points.length); return points.map(valuesAt); };
    const r = await trustRegionSearch(f, terms, start, valuesAt(start), 60);
    expect(r.value).toBeLessThan(1e-8);
    r.u.forEach((x, i) => expect(x).toBeCloseTo(truth[i], 3));
    expect(r.evals).toBeLessThanOrEqual(60);
    expect(batches[0]).toBe(3);
    expect(batches.slice(1).every((n) => n === 2 || n === 3)).toBe(true);
  });

  it('is deterministic and never ends worse than it started', async () => {
    const start = [0.9, 0.1, 0.1];
    const f = async (points: number[][]) => points.map(valuesAt);
    const a = await trustRegionSearch(f, terms, start, valuesAt(start), 30);
    const b = await trustRegionSearch(f, terms, start, valuesAt(start), 30);
    expect(a).toEqual(b);
    expect(a.value).toBeLessThan(valuesAt(start).value);
    expect(a.evals).toBeLessThanOrEqual(30);
  });

  it('spends nothing when the budget cannot hold a Jacobian', async () => {
    const start = [0.5, 0.5, 0.5];
    const r = await trustRegionSearch(async (p) => p.map(valuesAt), terms, start, valuesAt(start), 4);
    expect(r).toEqual({ u: start, value: valuesAt(start).value, evals: 0 });
  });
});

describe('useTrustRegion (which local search runs)', () => {
  it('auto: only when one seed per evaluation resolves every run\'s tail', () => {
    expect(useTrustRegion('auto', [1])).toBe(true);
    expect(useTrustRegion(undefined, [1, 1])).toBe(true);
    expect(useTrustRegion('auto', [1, 4])).toBe(false);
    expect(useTrustRegion('trust', [4])).toBe(true);
    expect(useTrustRegion('compass', [1])).toBe(false);
  });
});
