import { describe, expect, it } from 'vitest';
import { builtInArchitecture } from '../../model/architecture.ts';
import { DEFAULT_PARAMS } from '../../model/params.ts';
import { DEFAULT_WIDTH, fmtMs, formatReport, inUnit, unitFor, wrap } from '../../model/table.ts';
import { THESIS_SCENARIO } from '../../model/workload.ts';
import { simulate } from '../../sim/run.ts';

const run = (arch: string, users: number) => simulate({
  arch: builtInArchitecture(arch),
  scenario: { ...THESIS_SCENARIO, users, rampPerS: users / 20, durationS: 60 },
  params: DEFAULT_PARAMS,
  seed: 1,
}).report;

describe('units chosen per column', () => {
  it('picks the unit a column\'s largest value reads best in, and writes every value in it', () => {
    expect(unitFor([7, 8727, 6672]).name).toBe('ms');
    expect(unitFor([8727, 6672, 51_600]).name).toBe('s');
    expect(inUnit(8727, unitFor([8727, 6672, 51_600]))).toBe('8.73');
    expect(unitFor([1000, 200_000, null]).name).toBe('min');
    expect(unitFor([50, 200_000, null]).name).toBe('s');
    expect(unitFor([9.22, 170_496]).name).toBe('s');
    expect(inUnit(9.22, unitFor([9.22, 170_496]))).toBe('0.009');
    expect(unitFor([4e6, 8e6]).name).toBe('h');
    expect(unitFor([207, 446_400]).name).toBe('s');
    expect(inUnit(207, unitFor([207, 446_400]))).toBe('0.207');
    expect(fmtMs(412)).toBe('412 ms');
    expect(fmtMs(51_600)).toBe('51.6 s');
    expect(fmtMs(444_000)).toBe('7.40 min');
  });
  it('wraps words at the width, continuation lines indented', () => {
    expect(wrap('note: a bb ccc dddd', 10, '  ')).toEqual(['note: a bb', '  ccc dddd']);
    expect(wrap('   x yy zzz', 8, '     ')).toEqual(['   x yy', '     zzz']);
  });
});

describe('a Report as text', () => {
  const text = formatReport(run('proposed2', 400));
  const lines = text.split('\n');
  it('fits the width', () => {
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(DEFAULT_WIDTH);
  });
  it('names the unit of each latency column in its header, and every headline figure\'s unit', () => {
    expect(lines[2]).toMatch(/^region\s+connected\s+handshake, (ms|s|min|h)\s+request, (ms|s|min|h)\s+broadcast, (ms|s|min|h)$/);
    expect(text).toMatch(/\nrequest latency  mean [\d.,]+ (ms|s|min|h), median [\d.,]+ (ms|s|min|h), p98 [\d.,]+ (ms|s|min|h), max [\d.,]+ (ms|s|min|h)\n/);
    expect(text).toMatch(/\nbroadcast        mean [\d.,]+ (ms|s|min|h), median [\d.,]+ (ms|s|min|h), p98 [\d.,]+ (ms|s|min|h)\n/);
    expect(text).toMatch(/\ncost             \$[\d.]+ per hour\n/);
  });
  it('gives failed and pending connections a column only when there are some', () => {
    const report = run('proposed2', 400);
    expect(lines[2]).not.toMatch(/failed|pending/);
    const eu = report.regions['eu-west-1'];
    const withPending = { ...report, regions: { ...report.regions, 'eu-west-1': { ...eu, connected: eu.connected - 3, pending: 3 } } };
    const header = formatReport(withPending).split('\n')[2];
    expect(header).toMatch(/^region\s+connected\s+pending\s+handshake,/);
    expect(formatReport(withPending)).toMatch(/\nIreland\s+[\d,]+\s+3\s/);
  });
  it('counts the CPU lines it shows and the ones it does not, correctly', () => {
    const report = run('proposed2', 400);
    const all = report.resources!.instances.length;
    expect(all).toBeGreaterThan(10);
    const t = formatReport(report);
    expect(t).toContain(`(the 9 busiest of ${all} instances)`);
    expect(t.split('\n').filter((l) => / %$/.test(l))).toHaveLength(9);
    expect(t).toContain(`... and ${all - 9} more (every instance is in the Report JSON`);
    const small = formatReport(run('baseline', 200));
    expect(small.split('\n').filter((l) => / %$/.test(l))).toHaveLength(run('baseline', 200).resources!.instances.length);
    expect(small).not.toContain('more (every instance');
  });
});
