import type { Interval } from '../model/report.ts';
import { confidenceLevel } from './intervals.ts';
import type { Metric } from './metrics.ts';
import type { Tolerances } from './options.ts';
import type { Source } from './sources.ts';

/** One source's value of a metric, with its error against a measurement when one applies. */
export interface Cell {
  value: number | null;
  text: string;
  /** confidence interval over replications, when the Report holds them (its level: the Report's extra.ci.level) */
  interval: Interval | null;
  /** the interval as text, `95% CI 1.2 s – 1.4 s`, or '' */
  intervalText: string;
  /** the measured source this one is checked against (same arch and users), or null */
  reference: Source | null;
  /** (value - measured) / measured; null when there is no reference or either value is unknown */
  error: number | null;
  /** within / outside the metric's tolerance; null when the metric has no tolerance or no error */
  within: boolean | null;
}

export interface CompareRow {
  metric: Metric;
  cells: Cell[];
}

/**
 * The measured source a source's predictions are checked against: the first measured source
 * (kind import or live) of the same architecture and user count, other than itself. Comparing a
 * prediction of one architecture with a measurement of another is a difference, not an error,
 * so no verdict is given then.
 */
export function referenceFor(source: Source, sources: readonly Source[]): Source | null {
  return sources.find((m) => m !== source && m.measured && m.report.arch === source.report.arch && m.report.users === source.report.users) ?? null;
}

/**
 * Relative error of a prediction; when the measurement is 0 only an exact 0 is right
 * (error 0), anything else is reported as an infinite error.
 */
export function relativeError(predicted: number | null, measured: number | null): number | null {
  if (predicted === null || measured === null) return null;
  if (measured === 0) return predicted === 0 ? 0 : Infinity * Math.sign(predicted);
  return (predicted - measured) / Math.abs(measured);
}

/** Builds one row per metric with every source's value and, for predictions, its error. */
export function compareRows(metrics: readonly Metric[], sources: readonly Source[], tolerances: Tolerances): CompareRow[] {
  return metrics.map((metric) => ({
    metric,
    cells: sources.map((s): Cell => {
      const value = metric.get(s.report);
      const reference = s.measured ? null : referenceFor(s, sources);
      const error = reference ? relativeError(value, metric.get(reference.report)) : null;
      const tol = metric.tolerance === null ? null : tolerances[metric.tolerance];
      const within = error === null || tol === null ? null : Math.abs(error) <= tol + 1e-12;
      const interval = metric.interval?.(s.report) ?? null;
      const level = confidenceLevel(s.report);
      const intervalText = interval && level !== null ? `${Math.round(level * 100)}% CI ${metric.format(interval.lo)} – ${metric.format(interval.hi)}` : '';
      return { value, text: metric.format(value), interval, intervalText, reference, error, within };
    }),
  }));
}

/** True when this source is a prediction with a measurement to check it against (it gets an error column). */
export function hasErrorColumn(source: Source, sources: readonly Source[]): boolean {
  return !source.measured && referenceFor(source, sources) !== null;
}

/** True when any source is checked against a measurement (the table then has error columns). */
export function hasPredictionErrors(sources: readonly Source[]): boolean {
  return sources.some((s) => !s.measured && referenceFor(s, sources) !== null);
}

/** Counts the verdicts of one source over the rows: how many within, how many outside. */
export function verdictCounts(rows: readonly CompareRow[], sourceIndex: number): { within: number; outside: number } {
  let within = 0;
  let outside = 0;
  for (const r of rows) {
    const w = r.cells[sourceIndex].within;
    if (w === true) within++;
    else if (w === false) outside++;
  }
  return { within, outside };
}
