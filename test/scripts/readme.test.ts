import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../model/report.ts';
import { poolRunner } from '../../sim/many/pool.ts';
import { block, meanOutsideIreland, planTable, replaceBlock, runLike, whatIfInputs, whatIfTable } from '../../scripts/readme.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README figures are generated (npm run readme)', () => {
  it('finds and replaces a marked block, and nothing else', () => {
    const text = 'a\n<!-- readme:x -->\nold\n<!-- /readme:x -->\nb';
    expect(block(text, 'x')).toBe('old');
    expect(replaceBlock(text, 'x', 'new\nlines')).toBe('a\n<!-- readme:x -->\nnew\nlines\n<!-- /readme:x -->\nb');
    expect(() => block(text, 'y')).toThrow(/no <!-- readme:y -->/);
  });
  it('every generated block is in the README', () => {
    for (const name of ['what-if-timing', 'what-if-defaults', 'what-if-calibrated', 'racy-check', 'plan-table', 'mechanisms']) expect(() => block(README, name)).not.toThrow();
  });
  it('writes a plan row with its wall time, recommendation and runner-up', () => {
    const table = planTable([{ label: '`--users 24000`', wallS: 78.4, best: { key: 'central c3.4xlarge', costPerHour: 1.394 }, runnerUp: null }]);
    expect(table.split('\n')[2]).toBe('| `--users 24000` | 1 min 18 s | central c3.4xlarge, $1.39/h | none meets the objective |');
  });
  it('the mechanism table\'s means outside Ireland weigh each region by its samples and leave Ireland out', () => {
    const { report } = runLike({ arch: 'proposed1', dbMode: 'blocking', duration: '30s' });
    const outside = Object.entries(report.regions).filter(([id]) => id !== 'eu-west-1').map(([, r]) => r.request);
    const expected = outside.reduce((a, s) => a + (s.mean ?? 0) * s.count, 0) / outside.reduce((a, s) => a + s.count, 0);
    expect(meanOutsideIreland(report, 'request')).toBeCloseTo(expected, 9);
    expect(meanOutsideIreland(report, 'request')).toBeGreaterThan(report.regions['eu-west-1'].request.mean! * 2);
  });
  it('the committed what-if table with the default parameters is what a fresh run gives (regenerate: npm run readme)', async () => {
    // the same runs as npm run readme's, on two threads: a cell's Report is byte-identical on a pool and in this thread (sim/many/cell.ts)
    const inputs = whatIfInputs();
    // handed over longest first (proposed1 async, then the batched rows, baseline, the blocking distributed ones), so the two threads end together
    const order = [2, 3, 5, 0, 4, 1];
    expect([...order].sort((a, b) => a - b)).toEqual(inputs.map((_, i) => i));
    const pool = poolRunner(2);
    try {
      const texts = await pool.run(order.map((i) => inputs[i]));
      const reports: Report[] = new Array(inputs.length);
      order.forEach((i, k) => { reports[i] = JSON.parse(texts[k]) as Report; });
      expect(block(README, 'what-if-defaults')).toBe(whatIfTable(reports));
    } finally {
      await pool.close();
    }
  }, 600_000);
});
