import { describe, expect, it } from 'vitest';
import { checkGenerator } from '../../calibrate/validate/generator.ts';
import type { MeasuredRun } from '../../calibrate/fit/measured.ts';
import { syntheticReport } from './fit-fixtures.ts';

function liveRun(spec: string, bottleneck: boolean | undefined): MeasuredRun {
  const report = syntheticReport({ 'eu-west-1': 10 }, 6, 12, 'live');
  if (bottleneck !== undefined) report.extra = { live: { loadgen: { generators: 1, messagesPerSecond: 1000, lagLimitMs: 10, loopLagP99MaxMs: bottleneck ? 40 : 5, loopLagP99MedianMs: 3, loopLagMaxMs: bottleneck ? 60 : 8, secondsOverLimit: bottleneck ? 7 : 0, seconds: 60, bottleneck, warnings: [] } } as never };
  return { spec, report } as MeasuredRun;
}

describe('validate refuses live runs measured by an overloaded generator', () => {
  it('refuses, naming the run and how often the lag passed the limit', () => {
    expect(() => checkGenerator([liveRun('ok.json', false), liveRun('slow.json', true)], false)).toThrow(/slow\.json: the load generator was the bottleneck .* 7 of 60 seconds.*--force/);
  });

  it('compares anyway with --force, saying which', () => {
    expect(checkGenerator([liveRun('slow.json', true)], true)).toEqual([expect.stringMatching(/^slow\.json: /)]);
  });

  it('lets healthy live runs, and reports without the record, through', () => {
    expect(checkGenerator([liveRun('ok.json', false), liveRun('old.json', undefined)], false)).toEqual([]);
  });
});
