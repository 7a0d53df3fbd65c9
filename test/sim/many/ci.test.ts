import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { halfWidth, intervalOf, tQuantile975 } from '../../../sim/many/ci.ts';

describe('95% confidence intervals', () => {
  it('uses the published t quantiles', () => {
    expect(tQuantile975(1)).toBeCloseTo(12.706, 3);
    expect(tQuantile975(10)).toBeCloseTo(2.228, 3);
    expect(tQuantile975(30)).toBeCloseTo(2.042, 3);
    // tables: t(0.975, 60) = 2.000, t(0.975, 120) = 1.980
    expect(tQuantile975(60)).toBeCloseTo(2.0, 2);
    expect(tQuantile975(120)).toBeCloseTo(1.98, 2);
    expect(() => tQuantile975(0)).toThrow(/degrees of freedom/);
  });

  it('gives mean ± t·s/√n (known answer)', () => {
    const iv = intervalOf([1, 2, 3, 4, 5]);
    // s = 1.5811, t(4) = 2.776: half = 2.776 * 1.5811 / √5 = 1.963
    expect(iv.mean).toBe(3);
    expect(iv.n).toBe(5);
    expect(halfWidth(iv)!).toBeCloseTo(1.963, 3);
  });

  it('ignores figures a replication could not know, and has no interval below 2 values', () => {
    expect(intervalOf([null, 4, null, 6])).toMatchObject({ mean: 5, n: 2 });
    expect(intervalOf([7])).toEqual({ mean: 7, lo: null, hi: null, n: 1 });
    expect(intervalOf([null, null])).toEqual({ mean: null, lo: null, hi: null, n: 0 });
  });

  it('property: intervals shrink as replications grow (lognormal latencies, 200 trials per size)', () => {
    const rng = seedrandom.alea('ci-shrink');
    const draw = (): number => 100 * Math.exp(Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()));
    const avgHalf = (n: number): number => {
      let sum = 0;
      for (let trial = 0; trial < 200; trial++) sum += halfWidth(intervalOf(Array.from({ length: n }, draw)))!;
      return sum / 200;
    };
    const sizes = [3, 5, 10, 20, 40];
    const halves = sizes.map(avgHalf);
    for (let i = 1; i < halves.length; i++) expect(halves[i]).toBeLessThan(halves[i - 1]);
    // and at the rate theory says: ~1/√n for large n (40 vs 10: about half)
    expect(halves[4] / halves[2]).toBeGreaterThan(0.4);
    expect(halves[4] / halves[2]).toBeLessThan(0.6);
  });
});
