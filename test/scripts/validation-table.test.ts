import { describe, expect, it } from 'vitest';
import { compareReports, scoreRows } from '../../calibrate/validate/compare.ts';
import { formatValidation } from '../../calibrate/validate/format.ts';
import type { ValidationResult } from '../../calibrate/validate/validate.ts';
import { parseValidation, validationTable } from '../../scripts/validation-table.ts';
import { TRUE_RTT_MS, syntheticReport } from '../calibrate/fit-fixtures.ts';

describe('the docs\' validation tables, read from sim validate\'s output', () => {
  // three seeds: Ireland's broadcast mean spread ±30 % around +20 % (a miss within the spread),
  // its request mean +20 % on every seed (a miss outside it), the rest exact
  const meas = syntheticReport(TRUE_RTT_MS);
  const predicted = [0.9, 1.2, 1.5].map((f) => {
    const p = structuredClone(meas);
    p.regions['eu-west-1'].broadcast.mean! *= f;
    p.regions['eu-west-1'].request.mean! *= 1.2;
    return p;
  });
  const rows = compareReports(predicted, meas, { regions: ['eu-west-1', 'us-east-1'] });
  const result: ValidationResult = {
    label: null,
    runs: [{ spec: 'synthetic', arch: 'baseline', regions: ['eu-west-1', 'us-east-1'], seeds: [1, 2, 3], rows, ...scoreRows(rows), predicted, measured: meas }],
  };
  const text = formatValidation(result, 'p.json');
  // the updates per user are shown and read, not counted
  const counted = rows.filter((r) => !r.informational).length;

  it('says which misses lie within the simulator\'s run-to-run spread, row by row and in the count line', () => {
    expect(text).toMatch(/eu-west-1\s+broadcast\s+mean\s.*NO, in spread/);
    expect(text).toMatch(/eu-west-1\s+request\s+mean\s.*\bNO\s/);
    expect(text).toContain(`${counted - 2} of ${counted} comparable figures within tolerance; of the 2 outside, 1 within the spread of the simulator's single runs (95 % prediction interval of one run over 3 seeds)`);
  });

  it('marks them ✗~ in the table, ✗ for the other misses, and keeps the count', () => {
    const parsed = parseValidation(text);
    expect(parsed.within).toEqual({ n: counted - 2, of: counted });
    expect(parsed.counts).toContain('updatesPerUser +0.0% (not counted)');
    expect(parsed.rows.get('eu-west-1')!.get('broadcast/mean')).toBe('+20% ✗~');
    expect(parsed.rows.get('eu-west-1')!.get('request/mean')).toBe('+20% ✗');
    expect(parsed.rows.get('us-east-1')!.get('request/mean')).toBe('+0%');
    expect(validationTable(text)).toContain('| Ireland | +0% | +0% | +0% | +20% ✗ |');
  });
});
