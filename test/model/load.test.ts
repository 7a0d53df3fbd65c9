import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPriceTable, loadRegionMix, writeOut } from '../../model/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'sim-load-'));

describe('region-mix reader', () => {
  it('reads a named mix or a file, normalising the shares', () => {
    expect(loadRegionMix('ucl-final')['eu-west-1']).toBe(0.65);
    const path = join(dir, 'mix.json');
    writeFileSync(path, JSON.stringify({ 'eu-west-1': 3, 'ap-southeast-2': 1 }));
    expect(loadRegionMix(path)).toEqual({ 'eu-west-1': 0.75, 'ap-southeast-2': 0.25 });
  });
  it('lists every unknown region with the valid ones', () => {
    const path = join(dir, 'bad-mix.json');
    writeFileSync(path, JSON.stringify({ 'eu-west-1': 1, 'mars-1': 2, moon: 1 }));
    expect(() => loadRegionMix(path)).toThrow(
      /bad-mix\.json has 2 problems: key must be one of eu-west-1, us-east-1, .*, eu-central-1 \(got "mars-1"\); key must be one of .* \(got "moon"\)$/,
    );
    expect(() => loadRegionMix('atlantis')).toThrow(/^--regions must be one of uniform, ucl-final/);
  });
});

describe('price-table reader', () => {
  it('lists every problem of a price table', () => {
    const path = join(dir, 'prices.json');
    writeFileSync(path, JSON.stringify({ ...loadPriceTable('thesis-2015'), currency: '', route53PerHour: -1 }));
    expect(() => loadPriceTable(path)).toThrow(/prices\.json has 2 problems: currency must be a non-empty string \(got ""\); route53PerHour must be a non-negative price \(got -1\)$/);
  });
});

describe('output writer', () => {
  it('writes the file, creating its folder when asked', () => {
    const path = join(dir, 'new', 'deeper', 'out.json');
    writeOut(path, '{}\n', '--out', true);
    expect(readFileSync(path, 'utf8')).toBe('{}\n');
  });
  it('a path it cannot write is one line naming the flag, the path and the reason', () => {
    const path = join(dir, 'missing', 'out.json');
    expect(() => writeOut(path, 'x')).toThrow(new RegExp(`^--out ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be written \\(ENOENT\\)$`));
    expect(() => writeOut(path, 'x', '--out file')).toThrow(/^--out file .* cannot be written \(ENOENT\)$/);
  });
});
