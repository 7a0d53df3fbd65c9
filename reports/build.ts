import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../model/errors.ts';
import { loadReports } from './load.ts';
import { renderMarkdown } from './markdown.ts';
import type { ReportOptions } from './options.ts';
import { renderPage } from './page.ts';
import { renderSvg, svgToPng } from './render.ts';
import { browserBundles } from './scripts.ts';
import { buildView, type ReportView } from './view.ts';

/** What `buildReport` wrote, relative to the output folder. */
export interface BuildResult {
  outDir: string;
  files: string[];
  view: ReportView;
}

/**
 * Reads the Reports, builds the view and writes into `outDir`: `index.html` (self-contained),
 * one `<chart>.svg` and `<chart>.png` per chart, and `summary.md`.
 * @throws UserError REPORT_INVALID / FILE_UNREADABLE for bad inputs, CONFIG_INVALID for bad
 *   options, FILE_UNREADABLE when the output folder cannot be created or written.
 */
export async function buildReport(paths: readonly string[], outDir: string, options: ReportOptions): Promise<BuildResult> {
  const loaded = await loadReports(paths);
  const view = buildView(loaded, options);
  try {
    await mkdir(outDir, { recursive: true });
  } catch (err) {
    throw new UserError('FILE_UNREADABLE', `cannot create the output folder ${outDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const files: string[] = [];
  const write = async (name: string, content: string | Buffer) => {
    try {
      await writeFile(join(outDir, name), content);
    } catch (err) {
      throw new UserError('FILE_UNREADABLE', `cannot write ${join(outDir, name)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    files.push(name);
  };
  for (const chart of view.charts) {
    const svg = await renderSvg(chart.spec);
    await write(`${chart.name}.svg`, svg);
    await write(`${chart.name}.png`, await svgToPng(svg));
  }
  await write('index.html', renderPage(view, await browserBundles()));
  await write('summary.md', renderMarkdown(view));
  return { outDir, files, view };
}
