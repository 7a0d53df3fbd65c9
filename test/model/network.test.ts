import { describe, expect, it } from 'vitest';
import { firstSampleRtoMs, LEIGHTON_TABLE, leightonLoss, leightonRttMs, networkMatrix, pathBetween, retransmissionTimeoutMs, RTO_MIN_MS } from '../../model/network.ts';
import { REGIONS, findRegion, greatCircleMiles } from '../../model/regions.ts';

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
  it('takes a pair without a measurement from the named network, in either direction (aws-2016: Ireland–Sydney 309.6 ms)', () => {
    expect(pathBetween(ireland, sydney, { network: 'aws-2016' }).rttMs).toBe(309.6);
    expect(pathBetween(sydney, ireland, { network: 'aws-2016' }).rttMs).toBe(networkMatrix('aws-2016')!['ap-southeast-2']['eu-west-1']);
    // the measured entry comes first, the loss stays Leighton's
    expect(pathBetween(sydney, ireland, { network: 'aws-2016', matrix: { 'eu-west-1': { 'ap-southeast-2': 290 } } }).rttMs).toBe(290);
    expect(pathBetween(ireland, sydney, { network: 'aws-2016' }).loss).toBe(pathBetween(ireland, sydney).loss);
  });
  it('inside a region uses the Leighton local figure, not the table\'s diagonal of 0', () => {
    expect(pathBetween(sydney, sydney, { network: 'aws-2016' }).rttMs).toBe(1);
  });
  it('the leighton network is the prior alone', () => {
    expect(networkMatrix('leighton')).toBeNull();
    expect(pathBetween(ireland, sydney, { network: 'leighton' }).rttMs).toBe(leightonRttMs(greatCircleMiles(ireland, sydney)));
  });
  it('aws-2016 covers every pair of the regions the simulator knows', () => {
    const table = networkMatrix('aws-2016')!;
    for (const a of REGIONS) for (const b of REGIONS) expect(table[a.id]?.[b.id], `${a.id} → ${b.id}`).toBeTypeOf('number');
  });
  it('takes the published table over the distance prior when a network is named, the prior without one', () => {
    expect(pathBetween(ireland, sydney, { network: 'aws-2016' }).rttMs).toBe(networkMatrix('aws-2016')!['eu-west-1']?.['ap-southeast-2'] ?? networkMatrix('aws-2016')!['ap-southeast-2']['eu-west-1']);
    expect(pathBetween(ireland, sydney, { network: 'leighton' }).rttMs).toBe(pathBetween(ireland, sydney).rttMs);
  });
  it('uses a 200 ms retransmission floor', () => {
    expect(retransmissionTimeoutMs(10, 1)).toBe(200);
    expect(retransmissionTimeoutMs(300, 20)).toBe(380);
  });
  it('a connection\'s first data waits 3 RTT on a loss (RFC 6298 §2.2 after one sample), at least RTT + Linux\'s 200 ms floor', () => {
    expect(firstSampleRtoMs(193)).toBe(579);
    expect(firstSampleRtoMs(1)).toBe(1 + RTO_MIN_MS);
    expect(firstSampleRtoMs(100)).toBe(300);
    for (const r of [1, 50, 150, 300]) expect(firstSampleRtoMs(r)).toBeGreaterThanOrEqual(retransmissionTimeoutMs(r, 0));
  });
});
