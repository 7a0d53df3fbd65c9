import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type BuildResult } from '../../reports/build.ts';
import { defaultOptions } from '../../reports/options.ts';
import { FIXTURE_NAMES, ROOT, fixturePath } from './helpers.ts';

/**
 * The report page in a real browser: Debian's Chromium, headless, opens index.html from disk
 * with every network request refused and recorded. Chromium is installed by
 * scripts/ensure-chromium.mjs when missing; when it cannot be, this suite fails with the
 * install command rather than skipping.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function ensureChromium(): void {
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts/ensure-chromium.mjs')], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 900_000 });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`Chromium is required for the report page test: ${stderr || (err as Error).message}`);
  }
}

describe('report page in headless Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  let built: BuildResult;
  let userDataDir: string;
  let out: string;
  const consoleErrors: string[] = [];
  const networkRequests: string[] = [];

  beforeAll(async () => {
    ensureChromium();
    out = mkdtempSync(join(tmpdir(), 'sim-report-page-'));
    built = await buildReport(FIXTURE_NAMES.map(fixturePath), out, defaultOptions());
    userDataDir = mkdtempSync(join(tmpdir(), 'sim-report-chromium-'));
    // playwright refuses --user-data-dir in args; a persistent context on a fresh folder is the same
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 1000 },
    });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      networkRequests.push(url);
      return route.abort();
    });
    page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(pathToFileURL(join(out, 'index.html')).href, { waitUntil: 'load' });
    await page.waitForSelector('body[data-rendered]', { timeout: 60_000 });
  }, 900_000);

  afterAll(async () => {
    await context?.close();
    for (const d of [userDataDir, out]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('renders every chart, with no console error and no network request', async () => {
    const rendered = await page.evaluate(() => ({ count: document.body.dataset.rendered, error: document.body.dataset.renderError ?? null }));
    expect(rendered.error).toBeNull();
    expect(Number(rendered.count)).toBe(built.view.charts.length);
    expect(consoleErrors).toEqual([]);
    expect(networkRequests).toEqual([]);
  });

  it('draws marks inside each chart container', async () => {
    const perChart = await page.$$eval('figure.chart', (figures) => figures.map((f) => ({
      name: (f as HTMLElement).dataset.chart,
      surfaces: f.querySelectorAll('.vega svg, .vega canvas').length,
      marks: f.querySelectorAll('.vega svg path, .vega svg rect, .vega svg line').length,
      width: f.querySelector('.vega svg')?.getBoundingClientRect().width ?? 0,
    })));
    expect(perChart.map((c) => c.name).sort()).toEqual(built.view.charts.map((c) => c.name).sort());
    for (const c of perChart) {
      expect(c.surfaces, `${c.name} has one drawing surface`).toBe(1);
      expect(c.marks, `${c.name} has marks`).toBeGreaterThan(10);
      expect(c.width, `${c.name} has a size`).toBeGreaterThan(200);
    }
  });

  it('shows headlines, the ranking and coloured tolerance verdicts', async () => {
    const headlines = await page.$$eval('li.headline', (li) => li.map((l) => l.textContent ?? ''));
    expect(headlines).toHaveLength(built.view.sources.length);
    expect(headlines.some((h) => /7 of 8 regions cannot keep up/.test(h))).toBe(true);
    const verdicts = await page.$$eval('table.compare td.err', (tds) => tds.map((td) => [td.className, getComputedStyle(td).backgroundColor]));
    const within = verdicts.find(([cls]) => cls.includes('within'));
    const outside = verdicts.find(([cls]) => cls.includes('outside'));
    expect(within).toBeDefined();
    expect(outside).toBeDefined();
    expect(within![1]).not.toBe(outside![1]);
  });

  it('makes a screenshot that is not empty', async () => {
    const shot = await page.screenshot({ fullPage: true, type: 'png' });
    expect(shot.length).toBeGreaterThan(50_000);
    // count distinct colours of the screenshot in the page itself (no image library needed)
    const distinct = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const g = canvas.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const data = g.getImageData(0, 0, img.width, img.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 7) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return { colours: colours.size, height: img.height };
    }, shot.toString('base64'));
    expect(distinct.height).toBeGreaterThan(3000); // the whole page, not the first screen
    expect(distinct.colours).toBeGreaterThan(500);
  });
});
