import { describe, expect, it } from 'vitest';
import type { ReplicationCi } from '../../model/report.ts';
import { compareRows, hasPredictionErrors, referenceFor, relativeError, verdictCounts } from '../../reports/compare.ts';
import { globalMetrics, metricByKey } from '../../reports/metrics.ts';
import { DEFAULT_TOLERANCES } from '../../reports/options.ts';
import { sourceColour, toSources } from '../../reports/sources.ts';
import { fixture, loaded } from './helpers.ts';

describe('side-by-side comparison', () => {
  it('checks a prediction only against the measurement of the same architecture and users', () => {
    const sources = toSources(loaded('baseline-import', 'baseline-sim', 'proposed1-sim', 'proposed1-live'));
    const [imp, sim, p1, live] = sources;
    expect(referenceFor(sim, sources)).toBe(imp);
    expect(referenceFor(p1, sources)).toBeNull(); // live proposed1 ran 400 users, not 24,000
    expect(referenceFor(imp, sources)).toBeNull(); // a measurement is not checked against another here
    expect(live.measured).toBe(true);
    expect(hasPredictionErrors(sources)).toBe(true);
    expect(hasPredictionErrors(toSources(loaded('proposed1-sim', 'proposed2-sim')))).toBe(false);
  });

  it('computes relative errors, with a measured 0 only matched by 0', () => {
    expect(relativeError(110, 100)).toBeCloseTo(0.1, 12);
    expect(relativeError(90, 100)).toBeCloseTo(-0.1, 12);
    expect(relativeError(0, 0)).toBe(0);
    expect(relativeError(1, 0)).toBe(Infinity);
    expect(relativeError(null, 5)).toBeNull();
  });

  it('colours errors by the tolerance of the metric class, boundary included', () => {
    const measured = fixture('baseline-import');
    const predicted = fixture('baseline-sim');
    predicted.global.request.mean = measured.global.request.mean! * 1.1; // exactly at the 10% mean tolerance
    predicted.global.request.median = measured.global.request.median! * 1.11; // just outside 10%
    predicted.global.request.p98 = measured.global.request.p98! * 0.76; // inside 25%
    predicted.counts.handledRequests = Math.round(measured.counts.handledRequests! * 1.02); // outside 1%
    const sources = toSources([{ file: 'm.json', report: measured }, { file: 'p.json', report: predicted }]);
    const rows = compareRows(['request.mean', 'request.median', 'request.p98', 'counts.handledRequests', 'request.max'].map((k) => metricByKey(k)), sources, DEFAULT_TOLERANCES);
    const verdicts = rows.map((r) => r.cells[1].within);
    expect(verdicts).toEqual([true, false, true, false, null]);
    expect(rows.every((r) => r.cells[0].error === null)).toBe(true);
    expect(verdictCounts(rows, 1)).toEqual({ within: 2, outside: 2 });
  });

  it('shows unknown figures as unknown, never as 0', () => {
    const sources = toSources(loaded('baseline-import', 'baseline-sim'));
    const rows = compareRows(globalMetrics(), sources, DEFAULT_TOLERANCES);
    const broadcasts = rows.find((r) => r.metric.key === 'counts.broadcasts')!;
    expect(broadcasts.cells[0]).toMatchObject({ value: null, text: '—' });
    expect(broadcasts.cells[1]).toMatchObject({ error: null, within: null });
  });
});

describe('replications', () => {
  it('shows the confidence interval a Report of replications carries, and says how many runs', () => {
    const r = fixture('baseline-sim');
    // a partial extra.ci, as a Report read from a file may carry: only what the test looks at
    const ci = { level: 0.95, replications: 5, seeds: [1, 2, 3, 4, 5], global: { request: { p98: { mean: 1560, lo: 1400, hi: 1720, n: 5 } } }, regions: {}, counts: { redisHits: { mean: 1, lo: null, hi: null, n: 1 } } };
    r.extra = { ci: ci as unknown as ReplicationCi };
    const sources = toSources([{ file: 'r.json', report: r }]);
    expect(sources[0].label).toBe('baseline (sim, 5 runs)');
    const [p98, hits, mean] = compareRows(['request.p98', 'counts.redisHits', 'request.mean'].map((k) => metricByKey(k)), sources, DEFAULT_TOLERANCES);
    expect(p98.cells[0].interval).toEqual({ mean: 1560, lo: 1400, hi: 1720, n: 5 });
    expect(p98.cells[0].intervalText).toBe('95% CI 1.4 s – 1.72 s');
    expect(hits.cells[0].interval).toBeNull(); // bounds unknown: nothing invented
    expect(mean.cells[0].intervalText).toBe('');
  });
});

describe('sources', () => {
  it('labels sources uniquely and keeps one colour per source, distinct for many sources', () => {
    const many = Array.from({ length: 24 }, (_, i) => ({ file: `run-${i}.json`, report: { ...fixture('proposed2-sim'), seed: i % 3 } }));
    const sources = toSources(many);
    expect(new Set(sources.map((s) => s.label)).size).toBe(24);
    expect(new Set(sources.map((s) => s.colour)).size).toBe(24);
    expect(sources[0].label).toBe('proposed2 (sim, seed 0) run-0');
    expect(new Set(Array.from({ length: 40 }, (_, i) => sourceColour(i))).size).toBe(40);
  });

  it('does not add file names when labels are already unique', () => {
    expect(toSources(loaded('baseline-import', 'proposed1-live')).map((s) => s.label)).toEqual(['baseline (import)', 'proposed1 (live)']);
  });
});
