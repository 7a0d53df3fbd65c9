import { describe, expect, it } from 'vitest';
import { LEIGHTON_TABLE, leightonLoss, leightonRttMs, pathBetween, retransmissionTimeoutMs } from '../../model/network.ts';
import { findRegion, greatCircleMiles } from '../../model/regions.ts';

describe('Leighton RTT prior', () => {
  it('passes through every anchor of the table', () => {
    for (const a of LEIGHTON_TABLE) {
      expect(leightonRttMs(a.miles)).toBeCloseTo(a.rttMs, 9);
      expect(leightonLoss(a.miles)).toBeCloseTo(a.loss, 9);
    }
  });
  it('interpolates between anchors and extrapolates past the last', () => {
    expect(leightonRttMs(4500)).toBeCloseTo(75, 9);
    expect(leightonRttMs(9000)).toBeCloseTo(150, 9);
  });
  it('rejects a negative distance', () => {
    expect(() => leightonRttMs(-1)).toThrow(/distance must be >= 0/);
  });
});

describe('paths between regions', () => {
  const ireland = findRegion('eu-west-1')!;
  const sydney = findRegion('ap-southeast-2')!;
  it('measures Ireland–Sydney as a multi-continent great circle', () => {
    const miles = greatCircleMiles(ireland, sydney);
    expect(miles).toBeGreaterThan(10_000);
    expect(miles).toBeLessThan(11_000);
  });
  it('prefers a measured matrix entry in either direction', () => {
    expect(pathBetween(sydney, ireland, { matrix: { 'eu-west-1': { 'ap-southeast-2': 290 } } }).rttMs).toBe(290);
  });
  it('scales the prior by the route factor', () => {
    const a = pathBetween(ireland, sydney).rttMs;
    expect(pathBetween(ireland, sydney, { routeFactor: 1.5 }).rttMs).toBeCloseTo(a * 1.5, 9);
  });
  it('uses a 200 ms retransmission floor', () => {
    expect(retransmissionTimeoutMs(10, 1)).toBe(200);
    expect(retransmissionTimeoutMs(300, 20)).toBe(380);
  });
});
