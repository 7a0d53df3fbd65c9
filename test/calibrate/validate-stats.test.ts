import { describe, expect, it } from 'vitest';
import { incompleteBeta, replicationStats, studentTCdf, studentTQuantile } from '../../calibrate/validate/stats.ts';

describe('replication statistics', () => {
  it('t distribution matches published critical values', () => {
    // two-sided 95% critical values from any t table
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706, 3);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.776, 3);
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.262, 3);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.042, 3);
    expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 12);
  });

  it('incomplete beta has known values', () => {
    expect(incompleteBeta(0.5, 2, 2)).toBeCloseTo(0.5, 12);
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(incompleteBeta(0.2, 2, 1)).toBeCloseTo(0.04, 12);
  });

  it('a hand-computed interval and test', () => {
    // mean 10, sd 1.5811 (samples 8,9,10,11,12), n 5: half width 2.776 * 1.5811 / sqrt 5 = 1.9632
    const s = replicationStats([8, 9, 10, 11, 12], 13);
    expect(s.mean).toBe(10);
    expect(s.ciLow).toBeCloseTo(8.0368, 3);
    expect(s.ciHigh).toBeCloseTo(11.9632, 3);
    expect(s.measuredInCi).toBe(false);
    // t = (10 - 13) / (1.5811 / sqrt 5) = -4.2426, df 4: two-sided p = 0.01324
    expect(s.t).toBeCloseTo(-4.2426, 3);
    expect(s.pValue!).toBeCloseTo(0.01324, 4);
    // one run's 95 % prediction interval: 2.776 * 1.5811 * sqrt(1 + 1/5) = 4.8085 around 10
    expect(s.piLow).toBeCloseTo(5.1915, 3);
    expect(s.piHigh).toBeCloseTo(14.8085, 3);
    // 13 is outside the interval of the mean but inside the spread of single runs
    expect(s.measuredInPi).toBe(true);
    expect(replicationStats([8, 9, 10, 11, 12], 15).measuredInPi).toBe(false);
  });

  it('against the mean of k measured runs, the prediction interval of such a mean', () => {
    // 2.776 * 1.5811 * sqrt(1/4 + 1/5) = 2.9444 around 10: 13 is outside it, inside one run's
    const s = replicationStats([8, 9, 10, 11, 12], 13, 0.95, 4);
    expect(s.piLow).toBeCloseTo(7.0556, 3);
    expect(s.piHigh).toBeCloseTo(12.9444, 3);
    expect(s.measuredInPi).toBe(false);
    expect(s.measuredRuns).toBe(4);
    // the interval of the mean and the test do not depend on it
    expect(s.ciHigh).toBeCloseTo(11.9632, 3);
    expect(() => replicationStats([8, 9], 9, 0.95, 0)).toThrow(/whole number/);
  });

  it('a measurement inside the spread is not significant', () => {
    const s = replicationStats([8, 9, 10, 11, 12], 10.2);
    expect(s.measuredInCi).toBe(true);
    expect(s.pValue!).toBeGreaterThan(0.5);
  });

  it('identical replications give no test, and one replication is refused', () => {
    const s = replicationStats([5, 5, 5], 6);
    expect(s.t).toBeNull();
    expect(s.pValue).toBeNull();
    expect(() => replicationStats([1], 1)).toThrow(/at least 2/);
  });
});
