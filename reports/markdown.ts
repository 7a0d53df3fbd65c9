import { type CompareRow, hasErrorColumn, hasPredictionErrors, referenceFor } from './compare.ts';
import { formatDollarsPerHour, formatSignedPct } from './format.ts';
import type { Source } from './sources.ts';
import type { ReportView } from './view.ts';

/** Escapes a table cell for Markdown. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function referenceLabel(s: Source, sources: readonly Source[]): string {
  return referenceFor(s, sources)?.label ?? '';
}

/** Error cell: `+4.2% ✓` within tolerance, `-31% ✗` outside, plain when no tolerance applies. */
function errorText(c: CompareRow['cells'][number]): string {
  if (c.reference === null) return '—';
  const mark = c.within === null ? '' : c.within ? ' ✓' : ' ✗';
  return `${formatSignedPct(c.error)}${mark}`;
}

function table(rows: readonly CompareRow[], sources: readonly Source[]): string[] {
  const errorColumn = sources.map((s) => hasErrorColumn(s, sources));
  const head = ['metric'];
  sources.forEach((s, i) => {
    head.push(s.label);
    if (errorColumn[i]) head.push(`error vs ${referenceLabel(s, sources)}`);
  });
  const lines = [`| ${head.map(cell).join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of rows) {
    const cells = [row.metric.label];
    row.cells.forEach((c, i) => {
      cells.push(c.intervalText ? `${c.text} (${c.intervalText})` : c.text);
      if (errorColumn[i]) cells.push(errorText(c));
    });
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return lines;
}

/**
 * The Markdown summary: headlines, ranking, the side-by-side table (✓ within / ✗ outside
 * tolerance), request latency per region, and the chart images.
 */
export function renderMarkdown(view: ReportView): string {
  const { tolerances, costCeilingPerHour } = view.options;
  const out: string[] = ['# Architecture comparison', ''];
  out.push(`Sources: ${view.sources.map((s) => `**${s.label}** (\`${s.file}\`)`).join(', ')}.`, '');
  out.push('## Headlines', '', ...view.headlines.map((h) => `- ${h}`), '');

  out.push('## Ranking', '');
  out.push(`By ${view.rankMetric.label} (\`${view.rankMetric.key}\`, ${view.rankMetric.better} is better), ${costCeilingPerHour === null ? 'no cost ceiling' : `cost ceiling ${formatDollarsPerHour(costCeilingPerHour)}`}.`, '');
  out.push('| # | source | value | cost | not ranked because |', '| ---: | --- | ---: | ---: | --- |');
  for (const e of view.ranking) {
    out.push(`| ${e.position ?? '—'} | ${cell(e.source.label)} | ${cell(view.rankMetric.format(e.value))} | ${formatDollarsPerHour(e.source.report.cost?.totalHourly)} | ${cell(e.excluded ?? '')} |`);
  }
  out.push('');

  out.push('## Side by side', '');
  if (hasPredictionErrors(view.sources)) {
    out.push(`Error = (predicted − measured) ÷ measured against the measurement of the same architecture and users; ✓ within, ✗ outside tolerance (means ±${tolerances.mean * 100}%, medians ±${tolerances.median * 100}%, 98th percentiles ±${tolerances.p98 * 100}%, counts ±${tolerances.count * 100}%).`, '');
  }
  out.push(...table(view.globalRows, view.sources), '');

  out.push('## Request latency per region', '', `Nearest to ${view.regions.find((r) => r.id === view.referenceRegion)?.name ?? view.referenceRegion} first.`, '');
  const requestRows = view.regionRows.flatMap(({ rows }) => rows.filter((r) => /^request\.(median|p98)@/.test(r.metric.key)));
  out.push(...table(requestRows, view.sources), '');

  out.push('## Charts', '');
  for (const c of view.charts) out.push(`### ${c.title}`, '', `${c.caption}`, '', `![${c.title}](${c.name}.png)`, '');
  return `${out.join('\n').trimEnd()}\n`;
}
