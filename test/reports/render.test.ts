import { describe, expect, it } from 'vitest';
import { latencyChart } from '../../reports/charts/latency.ts';
import { meterChart } from '../../reports/charts/meters.ts';
import type { ChartContext } from '../../reports/charts/style.ts';
import { SPM } from '../../reports/meter-inputs.ts';
import { orderRegions, referenceRegion } from '../../reports/region-order.ts';
import { PNG_ZOOM, type Raster, rasterise, renderSvg } from '../../reports/render.ts';
import { toSources } from '../../reports/sources.ts';
import { type FixtureName, loaded } from './helpers.ts';

function context(...names: FixtureName[]): ChartContext {
  const sources = toSources(loaded(...names));
  const reference = referenceRegion(sources);
  return { sources, regions: orderRegions(sources, reference), referenceRegion: reference };
}

/** Pixels that are not (near) white. */
function inked(r: Raster): number {
  let n = 0;
  for (let i = 0; i < r.pixels.length; i += 4) if (r.pixels[i] < 200 || r.pixels[i + 1] < 200 || r.pixels[i + 2] < 200) n++;
  return n;
}

describe('headless rendering', () => {
  it('renders a latency chart to SVG with its title, legend entries and bars', async () => {
    const svg = await renderSvg(latencyChart(context('baseline-import', 'proposed1-sim'), 'request').spec);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Request latency per region');
    expect(svg).toContain('proposed1 (sim, seed 1)');
    expect(svg).toContain('Sydney');
    expect((svg.match(/<path/g) ?? []).length).toBeGreaterThan(32); // 16 bars at least, plus marks
  });

  it('uses a log scale when a collapse sits beside a healthy run, a linear one otherwise', () => {
    const mixed = latencyChart(context('baseline-import', 'proposed1-sim'), 'request');
    const healthy = latencyChart(context('baseline-import'), 'handshake');
    const yOf = (c: typeof mixed) => ((c.spec.layer as { encoding: { y?: { scale: { type: string }; axis: { title: string } } } }[])[0].encoding.y!);
    expect(yOf(mixed).scale.type).toBe('log');
    expect(yOf(mixed).axis.title).toContain('log scale');
    expect(yOf(healthy).scale.type).toBe('linear');
  });

  it('draws text into the PNG with the machine fonts', async () => {
    const text = await rasterise('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="4" y="28" font-family="sans-serif" font-size="20">Sydney 319 ms</text></svg>');
    expect(text.width).toBe(200 * PNG_ZOOM);
    expect(inked(text)).toBeGreaterThan(400);

    const svg = await renderSvg(meterChart(context('baseline-import', 'baseline-sim'), SPM).spec);
    const withText = await rasterise(svg);
    const withoutText = await rasterise(svg.replace(/<text[^>]*>[^<]*<\/text>/g, ''));
    // titles, axis names and legend labels are a visible share of the picture
    expect(inked(withText) - inked(withoutText)).toBeGreaterThan(2000);
    expect(withText.png.subarray(1, 4).toString()).toBe('PNG');
  });
});
