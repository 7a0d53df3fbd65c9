import { gammaln, mean, sampleStandardDeviation } from 'simple-statistics';

/**
 * Statistics over simulator replications (same inputs, different seeds) against one measured
 * value: a Student-t confidence interval of the predicted mean and a two-sided one-sample t-test
 * of "the simulator's expected value equals the measurement". simple-statistics gives the mean
 * and the sample standard deviation; the t distribution's CDF (for p-values and
 * critical values) is computed here from the regularised incomplete beta function.
 */
export interface ReplicationStats {
  n: number;
  mean: number;
  /** sample standard deviation over replications */
  sd: number;
  /** confidence interval of the mean at `level` */
  ciLow: number;
  ciHigh: number;
  level: number;
  /** t statistic of the one-sample test against the measured value (null when sd is 0) */
  t: number | null;
  /** two-sided p-value (null when sd is 0: the test is undefined) */
  pValue: number | null;
  /** the measured value lies inside the interval */
  measuredInCi: boolean;
  /**
   * prediction interval of ONE run at `level`: where a single simulated run's value falls (mean ±
   * t · sd · √(1 + 1/n)); a measurement is one run, so this is the spread it is drawn from if the
   * model is right. Against the mean of k measured runs (repeats), the interval of such a mean:
   * mean ± t · sd · √(1/k + 1/n)
   */
  piLow: number;
  piHigh: number;
  /** the measured value lies inside the prediction interval of one run (of the mean of `measuredRuns`) */
  measuredInPi: boolean;
  /** measured runs averaged into the measured value (1: a single run) */
  measuredRuns: number;
}

/** Regularised incomplete beta I_x(a, b) (continued fraction, Numerical Recipes §6.4). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = gammaln(a + b) - gammaln(a) - gammaln(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  const EPS = 1e-14;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** Student t CDF with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The t value with P(T <= t) = p (bisection; p in (0, 1)). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile probability must be in (0, 1) (got ${p})`);
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Confidence interval and one-sample t-test of replicated predictions against a measured value,
 * one run's or the mean of `measuredRuns` repeats (which narrows the prediction interval).
 * @throws RangeError with fewer than 2 replications, or measuredRuns not a whole number ≥ 1.
 */
export function replicationStats(samples: readonly number[], measured: number, level = 0.95, measuredRuns = 1): ReplicationStats {
  if (samples.length < 2) throw new RangeError(`replication statistics need at least 2 replications (got ${samples.length})`);
  if (!(Number.isInteger(measuredRuns) && measuredRuns >= 1)) throw new RangeError(`measured runs must be a whole number >= 1 (got ${measuredRuns})`);
  const n = samples.length;
  const m = mean(samples as number[]);
  const sd = sampleStandardDeviation(samples as number[]);
  const tq = studentTQuantile(1 - (1 - level) / 2, n - 1);
  const half = tq * (sd / Math.sqrt(n));
  const piHalf = tq * sd * Math.sqrt(1 / measuredRuns + 1 / n);
  let t: number | null = null;
  let pValue: number | null = null;
  if (sd > 0) {
    // simple-statistics' tTest divides by the population standard deviation; the one-sample
    // t-test uses the sample standard deviation (n − 1), so the statistic is computed here.
    t = (m - measured) / (sd / Math.sqrt(n));
    pValue = 2 * (1 - studentTCdf(Math.abs(t), n - 1));
  }
  return {
    n, mean: m, sd, ciLow: m - half, ciHigh: m + half, level, t, pValue, measuredInCi: measured >= m - half && measured <= m + half,
    piLow: m - piHalf, piHigh: m + piHalf, measuredInPi: measured >= m - piHalf && measured <= m + piHalf, measuredRuns,
  };
}
