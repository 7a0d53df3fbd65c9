import { mean, sampleStandardDeviation } from 'simple-statistics';
import type { Interval } from '../../model/report.ts';

/**
 * Confidence intervals of a mean over independent replications: Student's t interval,
 * mean ± t(0.975, n−1) · s / √n. Replications are independent (distinct seeds), so the
 * sample mean of a figure is approximately normal for moderate n, and the t interval is the
 * standard choice for an unknown variance.
 */

/** Coverage of every interval this module computes. */
export const CONFIDENCE_LEVEL = 0.95;

// Two-sided 95% quantiles t(0.975, df) for df = 1..30 (standard tables).
const T975: readonly number[] = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
  2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
const Z975 = 1.959963984540054;

/**
 * Quantile t(0.975, df) of Student's t distribution: the table for df ≤ 30, the Cornish–Fisher
 * expansion around the normal quantile beyond (error < 1e-4 for df > 30).
 * @throws Error when df is not a positive integer
 */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`ci invariant violated: degrees of freedom must be a positive integer (got ${df})`);
  if (df <= T975.length) return T975[df - 1];
  const z = Z975;
  const z3 = z * z * z;
  const z5 = z3 * z * z;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df);
}

/**
 * The mean and 95% interval of the non-null values (nulls are figures a replication could
 * not know, e.g. a percentile of an empty Summary). All null: mean null, n 0.
 */
export function intervalOf(values: readonly (number | null | undefined)[]): Interval {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: null, lo: null, hi: null, n: 0 };
  const m = mean(xs);
  if (n < 2) return { mean: m, lo: null, hi: null, n };
  const half = tQuantile975(n - 1) * sampleStandardDeviation(xs) / Math.sqrt(n);
  return { mean: m, lo: m - half, hi: m + half, n };
}

/** Half the width of an interval (0 when all replications agree, null when unknown). */
export function halfWidth(iv: Interval): number | null {
  return iv.lo === null || iv.hi === null ? null : (iv.hi - iv.lo) / 2;
}
