import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UserError } from '../../model/errors.ts';
import { loadParams, readParamsFile } from '../../model/params-file.ts';
import { DEFAULT_PARAMS } from '../../model/params.ts';

const dir = mkdtempSync(join(tmpdir(), 'sim-params-file-'));
const file = (name: string, data: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data));
  return path;
};
const problems = (fn: () => unknown): readonly string[] => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError).problems;
  }
  throw new Error('expected a UserError');
};

describe('the one params-file reader (model/params-file.ts)', () => {
  it('reads plain overrides on top of the defaults', () => {
    const read = readParamsFile(file('plain.json', { cpuPredictMs: 2 }));
    expect(read.params.cpuPredictMs).toBe(2);
    expect(read.params.cpuJoinGameMs).toBe(DEFAULT_PARAMS.cpuJoinGameMs);
    expect(read.provenance).toBeNull();
    expect(read.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
  it('reads what `sim calibrate` writes, the committed calibration included', () => {
    const read = readParamsFile('calibrate/fit/data/baseline-params.json');
    expect(read.provenance).toMatchObject({ format: 'sim-params/1' });
    expect(read.params.loopPauseMedianMs).toBe((read.overrides as Record<string, number>).loopPauseMedianMs);
    expect(loadParams('calibrate/fit/data/baseline-params.json')).toEqual(read.params);
  });
  it('gives the defaults without a file', () => {
    expect(loadParams(undefined)).toEqual(DEFAULT_PARAMS);
  });
  it('lists every problem of the file: keys, parameters and provenance', () => {
    const path = file('bad.json', { params: { cpuPredictMs: -3, nope: 1 }, provenance: { format: 'x' }, extra: 1 });
    const schema = z.looseObject({ format: z.literal('sim-params/1', { error: 'must be sim-params/1' }) });
    expect(problems(() => readParamsFile(path, { provenance: schema }))).toEqual([
      'unknown key "extra" (a calibration record holds only "params" and "provenance")',
      'params: cpuPredictMs must be between 0.01 and 50 (got -3)',
      'params: unknown key "nope"',
      'provenance.format must be sim-params/1 (got "x")',
    ]);
    expect(() => readParamsFile(file('two.json', { cpuPredictMs: 'fast', nope: 1 }))).toThrow(/two\.json has 2 problems: cpuPredictMs must be a number \(got "fast"\); unknown key "nope"$/);
  });
  it('names the flag for a missing or broken file', () => {
    expect(() => readParamsFile(join(dir, 'missing.json'), { flag: '--start' })).toThrow(/^--start file .*missing\.json cannot be read \(ENOENT\)$/);
    expect(() => readParamsFile(file('broken.json', '{'))).toThrow(/^--params file .*broken\.json is not valid JSON/);
    expect(() => readParamsFile(file('array.json', [1]))).toThrow(/must be a JSON object of parameters.*\(got an array\) in /);
  });
});
