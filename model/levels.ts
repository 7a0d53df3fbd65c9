import type { MinAvgMax } from './report.ts';

/**
 * Min, average and max of a series: the MinAvgMax of a Report (CPU, memory and disk per
 * instance, the meters over minutes). Null entries are values a source did not measure and are
 * skipped; the average is the plain sum in series order over the count of known values. Also the
 * median of a list of figures.
 */

/** The three levels of a series that has at least one known value. */
export interface Levels {
  min: number;
  avg: number;
  max: number;
}

/** Min, average and max of the known (non-null) values, or null when there is none. */
export function levelsOf(values: Iterable<number | null>): Levels | null {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v === null) continue;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return n === 0 ? null : { min, avg: sum / n, max };
}

/** As {@link levelsOf}, with every level null when no value is known (the Report's form). */
export function minAvgMax(values: Iterable<number | null>): MinAvgMax {
  return levelsOf(values) ?? { min: null, avg: null, max: null };
}

/**
 * The median of the values: the middle one, or the mean of the two middle ones of an even
 * count; null when there is none.
 */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
