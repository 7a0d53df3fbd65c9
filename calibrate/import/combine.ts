import { median } from '../../model/levels.ts';
import { PERCENTILE_KEYS, emptySummary, type Summary } from '../../model/report.ts';
import type { MetricStats } from './bench-report.ts';

/**
 * Combines per-report summaries into one Summary, as exactly as summaries allow:
 * - count: the sum; mean: sample-count-weighted;
 * - stddev: pooled over all samples, within-report variance plus the between-report spread of
 *   means: sqrt((Σ(n_i−1)s_i² + Σ n_i(m_i−M)²) / (N−1));
 * - min of mins, max of maxes;
 * - median and percentiles: count-weighted averages of the reports' values. This is an
 *   APPROXIMATION (percentiles of a union are not averages of percentiles); the importer says so
 *   in `report.notes`.
 * Reports without samples (null) are skipped; with none left the Summary is empty (count 0).
 */
export function combineStats(parts: readonly (MetricStats | null)[]): Summary {
  const xs = parts.filter((p): p is MetricStats => p !== null && p.count > 0);
  if (xs.length === 0) return emptySummary();
  let n = 0;
  let sumMean = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const p of xs) {
    n += p.count;
    sumMean += p.count * p.mean;
    if (p.min < min) min = p.min;
    if (p.max > max) max = p.max;
  }
  const mean = sumMean / n;
  let ss = 0;
  for (const p of xs) ss += (p.count - 1) * p.stddev * p.stddev + p.count * (p.mean - mean) ** 2;
  const out = emptySummary();
  out.count = n;
  out.mean = mean;
  out.stddev = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  out.min = min;
  out.max = max;
  out.median = weighted(xs, (p) => p.median);
  for (const key of PERCENTILE_KEYS) out[key] = weighted(xs, (p) => p.percentiles[key]);
  // The tool's median and 50% columns are the same statistic; prefer the durations table's median.
  if (out.p50 === null) out.p50 = out.median;
  return out;
}

/** Count-weighted average of a per-report value over the reports that have it; null if none. */
function weighted(xs: readonly MetricStats[], get: (p: MetricStats) => number | undefined): number | null {
  let w = 0;
  let s = 0;
  for (const p of xs) {
    const v = get(p);
    if (v === undefined) continue;
    w += p.count;
    s += p.count * v;
  }
  return w === 0 ? null : s / w;
}

/**
 * The within-report part of the pooled standard deviation alone, sqrt(Σ n_i s_i² / N): what the
 * thesis printed as its global standard deviations (174 / 541 / 176 ms on the baseline), which
 * leave out the spread between regions. Null without samples.
 */
export function withinReportStddev(parts: readonly (MetricStats | null)[]): number | null {
  let n = 0;
  let s = 0;
  for (const p of parts) {
    if (!p || p.count === 0) continue;
    n += p.count;
    s += p.count * p.stddev * p.stddev;
  }
  return n === 0 ? null : Math.sqrt(s / n);
}

/** The median of the reports' medians (robust to the mismatched-response artefacts of `min`). */
export function medianOfMedians(parts: readonly (MetricStats | null)[]): number | null {
  return median(parts.filter((p): p is MetricStats => p !== null && p.count > 0).map((p) => p.median));
}
