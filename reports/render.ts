import type { Spec } from './charts/style.ts';

/** PNGs are drawn at this multiple of the SVG's size, for sharp text on high-density screens. */
export const PNG_ZOOM = 2;

/**
 * Renders a vega-lite spec to SVG without a browser: compiled to vega, run in vega's headless
 * View (renderer `none`), serialised with `toSVG`.
 */
export async function renderSvg(vlSpec: Spec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile(vlSpec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A rasterised chart: the PNG file and its raw RGBA pixels (for checks). */
export interface Raster {
  png: Buffer;
  /** RGBA, 4 bytes per pixel, row by row */
  pixels: Buffer;
  width: number;
  height: number;
}

/**
 * Rasterises an SVG with resvg, using the machine's fonts (DejaVu Sans when the SVG asks for a
 * generic or unknown family), on a white background, at PNG_ZOOM.
 */
export async function rasterise(svg: string): Promise<Raster> {
  const { Resvg } = await import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: PNG_ZOOM },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  const image = resvg.render();
  return { png: image.asPng(), pixels: image.pixels, width: image.width, height: image.height };
}

/** Rasterises an SVG to PNG bytes (see `rasterise`). */
export async function svgToPng(svg: string): Promise<Buffer> {
  return (await rasterise(svg)).png;
}
