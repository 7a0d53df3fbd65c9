import { formatBytes, formatDollarsPerHour } from '../format.ts';
import { type Chart, type ChartContext, sourceColour, spec } from './style.ts';

const BYTES_PER_MB = 1_000_000;

/** The sources without per-minute figures, named in the subtitle rather than dropped silently. */
function missingNote(labels: string[]): string {
  return labels.length ? `no per-minute figures: ${labels.join(', ')}` : '';
}

/** What sets one per-minute chart apart: its rows (one per value of `row`), its y field and axis, and its size. */
interface MinuteRows {
  title: string;
  subtitle: string;
  row: { field: string; sort: string[] };
  height: number;
  y: Record<string, unknown>;
  tooltip: Record<string, unknown>[];
}

/** Lines over the minutes of the run, one per source, in one row per resource or direction, each row its own y scale. */
function minuteRows(ctx: ChartContext, o: MinuteRows): Record<string, unknown> {
  return {
    title: { text: o.title, subtitle: o.subtitle },
    facet: { row: { field: o.row.field, type: 'nominal', sort: o.row.sort, title: null, header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold' } } },
    spec: {
      width: 620, height: o.height,
      mark: { type: 'line', strokeWidth: 1.5, interpolate: 'monotone' },
      encoding: {
        x: { field: 't', type: 'quantitative', axis: { title: 'minute of the run' } },
        y: o.y,
        color: sourceColour(ctx.sources),
        tooltip: [{ field: 'source' }, { field: o.row.field }, { field: 't', title: 'minute' }, ...o.tooltip],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** CPU, memory and disk use (% of all instances) per minute, one line per source. */
export function resourcesChart(ctx: ChartContext): Chart {
  const data: { source: string; t: number; resource: string; pct: number }[] = [];
  const missing: string[] = [];
  for (const s of ctx.sources) {
    const minutes = s.report.resources?.perMinute ?? [];
    if (minutes.length === 0) missing.push(s.label);
    for (const m of minutes) {
      for (const key of ['cpu', 'memory', 'disk'] as const) {
        const v = m[key];
        if (v !== null) data.push({ source: s.label, t: m.t, resource: key, pct: v });
      }
    }
  }
  const body = minuteRows(ctx, {
    title: 'Resource use over time',
    subtitle: missingNote(missing) || 'compiled over all instances: CPU weighted by cores, memory and disk as used ÷ available',
    row: { field: 'resource', sort: ['cpu', 'memory', 'disk'] },
    height: 110,
    y: { field: 'pct', type: 'quantitative', scale: { zero: true }, axis: { title: '% used', tickCount: 4 } },
    tooltip: [{ field: 'pct', title: '%', format: '.1f' }],
  });
  return {
    name: 'resources',
    title: 'Resource use over time',
    caption: 'CPU, memory and disk use per minute over all instances of each source (the inputs of CRUM).',
    spec: spec(body, data),
  };
}

/** Network in and out in MB per minute, one line per source. */
export function networkChart(ctx: ChartContext): Chart {
  const data: { source: string; t: number; direction: string; mb: number }[] = [];
  const missing: string[] = [];
  const totals: string[] = [];
  for (const s of ctx.sources) {
    const n = s.report.network;
    if (!n || n.perMinute.length === 0) missing.push(s.label);
    if (n) totals.push(`${s.label}: in ${formatBytes(n.inBytes)}, out ${formatBytes(n.outBytes)}`);
    for (const m of n?.perMinute ?? []) {
      if (m.inBytes !== null) data.push({ source: s.label, t: m.t, direction: 'in', mb: m.inBytes / BYTES_PER_MB });
      if (m.outBytes !== null) data.push({ source: s.label, t: m.t, direction: 'out', mb: m.outBytes / BYTES_PER_MB });
    }
  }
  const body = minuteRows(ctx, {
    title: 'Network traffic over time',
    subtitle: missingNote(missing) || 'all instances, internal transfer included',
    row: { field: 'direction', sort: ['in', 'out'] },
    height: 130,
    y: { field: 'mb', type: 'quantitative', axis: { title: 'MB per minute', tickCount: 4 } },
    tooltip: [{ field: 'mb', title: 'MB', format: ',.1f' }],
  });
  return {
    name: 'network',
    title: 'Network traffic over time',
    caption: `Bytes in and out per minute over all instances. Totals: ${totals.join('; ') || 'unknown'}.`,
    spec: spec(body, data),
  };
}

/** Hourly cost per source, stacked by item (EC2, storage, RDS, transfer, ...), total at the end. */
export function costChart(ctx: ChartContext): Chart {
  const data: { source: string; item: string; dollars: number }[] = [];
  const totals: { source: string; total: number; text: string }[] = [];
  const missing: string[] = [];
  for (const s of ctx.sources) {
    if (!s.report.cost) { missing.push(s.label); continue; }
    for (const [item, dollars] of Object.entries(s.report.cost.hourly)) data.push({ source: s.label, item, dollars });
    totals.push({ source: s.label, total: s.report.cost.totalHourly, text: formatDollarsPerHour(s.report.cost.totalHourly) });
  }
  const y = { field: 'source', type: 'nominal', sort: ctx.sources.map((s) => s.label), axis: { title: null, labelLimit: 260 } };
  const body = {
    title: { text: 'Hourly cost', subtitle: missing.length ? `cost unknown: ${missing.join(', ')}` : 'stacked by item; total at the end of each bar' },
    width: 560, height: { step: 34 },
    layer: [
      {
        mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          y, x: { field: 'dollars', type: 'quantitative', stack: 'zero', axis: { title: '$ per hour' } },
          color: { field: 'item', type: 'nominal', scale: { scheme: 'set3' }, legend: { title: 'item', orient: 'bottom', columns: 4, labelLimit: 220 } },
          tooltip: [{ field: 'source' }, { field: 'item' }, { field: 'dollars', title: '$/h', format: '$.4f' }],
        },
      },
      { data: { values: totals }, mark: { type: 'text', align: 'left', dx: 4, fontWeight: 'bold' }, encoding: { y, x: { field: 'total', type: 'quantitative' }, text: { field: 'text' } } },
      // a strip in the source's own colour ties the bar to the colour it has in every other chart
      { data: { values: totals }, mark: { type: 'tick', orient: 'vertical', thickness: 5, size: 24 }, encoding: { y, x: { datum: 0, type: 'quantitative' }, color: sourceColour(ctx.sources, { legend: null }) } },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  return {
    name: 'cost',
    title: 'Hourly cost',
    caption: 'Dollars per hour of running, broken down by item, with the source colour at the left of each bar.',
    spec: spec(body, data),
  };
}
