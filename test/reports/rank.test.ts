import { describe, expect, it } from 'vitest';
import { UserError } from '../../model/errors.ts';
import { metricByKey } from '../../reports/metrics.ts';
import { rankSources } from '../../reports/rank.ts';
import { toSources } from '../../reports/sources.ts';
import { loaded } from './helpers.ts';

describe('ranking', () => {
  const sources = toSources(loaded('baseline-import', 'baseline-sim', 'proposed1-sim', 'proposed2-sim', 'proposed1-live'));

  it('ranks by 98th percentile request latency, lowest first', () => {
    const ranking = rankSources(sources, metricByKey('request.p98'), null);
    const values = ranking.map((e) => e.value as number);
    expect(ranking.every((e) => e.position !== null)).toBe(true);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(ranking[ranking.length - 1].source.report.arch).toBe('proposed1');
  });

  it('leaves out sources over the cost ceiling or of unknown cost, saying why', () => {
    const ranking = rankSources(sources, metricByKey('request.p98'), 5);
    const ranked = ranking.filter((e) => e.position !== null).map((e) => e.source.label);
    expect(ranked.sort()).toEqual(['baseline (import)', 'baseline (sim, seed 1)']);
    const reasons = Object.fromEntries(ranking.filter((e) => e.position === null).map((e) => [e.source.label, e.excluded]));
    expect(reasons['proposed1 (sim, seed 1)']).toMatch(/over the \$5\.00\/h ceiling/);
    expect(reasons['proposed2 (sim, seed 1)']).toMatch(/over the \$5\.00\/h ceiling/);
    expect(reasons['proposed1 (live)']).toBe('cost unknown');
  });

  it('ranks higher-is-better metrics highest first and per-region keys', () => {
    const connected = rankSources(sources, metricByKey('connected'), null);
    expect(connected[0].value).toBe(24000);
    const sydney = metricByKey('request.median@ap-southeast-2');
    expect(sydney.get(sources[0].report)).toBe(319);
    expect(rankSources(sources, sydney, null)[0].source.report.arch).toBe('proposed2');
  });

  it('rejects an unknown criterion with a one-line CONFIG_INVALID', () => {
    expect(() => metricByKey('request.p97')).toThrow(UserError);
    expect(() => metricByKey('speed')).toThrow(/--rank must name a metric .* \(got "speed"\)/);
  });
});
