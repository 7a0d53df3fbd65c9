import { describe, expect, it } from 'vitest';
import { estimateRtt, priorRttMs, serverRegionFor } from '../../calibrate/fit/rtt.ts';
import { builtInArchitecture } from '../../model/architecture.ts';
import { networkMatrix } from '../../model/network.ts';
import { CLIENT_REGION_IDS } from '../../model/regions.ts';
import { TRUE_RTT_MS, syntheticReport } from './fit-fixtures.ts';

describe('estimateRtt', () => {
  const baseline = builtInArchitecture('baseline');

  it('recovers the RTTs behind request and handshake medians, anchored on the server region', () => {
    const est = estimateRtt(syntheticReport(TRUE_RTT_MS), baseline, CLIENT_REGION_IDS)!;
    expect(est.anchor).toBe('local-region');
    expect(est.requestServerMs).toBeCloseTo(6, 6);
    expect(est.handshakeServerMs).toBeCloseTo(12, 6);
    for (const r of CLIENT_REGION_IDS) expect(est.matrix[r]['eu-west-1']).toBeCloseTo(TRUE_RTT_MS[r], 3);
  });

  it('without the server region among the measured ones and without a published table, regresses the medians on the prior', () => {
    // RTTs exactly proportional to the prior: the regression must find the server times
    const far = CLIENT_REGION_IDS.filter((r) => r !== 'eu-west-1');
    const rtt = Object.fromEntries(far.map((r) => [r, 1.7 * priorRttMs(r, 'eu-west-1')]));
    const est = estimateRtt(syntheticReport(rtt, 9, 20), baseline, far, 'leighton')!;
    expect(est.anchor).toBe('regression');
    expect(est.requestServerMs).toBeCloseTo(9, 3);
    expect(est.handshakeServerMs).toBeCloseTo(20, 3);
    expect(est.routeFactor).toBeCloseTo(1.7, 2);
    for (const r of far) expect(est.matrix[r]['eu-west-1']).toBeCloseTo(rtt[r], 2);
  });

  it('without the server region among the measured ones, reads the server times against the published table, one changed route aside', () => {
    const far = CLIENT_REGION_IDS.filter((r) => r !== 'eu-west-1');
    const table = networkMatrix('aws-2016')!;
    const rtt = Object.fromEntries(far.map((r) => [r, table[r]?.['eu-west-1'] ?? table['eu-west-1'][r]]));
    // one route 15 % shorter than published (as Singapore's 2015 medians are)
    rtt['ap-southeast-1'] *= 0.85;
    const est = estimateRtt(syntheticReport(rtt, 6, 12), baseline, far)!;
    expect(est.anchor).toBe('network-table');
    expect(est.requestServerMs).toBeCloseTo(6, 6);
    expect(est.handshakeServerMs).toBeCloseTo(12, 6);
    expect(est.matrix['ap-southeast-1']['eu-west-1']).toBeCloseTo(rtt['ap-southeast-1'], 3);
  });

  it('route factor is the geometric mean of estimate over prior, at least 1', () => {
    const est = estimateRtt(syntheticReport(TRUE_RTT_MS), baseline, CLIENT_REGION_IDS)!;
    const far = CLIENT_REGION_IDS.filter((r) => r !== 'eu-west-1');
    const gm = Math.exp(far.reduce((s, r) => s + Math.log(TRUE_RTT_MS[r] / priorRttMs(r, 'eu-west-1')), 0) / far.length);
    expect(est.routeFactor).toBeCloseTo(Math.max(1, gm), 2);
  });

  it('only uses the regions it is given', () => {
    const est = estimateRtt(syntheticReport(TRUE_RTT_MS), baseline, ['eu-west-1', 'us-east-1'])!;
    expect(Object.keys(est.matrix).sort()).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('routes latency-based architectures to the nearest server region', () => {
    const p1 = builtInArchitecture('proposed1');
    expect(serverRegionFor(p1, 'ap-southeast-2')).toBe('ap-southeast-2');
    expect(serverRegionFor(baseline, 'ap-southeast-2')).toBe('eu-west-1');
  });
});
