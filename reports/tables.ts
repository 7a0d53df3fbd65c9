import { type CompareRow, hasErrorColumn, hasPredictionErrors } from './compare.ts';
import { formatDollarsPerHour, formatNumber, formatSignedPct } from './format.ts';
import { formatInput, type MeterDef } from './meter-inputs.ts';
import type { Metric } from './metrics.ts';
import type { Tolerances } from './options.ts';
import type { RankEntry } from './rank.ts';
import type { Source } from './sources.ts';

/** HTML fragments of the page's tables. Every text is escaped; colours come from the sources. */

/** Escapes text for HTML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coloured square and the source's label. */
export function swatch(s: Source): string {
  return `<span class="swatch" style="background:${esc(s.colour)}"></span>${esc(s.label)}`;
}

function sourceHeader(sources: readonly Source[], errorColumn: readonly boolean[]): string {
  return sources.map((s, i) => {
    const span = errorColumn[i] ? ' colspan="2"' : '';
    return `<th${span} scope="col">${swatch(s)}<div class="kind">${s.measured ? 'measured' : 'predicted'}</div></th>`;
  }).join('');
}

/**
 * The side-by-side table: one row per metric, one column per source and, where a prediction
 * has a measurement of the same architecture and users, its error coloured within (green) or
 * outside (red) tolerance; grey where the metric has no tolerance.
 */
export function compareTable(rows: readonly CompareRow[], sources: readonly Source[], tolerances: Tolerances): string {
  const withErrors = hasPredictionErrors(sources);
  const errorColumn = sources.map((s) => hasErrorColumn(s, sources));
  const body = rows.map((row) => {
    const cells = row.cells.map((c, i) => {
      const value = `<td class="num">${esc(c.text)}${c.intervalText ? `<div class="ci">${esc(c.intervalText)}</div>` : ''}</td>`;
      if (!errorColumn[i] || c.reference === null) return value;
      const cls = c.within === null ? 'neutral' : c.within ? 'within' : 'outside';
      const tol = row.metric.tolerance ? `, tolerance ±${tolerances[row.metric.tolerance] * 100}%` : ', no tolerance set';
      return `${value}<td class="err ${cls}" title="vs ${esc(c.reference.label)}${esc(tol)}">${esc(formatSignedPct(c.error))}</td>`;
    }).join('');
    const tolNote = row.metric.tolerance ? ` <span class="tol">±${tolerances[row.metric.tolerance] * 100}%</span>` : '';
    return `<tr><th scope="row">${esc(row.metric.label)}${withErrors ? tolNote : ''}</th>${cells}</tr>`;
  }).join('\n');
  return `<div class="scroll"><table class="compare"><thead><tr><th scope="col">metric</th>${sourceHeader(sources, errorColumn)}</tr></thead>\n<tbody>${body}</tbody></table></div>`;
}

/** The ranking, best first, then the sources left out with the reason. */
export function rankTable(entries: readonly RankEntry[], metric: Metric, costCeilingPerHour: number | null): string {
  const rows = entries.map((e) => `<tr class="${e.position ? '' : 'excluded'}"><td class="num">${e.position ?? '—'}</td><td>${swatch(e.source)}</td>` +
    `<td class="num">${esc(metric.format(e.value))}</td><td class="num">${esc(formatDollarsPerHour(e.source.report.cost?.totalHourly))}</td>` +
    `<td>${esc(e.excluded ?? '')}</td></tr>`).join('\n');
  const ceiling = costCeilingPerHour === null ? 'no cost ceiling' : `cost ceiling ${formatDollarsPerHour(costCeilingPerHour)}`;
  return `<p class="note">Ranked by <b>${esc(metric.label)}</b> (${metric.better} is better; key <code>${esc(metric.key)}</code>), ${esc(ceiling)}.</p>` +
    `<table class="rank"><thead><tr><th>#</th><th>source</th><th>${esc(metric.label)}</th><th>cost</th><th>not ranked because</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/**
 * The raw inputs of one meter, a row per source (so a long comparison grows down, not across),
 * and the meter's value as the Report states it.
 */
export function meterInputsTable(meter: MeterDef, sources: readonly Source[]): string {
  const head = meter.axes.map((a) => `<th>${esc(a.label)}<div class="unit">${esc(a.unit)}</div></th>`).join('');
  const rows = sources.map((s) => {
    const inputs = meter.inputs(s.report).map((x, i) => `<td class="num">${esc(formatInput(meter.axes[i], x))}</td>`).join('');
    return `<tr><th scope="row">${swatch(s)}</th>${inputs}<td class="num reported">${esc(formatNumber(meter.reported(s.report)))}</td></tr>`;
  });
  return `<div class="scroll"><table class="meter"><thead><tr><th>source</th>${head}<th>${esc(meter.key.toUpperCase())}<div class="unit">as reported</div></th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`;
}
