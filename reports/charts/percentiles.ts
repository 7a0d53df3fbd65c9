import { PERCENTILE_KEYS } from '../../model/report.ts';
import { formatMs } from '../format.ts';
import type { LatencyKind } from '../metrics.ts';
import { type Chart, type ChartContext, latencyY, sourceColour, spec } from './style.ts';

/** Panel name of the all-regions summary, drawn first. */
const GLOBAL_PANEL = 'all regions';

interface PercentileRow {
  region: string;
  source: string;
  /** percentile, 50..100 (100 = maximum) */
  pct: number;
  /** position on the x axis: −log10(1 − pct/100), "nines"; the maximum sits at MAX_NINES */
  nines: number;
  ms: number;
  msText: string;
}

/** Where the maximum is drawn on the nines axis (past p99 at 2). */
const MAX_NINES = 2.5;
const TICK_PCTS = [50, 75, 90, 95, 98, 99];

/** The tail scale: p50 → 0.30, p90 → 1, p99 → 2; spreads out the tail where latencies part. */
export function nines(pct: number): number {
  return pct >= 100 ? MAX_NINES : -Math.log10(1 - pct / 100);
}

/**
 * Percentile curves of one latency kind: one small panel per region (plus all regions), one line
 * per source, from the median to the maximum.
 */
export function percentileChart(ctx: ChartContext, kind: LatencyKind): Chart {
  const data: PercentileRow[] = [];
  const panels = [{ id: null as string | null, name: GLOBAL_PANEL }, ...ctx.regions.map((r) => ({ id: r.id as string | null, name: r.name }))];
  for (const panel of panels) {
    for (const s of ctx.sources) {
      const result = panel.id === null ? s.report.global : s.report.regions[panel.id];
      if (!result) continue;
      const summary = result[kind];
      const points: [number, number | null][] = [...PERCENTILE_KEYS.map((k): [number, number | null] => [Number(k.slice(1)), summary[k]]), [100, summary.max]];
      for (const [pct, ms] of points) if (ms !== null && ms > 0) data.push({ region: panel.name, source: s.label, pct, nines: nines(pct), ms, msText: formatMs(ms) });
    }
  }
  const columns = panels.length > 4 ? 3 : panels.length;
  const y = latencyY('ms', data.map((d) => d.ms), `${kind} latency`);
  const logNote = (y.scale as { type: string }).type === 'log' ? ', log scale' : '';
  const body = {
    title: { text: `${kind[0].toUpperCase()}${kind.slice(1)} latency percentiles`, subtitle: `${kind} latency${logNote}, one panel per client region; the x axis stretches the tail (50, 90, 99 equally spaced)` },
    facet: { field: 'region', type: 'nominal', sort: panels.map((p) => p.name), title: null, header: { labelFontWeight: 'bold', labelAnchor: 'start' } },
    columns,
    spec: {
      width: 230, height: 150,
      mark: { type: 'line', point: { size: 22 }, strokeWidth: 1.6 },
      encoding: {
        x: {
          field: 'nines', type: 'quantitative', scale: { domain: [nines(50), MAX_NINES] },
          axis: { title: 'percentile (tail stretched)', values: [...TICK_PCTS.map(nines), MAX_NINES], labelExpr: `datum.value >= ${MAX_NINES} ? 'max' : format(100 * (1 - pow(10, -datum.value)), '.0f')` },
        },
        // the facet repeats the axis per row: its title goes in the subtitle instead
        y: { ...y, axis: { ...(y.axis as object), title: null } },
        color: sourceColour(ctx.sources),
        tooltip: [{ field: 'source' }, { field: 'region' }, { field: 'pct', title: 'percentile' }, { field: 'msText', title: 'latency' }],
      },
    },
  };
  return {
    name: `percentiles-${kind}`,
    title: `${kind[0].toUpperCase()}${kind.slice(1)} latency percentiles`,
    caption: `The ${kind} latency each percentile of samples stays under, per region and source. Curves that rise steeply at the right are long tails; curves far above the others from the median on are regions that cannot keep up. Percentiles of imported reports are count-weighted averages of client percentiles (an approximation).`,
    spec: spec(body, data),
  };
}
