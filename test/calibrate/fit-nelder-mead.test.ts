import { describe, expect, it } from 'vitest';
import { nelderMead } from '../../calibrate/fit/nelder-mead.ts';

describe('nelderMead', () => {
  it('finds the minimum of a shifted quadratic bowl in 3 dimensions', () => {
    const target = [0.3, -1.2, 2.5];
    const f = (x: readonly number[]) => x.reduce((s, xi, i) => s + (i + 1) * (xi - target[i]) ** 2, 0);
    const r = nelderMead(f, [0, 0, 0], { step: 0.5, maxEvals: 2000, fTol: 1e-14, xTol: 1e-9 });
    r.x.forEach((xi, i) => expect(xi).toBeCloseTo(target[i], 4));
    expect(r.fx).toBeLessThan(1e-8);
  });

  it('solves the Rosenbrock valley from the classic start (-1.2, 1)', () => {
    const f = (x: readonly number[]) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2;
    const r = nelderMead(f, [-1.2, 1], { step: 0.5, maxEvals: 5000, fTol: 1e-16, xTol: 1e-10 });
    expect(r.x[0]).toBeCloseTo(1, 3);
    expect(r.x[1]).toBeCloseTo(1, 3);
  });

  it('never exceeds its evaluation budget and reports every evaluation', () => {
    let calls = 0;
    const seen: number[] = [];
    const r = nelderMead((x) => { calls++; return Math.abs(x[0] - 7) + Math.abs(x[1]); }, [0, 0], {
      maxEvals: 17,
      onEval: (evals) => seen.push(evals),
    });
    expect(calls).toBeLessThanOrEqual(17);
    expect(r.evals).toBe(calls);
    expect(seen).toEqual(Array.from({ length: calls }, (_, i) => i + 1));
    expect(r.stop).toBe('maxEvals');
  });

  it('treats NaN and infinite values as worse than any finite value', () => {
    const f = (x: readonly number[]) => (x[0] < 0 ? NaN : (x[0] - 1) ** 2);
    const r = nelderMead(f, [0.5], { step: -0.4, maxEvals: 300 });
    expect(r.x[0]).toBeCloseTo(1, 3);
  });

  it('is deterministic: the same call gives the same path', () => {
    const f = (x: readonly number[]) => Math.sin(3 * x[0]) + (x[1] - 0.2) ** 2 + 0.1 * x[0] ** 2;
    const a = nelderMead(f, [1, 1], { maxEvals: 150 });
    const b = nelderMead(f, [1, 1], { maxEvals: 150 });
    expect(a).toEqual(b);
  });
});
