import type { RegionView } from '../region-order.ts';
import type { Source } from '../sources.ts';

/**
 * What every chart shares: the sources with their colours, the region order, the look. Chart
 * builders return plain vega-lite specs (JSON), rendered headless for SVG/PNG and by vega-embed
 * in the page.
 */
export interface ChartContext {
  sources: readonly Source[];
  regions: readonly RegionView[];
  /** id of the region regions are sorted from */
  referenceRegion: string;
}

/** One chart of the report: a file stem, a heading, a sentence on how to read it, and its spec. */
export interface Chart {
  /** file stem of its SVG/PNG and id of its container in the page: `latency-request` */
  name: string;
  title: string;
  /** how to read it, shown under the heading */
  caption: string;
  spec: Record<string, unknown>;
}

export type Spec = Record<string, unknown>;

/** A font that exists on the rendering machine (fonts-dejavu-core) and falls back in browsers. */
export const FONT = 'DejaVu Sans, Verdana, Arial, sans-serif';

/** Values whose largest is at least this many times the smallest get a log scale. */
export const LOG_SCALE_SPAN = 100;

/** The colour scale that gives each source the same colour in every chart. */
export function sourceColourScale(sources: readonly Source[]): Spec {
  return { domain: sources.map((s) => s.label), range: sources.map((s) => s.colour) };
}

/** The colour channel for sources, with a legend that lists every source. */
export function sourceColour(sources: readonly Source[], extra: Spec = {}): Spec {
  return {
    field: 'source', type: 'nominal', scale: sourceColourScale(sources),
    legend: { title: 'source', orient: 'bottom', columns: Math.min(3, sources.length), labelLimit: 360, symbolType: 'square' },
    ...extra,
  };
}

/** True when the positive values span at least LOG_SCALE_SPAN (a collapse beside a healthy run). */
export function needsLogScale(values: readonly (number | null | undefined)[]): boolean {
  const pos = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
  if (pos.length < 2) return false;
  return Math.max(...pos) / Math.min(...pos) >= LOG_SCALE_SPAN;
}

/** Axis labels for milliseconds as a person reads them: `10 ms`, `1 s`, `10 min`, `1 h`. */
export const MS_LABEL_EXPR =
  "datum.value >= 3600000 ? format(datum.value / 3600000, '~r') + ' h' : " +
  "datum.value >= 60000 ? format(datum.value / 60000, '~r') + ' min' : " +
  "datum.value >= 1000 ? format(datum.value / 1000, '~r') + ' s' : format(datum.value, '~r') + ' ms'";

/** Tick positions of a logarithmic latency axis: powers of ten up to 10 s, then minutes and hours. */
export const LOG_TICKS_MS = [0.001, 0.01, 0.1, 1, 10, 100, 1000, 10_000, 60_000, 600_000, 3_600_000, 36_000_000, 360_000_000];

function positive(values: readonly (number | null | undefined)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
}

/**
 * A y scale + axis for latencies in ms, logarithmic when the values span orders of magnitude.
 * On a log axis the domain runs from the tick at or below the smallest `core` value (means,
 * medians, percentiles) to the tick at or above the largest of all values; error bars reaching
 * below are clipped there rather than stretching the axis to a fraction of a millisecond.
 */
export function latencyY(field: string, core: readonly (number | null | undefined)[], title: string, all: readonly (number | null | undefined)[] = core): Spec {
  const log = needsLogScale(core);
  if (!log) {
    return {
      field, type: 'quantitative', stack: null,
      scale: { type: 'linear', zero: true, nice: true },
      axis: { title, labelExpr: MS_LABEL_EXPR, tickCount: 6 },
    };
  }
  const lo = Math.min(...positive(core));
  const hi = Math.max(...positive(all));
  const floor = [...LOG_TICKS_MS].reverse().find((t) => t <= lo) ?? LOG_TICKS_MS[0];
  const ceil = LOG_TICKS_MS.find((t) => t >= hi) ?? hi;
  return {
    field, type: 'quantitative', stack: null,
    scale: { type: 'log', domain: [floor, ceil], clamp: true, nice: false },
    axis: { title: `${title} (log scale)`, labelExpr: MS_LABEL_EXPR, values: LOG_TICKS_MS.filter((t) => t >= floor && t <= ceil) },
  };
}

/** The region axis: names in distance order from the reference region. */
export function regionX(ctx: ChartContext, present: ReadonlySet<string>): Spec {
  const from = ctx.regions.find((r) => r.id === ctx.referenceRegion)?.name ?? ctx.referenceRegion;
  return {
    field: 'region', type: 'nominal',
    sort: ctx.regions.filter((r) => present.has(r.name)).map((r) => r.name),
    axis: { title: `client region (nearest to ${from} first)`, labelAngle: -30, labelAlign: 'right' },
  };
}

/** Look shared by every chart: font, sizes, white background (PNG has no transparency). */
export const CONFIG: Spec = {
  font: FONT,
  background: 'white',
  padding: 12,
  title: { fontSize: 15, anchor: 'start', subtitleFontSize: 12, subtitleColor: '#444' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: '#ccc' },
};

/** Wraps layers/encodings into a full spec with the shared schema, data and config. */
export function spec(body: Spec, values: unknown[]): Spec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', data: { values }, config: CONFIG, ...body };
}
