import { describe, expect, it } from 'vitest';
import { estimatePathLoss, MIN_RESOLVED_SHARE, shareAbove } from '../../calibrate/fit/pathloss.ts';
import type { MeasuredRun } from '../../calibrate/fit/measured.ts';
import type { RttEstimate } from '../../calibrate/fit/rtt.ts';
import { firstSampleRtoMs, HANDSHAKE_MESSAGES } from '../../model/network.ts';
import { emptySummary, type Report, type Summary } from '../../model/report.ts';
import { syntheticReport, TRUE_RTT_MS } from './fit-fixtures.ts';

/** The 2015 baseline's São Paulo and Sydney handshake quantiles (data/thesis-2015/baseline, ms). */
const SAO_PAULO: Summary = { ...emptySummary(), count: 2999, mean: 818.2, median: 782.9, p50: 782.9, p66: 783.9, p75: 784.7, p80: 785.1, p90: 788.0, p95: 817.4, p98: 1266.0, p99: 2107.8 };
const SYDNEY: Summary = { ...emptySummary(), count: 3000, mean: 1269.9, median: 1262.1, p50: 1262.1, p66: 1266.1, p75: 1270.1, p80: 1272.4, p90: 1281.1, p95: 1289.8, p98: 1377.7, p99: 1437.5 };

describe('shareAbove (the share of samples beyond a value, from a Report\'s quantiles)', () => {
  it('interpolates the level between the quantiles around the value', () => {
    // halfway between the p95 (817.4) and the p98 (1266.0): 3.5 % above
    expect(shareAbove(SAO_PAULO, (817.4 + 1266.0) / 2)).toBeCloseTo(0.035, 10);
    expect(shareAbove(SAO_PAULO, 1266.0)).toBeCloseTo(0.02, 10);
  });
  it('is unresolved beyond the p99, and at most a half below the median', () => {
    expect(shareAbove(SAO_PAULO, 2200)).toBeNull();
    expect(shareAbove(SAO_PAULO, 700)).toBe(0.5);
  });
});

describe('estimatePathLoss (packet loss per path from the handshake tail)', () => {
  function runWith(regions: Record<string, Summary>, report: Partial<Report> = {}): { run: MeasuredRun; rtt: RttEstimate } {
    const base = syntheticReport(TRUE_RTT_MS);
    const r: Report = { ...base, ...report, regions: Object.fromEntries(Object.entries(regions).map(([id, hs]) => [id, { ...base.regions[id], handshake: hs }])) };
    const run = { spec: 'x', report: r, regions: Object.keys(regions), usersPerRegion: {}, hash: { path: 'x', sha256: '0'.repeat(64), files: [] }, fingerprints: {}, derivedFrom: [], subset: false } as MeasuredRun;
    const detail = [{ region: 'sa-east-1', serverRegion: 'eu-west-1', priorMs: 0, fromRequestMs: 0, fromHandshakeMs: 0, rttMs: 192.7 }, { region: 'ap-southeast-2', serverRegion: 'eu-west-1', priorMs: 0, fromRequestMs: 0, fromHandshakeMs: 0, rttMs: 312.7 }].filter((d) => regions[d.region]);
    return { run, rtt: { matrix: {}, routeFactor: 1, requestServerMs: 0, handshakeServerMs: 0, anchor: 'local-region', detail } };
  }

  it('reads São Paulo\'s 2015 tail as ~3 % of handshakes that lost a message, ~0.4 % of messages, and Sydney\'s as none', () => {
    const { run, rtt } = runWith({ 'sa-east-1': SAO_PAULO, 'ap-southeast-2': SYDNEY });
    const [sp, ...rest] = estimatePathLoss(run, rtt);
    expect(rest).toEqual([]);
    expect(sp.region).toBe('sa-east-1');
    expect(sp.thresholdMs).toBeCloseTo(782.9 + firstSampleRtoMs(192.7) / 2, 0);
    expect(sp.share).toBeGreaterThan(0.03);
    expect(sp.share).toBeLessThan(0.035);
    expect(sp.loss).toBeCloseTo(1 - (1 - sp.share) ** (1 / HANDSHAKE_MESSAGES), 3);
  });

  it('reads nothing below the p99\'s resolution, and nothing from a live run that injected no loss', () => {
    const tight = { ...SAO_PAULO, p98: 800, p99: 810 };
    expect(estimatePathLoss(...Object.values(runWith({ 'sa-east-1': tight })) as [MeasuredRun, RttEstimate])).toEqual([]);
    expect(MIN_RESOLVED_SHARE).toBe(0.01);
    const live = runWith({ 'sa-east-1': SAO_PAULO }, { kind: 'live', params: { loss: false } as Report['params'] });
    expect(estimatePathLoss(live.run, live.rtt)).toEqual([]);
  });
});
