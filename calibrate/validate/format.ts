import { findRegion } from '../../model/regions.ts';
import type { Report } from '../../model/report.ts';
import type { ComparisonRow } from './compare.ts';
import type { RunValidation, ValidationResult } from './validate.ts';

/**
 * Human output of `sim validate`: per measured run, one line per region, metric and statistic
 * with predicted, measured, relative error, tolerance and verdict; with replications the 95 %
 * interval of the predicted mean, the t-test p-value against the measured value, and for a figure
 * outside its tolerance whether the measured value lies within the spread of the simulator's
 * single runs (`NO, in spread`: one measured run cannot tell such a miss from that spread).
 */
export function formatValidation(result: ValidationResult, paramsPath: string): string {
  const lines: string[] = [];
  const banner = result.label ?? 'VALIDATION (measured data disjoint from the calibration inputs)';
  lines.push(`${banner}`, result.runs[0]?.predictedBy ? `predicted by: ${result.runs[0].predictedBy.join(', ')}` : `parameters: ${paramsPath}`);
  for (const run of result.runs) lines.push('', ...formatRun(run, result.label));
  if (result.label) lines.push('', result.label);
  return `${lines.join('\n')}\n`;
}

function formatRun(run: RunValidation, label: string | null): string[] {
  const reps = run.predictedBy?.length ?? run.seeds.length;
  const by = run.predictedBy ? `predicted by the mean of ${run.predictedBy.join(', ')}` : `seed${reps > 1 ? `s ${run.seeds[0]}..${run.seeds[reps - 1]}` : ` ${run.seeds[0]}`}`;
  const against = run.repeats ? `the mean of ${run.repeats.length} repeated runs: ${run.repeats.join(', ')}` : run.spec;
  const head = `${against} · arch ${run.arch} · regions ${run.regions.join(', ')} · ${by}`;
  const cols = ['region', 'metric', 'stat', 'predicted', 'measured', 'error', 'tol', 'ok'];
  if (reps > 1) cols.push('95% CI of predicted', 'p (t-test)');
  const body = run.rows.map((r) => rowCells(r, reps > 1));
  const widths = cols.map((c, i) => Math.max(c.length, ...body.map((b) => b[i].length)));
  const right = new Set([3, 4, 5, 6, 9]);
  const fmt = (cells: string[]) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [
    head,
    fmt(cols),
    ...body.map(fmt),
    `${run.within} of ${run.comparable} comparable figures within tolerance${reps > 1 ? spreadNote(run) : ''}${label ? ` — ${label}` : ''}`,
  ];
}

/** How many of the figures outside tolerance lie within the simulator's run-to-run spread. */
function spreadNote(run: RunValidation): string {
  const outside = run.comparable - run.within;
  if (outside === 0) return '';
  const over = run.predictedBy ? `of the ${run.predictedBy.length} replicates' single runs` : `of the simulator's single runs`;
  const n = run.predictedBy ? `${run.predictedBy.length} runs` : `${run.seeds.length} seeds`;
  const of = run.repeats ? `the mean of ${run.repeats.length} runs` : 'one run';
  return `; of the ${outside} outside, ${run.withinSpread} within the spread ${over} (95 % prediction interval of ${of} over ${n})`;
}

function rowCells(r: ComparisonRow, reps: boolean): string[] {
  const name = r.scope === 'counts' ? 'counts' : r.scope;
  const unit = r.metric === 'connected' ? 'share' : r.scope === 'counts' ? '' : 'ms';
  const cells = [
    findRegion(name) ? `${name}` : name,
    r.metric,
    r.stat,
    num(r.predicted, unit),
    num(r.measured, unit),
    r.error === null ? '—' : `${r.error >= 0 ? '+' : ''}${(r.error * 100).toFixed(1)}%`,
    `${Math.round(r.tolerance * 100)}%`,
    `${r.within === null ? 'n/a' : r.within ? 'yes' : r.withinSpread ? 'NO, in spread' : 'NO'}${r.informational ? ' (not counted)' : ''}`,
  ];
  if (reps) {
    const s = r.replications;
    cells.push(s ? `${num(s.ciLow, unit)} .. ${num(s.ciHigh, unit)}` : '—', s?.pValue === null || s === undefined ? '—' : s.pValue < 0.001 ? '<0.001' : s.pValue.toFixed(3));
  }
  return cells;
}

function num(v: number | null, unit: string): string {
  if (v === null) return '—';
  if (unit === 'share') return `${(v * 100).toFixed(2)}%`;
  if (Math.abs(v) >= 1e5) return Math.round(v).toLocaleString('en-US');
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1);
}

/**
 * The Report pair `sim report` draws side by side: the first replication's prediction and the
 * measurement, both carrying the comparison in `extra.validation` and the label in `notes`.
 */
export function reportPair(run: RunValidation, label: string | null, paramsPath: string): { predicted: Report; measured: Report } {
  const validation = { params: paramsPath, label, seeds: run.seeds, within: run.within, comparable: run.comparable, rows: run.rows };
  const note = label ?? `Validation against measured data disjoint from the calibration inputs (${paramsPath}).`;
  const repeatsNote = run.repeats ? [`The comparison is with the mean of ${run.repeats.length} repeats of this run (${run.repeats.join(', ')}); the measured Report here is the first.`] : [];
  const extraRegions = Object.keys(run.predicted[0].regions).filter((r) => !run.regions.includes(r));
  const scope = extraRegions.length
    ? [`Simulated the whole measured workload; the validation compares only ${run.regions.join(', ')} (global figures here also cover ${extraRegions.join(', ')}).`]
    : [];
  const predicted: Report = { ...run.predicted[0], notes: [...(run.predicted[0].notes ?? []), note, ...scope], extra: { ...(run.predicted[0].extra ?? {}), validation } };
  const measured: Report = { ...run.measured, notes: [...(run.measured.notes ?? []), note, ...repeatsNote], extra: { ...(run.measured.extra ?? {}), validation } };
  return { predicted, measured };
}
