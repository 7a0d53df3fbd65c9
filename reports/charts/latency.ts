import type { LatencyKind } from '../metrics.ts';
import { formatMs } from '../format.ts';
import { type Chart, type ChartContext, latencyY, regionX, sourceColour, spec } from './style.ts';

/** One bar: a source's latency summary in one region. */
interface LatencyRow {
  region: string;
  source: string;
  mean: number | null;
  /** lower end of the error bar: mean − stddev, not below the minimum nor 0 (log scales) */
  lo: number | null;
  /** upper end of the error bar: mean + stddev */
  hi: number | null;
  median: number | null;
  p98: number | null;
  count: number;
  meanText: string;
  medianText: string;
  p98Text: string;
}

function rows(ctx: ChartContext, kind: LatencyKind): LatencyRow[] {
  const out: LatencyRow[] = [];
  for (const region of ctx.regions) {
    for (const s of ctx.sources) {
      const r = s.report.regions[region.id];
      if (!r) continue;
      const { mean, stddev, median, p98, min, count } = r[kind];
      const hasBar = mean !== null && stddev !== null;
      // Nothing lies below the minimum, and a log axis has no 0: the bar ends no lower than either.
      const floor = Math.max(min ?? 0, 1e-3);
      out.push({
        region: region.name, source: s.label, mean,
        lo: hasBar ? Math.max(floor, mean - stddev) : null,
        hi: hasBar ? mean + stddev : null,
        median: median ?? r[kind].p50, p98, count,
        meanText: formatMs(mean), medianText: formatMs(median ?? r[kind].p50), p98Text: formatMs(p98),
      });
    }
  }
  return out;
}

const TITLES: Record<LatencyKind, string> = {
  handshake: 'Handshake latency per region',
  request: 'Request latency per region',
  broadcast: 'Broadcast latency per region',
};

/**
 * Per-region latency of one kind: a bar per source at the mean, an error bar of ±1 standard
 * deviation, the median (white diamond) and 98th percentile (black triangle) marked; log scale
 * when the figures span two orders of magnitude.
 */
export function latencyChart(ctx: ChartContext, kind: LatencyKind): Chart {
  const data = rows(ctx, kind);
  const y = latencyY('mean', data.flatMap((d) => [d.mean, d.median, d.p98]), `${kind} latency`, data.flatMap((d) => [d.mean, d.hi, d.median, d.p98]));
  const bandWidth = Math.max(520, ctx.regions.length * Math.max(2, ctx.sources.length) * 14);
  const tooltip = [
    { field: 'source' }, { field: 'region' }, { field: 'meanText', title: 'mean' },
    { field: 'medianText', title: 'median' }, { field: 'p98Text', title: '98th pct' }, { field: 'count', title: 'samples', format: ',' },
  ];
  const body = {
    title: { text: TITLES[kind], subtitle: 'bar: mean · line: ±1 standard deviation · ◇ median · ▲ 98th percentile' },
    width: bandWidth, height: 300,
    encoding: { x: regionX(ctx, new Set(data.map((d) => d.region))), xOffset: { field: 'source', sort: ctx.sources.map((s) => s.label) } },
    layer: [
      { mark: { type: 'bar', opacity: 0.9 }, encoding: { y, color: sourceColour(ctx.sources), tooltip } },
      { mark: { type: 'rule', color: '#333', strokeWidth: 1.2 }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      {
        transform: [{ fold: ['median', 'p98'], as: ['marker', 'ms'] }, { filter: 'isValid(datum.ms)' }],
        mark: { type: 'point', size: 45, strokeWidth: 1.2, stroke: '#222', opacity: 1 },
        encoding: {
          y: { field: 'ms', type: 'quantitative' },
          shape: { field: 'marker', type: 'nominal', scale: { domain: ['median', 'p98'], range: ['diamond', 'triangle-up'] }, legend: { title: 'marks', orient: 'right' } },
          fill: { field: 'marker', type: 'nominal', scale: { domain: ['median', 'p98'], range: ['white', '#222'] }, legend: { title: 'marks', orient: 'right' } },
          tooltip,
        },
      },
    ],
  };
  return {
    name: `latency-${kind}`,
    title: TITLES[kind],
    caption: `Mean ${kind} latency per client region and source, with ±1 standard deviation, the median and the 98th percentile. ${
      y.scale && (y.scale as { type: string }).type === 'log' ? 'The axis is logarithmic because the figures span orders of magnitude.' : ''}`.trim(),
    spec: spec(body, data),
  };
}
