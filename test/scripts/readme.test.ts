import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { block, meanOutsideIreland, planTable, replaceBlock, runLike, whatIfRuns, whatIfTable } from '../../scripts/readme.ts';

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
  it('the committed what-if table with the default parameters is what a fresh run gives (regenerate: npm run readme)', () => {
    expect(block(README, 'what-if-defaults')).toBe(whatIfTable(whatIfRuns().map((r) => r.report)));
  }, 600_000);
});
