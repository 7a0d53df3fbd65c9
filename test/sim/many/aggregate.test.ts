import { describe, expect, it } from 'vitest';
import { emptySummary, type Report } from '../../../model/report.ts';
import { combineReplications, meanOf, type ReplicationCi } from '../../../sim/many/aggregate.ts';

function report(seed: number, p98: number | null, handled: number): Report {
  const request = { ...emptySummary(), count: p98 === null ? 0 : 10, p98, mean: p98 === null ? null : p98 / 2 };
  const region = { connected: 100 + seed, failed: 0, pending: 0, handshake: emptySummary(), request, broadcast: emptySummary() };
  return {
    kind: 'sim', arch: 'baseline', users: 100, seed, durationS: 60, params: { x: 1 },
    regions: { 'eu-west-1': region }, global: region,
    counts: { handledRequests: handled, redisHits: null, redisMisses: null, mysqlQueries: null, broadcasts: null },
    resources: { instances: [], perMinute: [{ t: 0, cpu: 10 + seed, memory: null, disk: null }] },
    network: null, cost: null, meters: null,
  };
}

describe('combining replications', () => {
  it('averages every figure, skips figures a replication did not have, keeps text from the first', () => {
    expect(meanOf([{ a: 1, b: [1, null], c: 'x' }, { a: 3, b: [3, 5], c: 'y' }])).toEqual({ a: 2, b: [2, 5], c: 'x' });
    expect(meanOf([null, null])).toBeNull();
  });

  it('puts the means in the figures and the intervals in extra.ci', () => {
    const r = combineReplications([report(1, 100, 1000), report(2, 200, 2000), report(3, null, 3000)], [1, 2, 3]);
    expect(r.seed).toBe(1);
    expect(r.global.request.p98).toBe(150);
    expect(r.counts.handledRequests).toBe(2000);
    expect(r.counts.redisHits).toBeNull();
    expect(r.resources!.perMinute[0].cpu).toBe(12);
    const ci = r.extra!.ci as ReplicationCi;
    expect(ci).toMatchObject({ level: 0.95, replications: 3, seeds: [1, 2, 3] });
    expect(ci.global.request.p98).toMatchObject({ mean: 150, n: 2 });
    expect(ci.regions['eu-west-1'].connected).toMatchObject({ mean: 102, n: 3 });
    expect(ci.counts.handledRequests.lo!).toBeLessThan(2000);
    expect(ci.counts.handledRequests.hi!).toBeGreaterThan(2000);
    expect(r.notes!.at(-1)).toMatch(/means over 3 independent replications/);
  });

  it('is deterministic and refuses replications of different inputs', () => {
    const a = [report(1, 100, 1000), report(2, 200, 2000)];
    expect(JSON.stringify(combineReplications(a, [1, 2]))).toBe(JSON.stringify(combineReplications(a, [1, 2])));
    expect(() => combineReplications([report(1, 1, 1), { ...report(2, 1, 1), users: 5 }], [1, 2])).toThrow(/different inputs/);
  });
});
