import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simChild } from '../sim-child.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../reports/build.ts';
import { defaultOptions } from '../../reports/options.ts';
import { FIXTURE_NAMES, ROOT, fixture, fixturePath } from './helpers.ts';

function sim(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/sim.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `sim` without blocking, so the cases of one test run at once; the same result as sim(). */
function simAsync(...args: string[]): Promise<ReturnType<typeof sim>> {
  return simChild(args, { cwd: ROOT, timeoutMs: 120_000 });
}

const SCRATCH = mkdtempSync(join(tmpdir(), 'sim-report-cli-'));
afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

const CHARTS = [
  'latency-handshake', 'latency-request', 'latency-broadcast', 'percentiles-handshake', 'percentiles-request', 'percentiles-broadcast',
  'connections', 'meter-crum', 'meter-spm', 'meter-slm', 'meter-sec', 'resources', 'network', 'cost',
];

describe('sim report', () => {
  const out = join(SCRATCH, 'out');
  let run: ReturnType<typeof sim>;
  beforeAll(() => {
    run = sim('report', ...FIXTURE_NAMES.map(fixturePath), '--out', out, '--rank', 'request.p98', '--cost-ceiling', '5');
  });

  it('writes index.html, summary.md and an SVG and PNG per chart', () => {
    expect(run.stderr).toContain('wrote 30 files');
    expect(run.code).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toEqual(['index.html', 'summary.md', ...CHARTS.flatMap((c) => [`${c}.png`, `${c}.svg`])].sort());
    for (const c of CHARTS) {
      expect(readFileSync(join(out, `${c}.svg`), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
      expect(readFileSync(join(out, `${c}.png`)).subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it('prints one headline per source', () => {
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[2]).toMatch(/^proposed1 \(sim, seed 1\): 7 of 8 regions cannot keep up \(all but Ireland\); requests wait minutes/);
  });

  it('makes a page that loads nothing from the network', () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const openingScripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(openingScripts.filter((t) => /\bsrc\s*=/.test(t))).toEqual([]);
    // the markup around the inline scripts: no element may fetch anything
    const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '<script></script>');
    expect(markup.match(/<(link|img|iframe|embed|object|source)\b[^>]*>/gi) ?? []).toEqual([]);
    expect(markup.match(/@import|url\(|https?:\/\//gi) ?? []).toEqual([]);
    for (const g of ['data-bundle="vega"', 'data-bundle="vega-lite"', 'data-bundle="vega-embed"']) expect(html).toContain(g);
    for (const c of CHARTS) expect(html).toContain(`data-chart="${c}"`);
    expect(html.match(/<\/script>/g)).toHaveLength(4); // three bundles and the page's own script, none cut short
  });

  it('summarises in Markdown: headlines, ranking under the ceiling, errors against the measurement', () => {
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toContain('## Headlines');
    expect(md).toMatch(/\| 1 \| baseline \((sim, seed 1|import)\) \|/);
    expect(md).toMatch(/\| — \| proposed1 \(sim, seed 1\) \| .* \| \$6\.82\/h \| costs \$6\.82\/h, over the \$5\.00\/h ceiling \|/);
    expect(md).toMatch(/\| proposed1 \(live\) \| .* \| cost unknown \|/);
    expect(md).toMatch(/\| request mean \| 291 ms \| [^|]+ \| \+[\d.]+% [✓✗] \|/);
    for (const c of CHARTS) expect(md).toContain(`(${c}.png)`);
  });
});

describe('sim report with bad input', () => {
  const dir = mkdtempSync(join(SCRATCH, 'bad-'));

  function expectOneLine(r: ReturnType<typeof sim>, ...parts: string[]): void {
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/\bat .*\.ts:\d+/);
    for (const p of parts) expect(lines[0]).toContain(p);
  }

  it('names the file and field of a file that is not a Report', () => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ arch: 'baseline', users: 5 }));
    expectOneLine(sim('report', join(dir, 'config.json'), '--out', join(dir, 'o1')), 'config.json is not a valid Report', 'kind');
    expect(existsSync(join(dir, 'o1'))).toBe(false);
  });

  it('names the file and field of a Report with a broken field', () => {
    const r = fixture('baseline-sim') as unknown as { regions: Record<string, { handshake: unknown }> };
    r.regions['ap-southeast-2'].handshake = 12;
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(r));
    expectOneLine(sim('report', fixturePath('baseline-import'), join(dir, 'broken.json'), '--out', join(dir, 'o2')), 'broken.json', 'regions.ap-southeast-2.handshake');
  });

  it('refuses Reports of incompatible shape, and bad options', async () => {
    const other = fixture('baseline-sim');
    other.regions = { 'eu-central-1': other.regions['eu-west-1'] };
    writeFileSync(join(dir, 'frankfurt.json'), JSON.stringify(other));
    const [shape, rank, ceiling, missing] = await Promise.all([
      simAsync('report', fixturePath('baseline-import'), join(dir, 'frankfurt.json'), '--out', join(dir, 'o3')),
      simAsync('report', fixturePath('baseline-import'), '--out', join(dir, 'o4'), '--rank', 'fastest'),
      simAsync('report', fixturePath('baseline-import'), '--out', join(dir, 'o5'), '--cost-ceiling', '-1'),
      simAsync('report', join(dir, 'missing.json'), '--out', join(dir, 'o6')),
    ]);
    expectOneLine(shape, 'frankfurt.json cannot be compared', 'regions');
    expectOneLine(rank, '--rank', '"fastest"');
    expectOneLine(ceiling, '--cost-ceiling', 'must be a number > 0');
    expectOneLine(missing, 'cannot read', 'missing.json');
  });
});

describe('a long comparison', () => {
  it('keeps every source in the legends with its own colour in every chart', async () => {
    const files = Array.from({ length: 12 }, (_, i) => {
      const r = fixture(i % 2 ? 'proposed2-sim' : 'baseline-sim');
      r.arch = `variant-${String(i + 1).padStart(2, '0')}`;
      for (const region of Object.values(r.regions)) region.request.mean! *= 1 + i / 10;
      mkdirSync(join(SCRATCH, 'many'), { recursive: true });
      const file = join(SCRATCH, 'many', `v${i}.json`);
      writeFileSync(file, JSON.stringify(r));
      return file;
    });
    const out = join(SCRATCH, 'many-out');
    const { view } = await buildReport(files, out, defaultOptions());
    const colours = view.sources.map((s) => s.colour);
    expect(new Set(colours).size).toBe(12);
    for (const chart of ['latency-request', 'percentiles-request', 'connections', 'meter-spm', 'resources']) {
      const svg = readFileSync(join(out, `${chart}.svg`), 'utf8');
      for (const s of view.sources) expect(svg, `${chart} lists ${s.label}`).toContain(s.label);
      for (const c of colours) expect(svg.toLowerCase(), `${chart} uses ${c}`).toContain(c.toLowerCase());
    }
  });
});
