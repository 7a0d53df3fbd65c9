import { formatInput, type MeterDef } from '../meter-inputs.ts';
import { formatNumber } from '../format.ts';
import { type Chart, type ChartContext, FONT, sourceColour, spec } from './style.ts';

/** Rings of the radar grid, as fractions of the largest source's value on each axis. */
const RINGS = [0.25, 0.5, 0.75, 1];
/** Axis labels sit this far out, as a fraction of the outer ring. */
const LABEL_RADIUS = 1.16;
const EXTENT = 1.3;

/** Angle of axis i of n: the first points up, then clockwise. */
function angle(i: number, n: number): number {
  return Math.PI / 2 - (2 * Math.PI * i) / n;
}

/**
 * Sources whose inputs are all known, with each input scaled to the largest over those sources
 * on its axis, or, for a meter whose inputs share a unit, to the largest input of all.
 */
export function radarPolygons(ctx: ChartContext, meter: MeterDef): { drawn: { label: string; inputs: number[]; scaled: number[] }[]; missing: string[]; outer: number } {
  const all = ctx.sources.map((s) => ({ label: s.label, inputs: meter.inputs(s.report) }));
  const complete = all.filter((a) => a.inputs.every((x) => x !== null && Number.isFinite(x))) as { label: string; inputs: number[] }[];
  const perAxis = meter.axes.map((_, i) => Math.max(0, ...complete.map((c) => c.inputs[i])));
  const outer = Math.max(0, ...perAxis);
  const max = meter.sameUnit ? perAxis.map(() => outer) : perAxis;
  return {
    drawn: complete.map((c) => ({ ...c, scaled: c.inputs.map((x, i) => (max[i] > 0 ? x / max[i] : 0)) })),
    missing: all.filter((a) => !complete.some((c) => c.label === a.label)).map((a) => a.label),
    outer,
  };
}

/**
 * A meter drawn as what it is, a polygon whose radii are its inputs (SYSTEM.md §5): one polygon
 * per source. Each axis is scaled to the largest source on it, so shapes compare at a glance;
 * the raw inputs and the meter's value are in the table beside the chart.
 */
export function meterChart(ctx: ChartContext, meter: MeterDef): Chart {
  const n = meter.axes.length;
  const { drawn, missing, outer } = radarPolygons(ctx, meter);
  const scaleNote = meter.sameUnit ? `one scale for all axes: outer ring ${formatNumber(outer)} ${meter.axes[0].unit}` : 'each axis scaled to the largest source';
  const grid = RINGS.flatMap((ring) => meter.axes.map((_, i) => ({ ring, i, x: ring * Math.cos(angle(i, n)), y: ring * Math.sin(angle(i, n)) })));
  const spokes = meter.axes.map((a, i) => {
    const cos = Math.cos(angle(i, n));
    // labels left of the centre end at their spoke, right of it start there, on it are centred
    const side = Math.abs(cos) < 0.2 ? 'center' : cos < 0 ? 'right' : 'left';
    return { x: cos, y: Math.sin(angle(i, n)), lx: LABEL_RADIUS * cos, ly: LABEL_RADIUS * Math.sin(angle(i, n)), label: a.label, side };
  });
  const points = drawn.flatMap((d) => d.scaled.map((r, i) => ({
    source: d.label, i, axis: meter.axes[i].label, x: r * Math.cos(angle(i, n)), y: r * Math.sin(angle(i, n)),
    raw: `${formatInput(meter.axes[i], d.inputs[i])} ${meter.axes[i].unit === '1/ms' ? '' : meter.axes[i].unit}`.trim(),
  })));
  const xy = (field: string) => ({ field, type: 'quantitative', scale: { domain: [-EXTENT, EXTENT] }, axis: null });
  const body = {
    title: {
      text: meter.title,
      subtitle: missing.length ? [scaleNote, `not drawn (inputs unknown): ${missing.join(', ')}`] : scaleNote,
    },
    width: 340, height: 340,
    view: { stroke: null },
    layer: [
      { data: { values: grid }, mark: { type: 'line', interpolate: 'linear-closed', color: '#d0d0d0', strokeWidth: 1 }, encoding: { x: xy('x'), y: xy('y'), detail: { field: 'ring', type: 'nominal' }, order: { field: 'i', type: 'quantitative' } } },
      { data: { values: spokes }, mark: { type: 'rule', color: '#d0d0d0' }, encoding: { x: xy('x'), y: xy('y'), x2: { datum: 0 }, y2: { datum: 0 } } },
      ...(['left', 'center', 'right'] as const).map((side) => ({
        data: { values: spokes }, transform: [{ filter: `datum.side === '${side}'` }],
        mark: { type: 'text', font: FONT, fontSize: 12, fontWeight: 'bold', color: '#333', align: side, baseline: 'middle' },
        encoding: { x: xy('lx'), y: xy('ly'), text: { field: 'label' } },
      })),
      {
        data: { values: points },
        mark: { type: 'line', interpolate: 'linear-closed', strokeWidth: 2, point: { size: 30, filled: true } },
        encoding: {
          x: xy('x'), y: xy('y'), order: { field: 'i', type: 'quantitative' },
          color: sourceColour(ctx.sources, { legend: { title: 'source', orient: 'right', labelLimit: 260, symbolType: 'square' } }),
          tooltip: [{ field: 'source' }, { field: 'axis' }, { field: 'raw', title: 'input' }],
        },
      },
    ],
  };
  return {
    name: `meter-${meter.key}`,
    title: meter.title,
    caption: `${meter.title.split(' — ')[0]} is the area of a polygon whose radii are its inputs: ${meter.axes.map((a) => `${a.label} [${a.unit}]`).join(', ')}. The table beside gives each source's averaged inputs and the meter as its Report states it.`,
    spec: spec(body, []),
  };
}
