import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type BuildResult } from '../../reports/build.ts';
import { defaultOptions } from '../../reports/options.ts';
import { ROOT, fixturePath } from './helpers.ts';

/**
 * Reports made by the other modules, not by hand: the measured baseline imported from the
 * thesis data (`sim import`) and a short simulated proposed1 run (`sim run`), generated here
 * and compared. Checks that the report accepts what the producers write and reads it right.
 */
const BASELINE_DATA = join(ROOT, 'data/thesis-2015/baseline');

function sim(...args: string[]): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/sim.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`sim ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

describe('reports of real producers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-report-real-'));
  const imported = join(dir, 'baseline-import.json');
  const simulated = join(dir, 'proposed1-sim.json');
  let built: BuildResult;

  beforeAll(async () => {
    sim('import', BASELINE_DATA, '--from', '2015-07-31 15:36:00', '--to', '2015-07-31 17:09:00', '--out', imported);
    sim('run', '--arch', 'proposed1', '--users', '800', '--duration', '3m', '--no-progress', '--format', 'json', '--out', simulated);
    built = await buildReport([imported, simulated, fixturePath('baseline-sim')], join(dir, 'out'), defaultOptions());
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the imported baseline: SYSTEM.md §6 per-region medians and a healthy headline', () => {
    const rows = built.view.regionRows;
    const median = (id: string) => rows.find((r) => r.region.id === id)!.rows.find((r) => r.metric.key === `request.median@${id}`)!.cells[0].value!;
    // request median of client medians, SYSTEM.md §6: Ireland 7 ms, N. Virginia 83 ms, Sydney 319 ms
    expect(Math.round(median('eu-west-1'))).toBe(7);
    expect(Math.round(median('us-east-1'))).toBe(83);
    expect(Math.round(median('ap-southeast-2'))).toBe(319);
    expect(built.view.headlines[0]).toMatch(/^baseline \(import\): all 8 regions keep up; request median 7 ms \(Ireland\) to 319 ms \(Sydney\)/);
    expect(built.view.headlines[0]).toContain('1 of 24,000 users failed to connect');
  });

  it('shows the SPM network inputs in the meter\'s own unit: the thesis baseline\'s 32.06 / 147.70 MB per minute', async () => {
    const { SPM } = await import('../../reports/meter-inputs.ts');
    const report = JSON.parse(readFileSync(imported, 'utf8'));
    const [, , , netIn, netOut] = SPM.inputs(report);
    // SYSTEM.md §6: network in 32.06, out 147.70 MB per minute (binary MB, as model/meters.ts)
    expect(netIn).toBeCloseTo(32.06, 1);
    expect(netOut).toBeCloseTo(147.7, 1);
  });

  it('checks the hand-written baseline prediction against the imported measurement', () => {
    const mean = built.view.globalRows.find((r) => r.metric.key === 'request.mean')!;
    expect(mean.cells[0].value).toBeCloseTo(291.5, 0); // the importer's pooled mean (README: 292)
    expect(mean.cells[2].reference?.label).toBe('baseline (import)');
    expect(mean.cells[2].error).toBeCloseTo((mean.cells[2].value! - mean.cells[0].value!) / mean.cells[0].value!, 12);
    expect(mean.cells[1].reference).toBeNull(); // proposed1 was not measured
  });

  it('reads the simulated collapse of proposed1 from the simulator own figures', () => {
    const h = built.view.headlines[1];
    // blocking round trips to a database in Ireland: the far regions fall behind (SYSTEM.md §1)
    const slow = Number(/^proposed1 \(sim, blocking, seed 1\): (\d) of 8 regions cannot keep up/.exec(h)?.[1]);
    expect(slow).toBeGreaterThanOrEqual(5);
    expect(h).toMatch(/\(all but Ireland[^)]*\)|\d keep up\)/);
    expect(h).toContain('blocking database round trips to Ireland');
  });

  it('writes every output for them', () => {
    expect(built.files).toContain('index.html');
    expect(readFileSync(join(dir, 'out', 'summary.md'), 'utf8')).toContain('baseline (import)');
    expect(built.files.filter((f) => f.endsWith('.png'))).toHaveLength(built.view.charts.length);
  });
});
