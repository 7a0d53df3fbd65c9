import { describe, expect, it } from 'vitest';
import {
  BYTES_PER_MB, cram, crumMinute, esr, essLiterature, essThesis, hoursPerDollar, metersFor, polygonArea, scm, sec, slm, spm,
} from '../../model/meters.ts';
import { emptySummary, type Report, type Summary } from '../../model/report.ts';

const rel = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected);

describe('polygonArea (SYSTEM.md §5)', () => {
  it('matches plane geometry for regular polygons', () => {
    expect(polygonArea([1, 1, 1])).toBeCloseTo((3 * Math.sqrt(3)) / 4, 12); // equilateral triangle, circumradius 1
    expect(polygonArea([1, 1, 1, 1])).toBeCloseTo(2, 12); // square with diagonal 2
    expect(polygonArea([2, 2, 2, 2, 2, 2])).toBeCloseTo(((3 * Math.sqrt(3)) / 2) * 4, 12); // hexagon, radius 2
  });
  it('depends on the order of the radii', () => {
    expect(polygonArea([1, 2, 3, 4])).toBeCloseTo(0.5 * (2 + 6 + 12 + 4), 12);
    expect(polygonArea([1, 3, 2, 4])).toBeCloseTo(0.5 * (3 + 6 + 8 + 4), 12);
  });
  it('is 0 below three radii and refuses non-finite radii', () => {
    expect(polygonArea([])).toBe(0);
    expect(polygonArea([5, 5])).toBe(0);
    expect(() => polygonArea([1, Number.NaN, 1])).toThrow(/radius 1/);
    expect(() => polygonArea([1, Infinity, 1])).toThrow(/finite/);
  });
});

describe('named meters against the thesis figures', () => {
  it('SPM avg from the baseline inputs is 2,251.86 (±0.1%)', () => {
    const v = spm({ handshakeMs: 671, requestMs: 291, broadcastMs: 302, networkInMbPerMin: 32.06, networkOutMbPerMin: 147.7 });
    expect(rel(v, 2251.86)).toBeLessThan(0.001);
  });
  it('SPM min from the minimum network of §6 and p98 latencies is 130.46 (±0.1%)', () => {
    // latencies barely move SPM: the network term dominates (the sensitivity the thesis warns about)
    expect(rel(spm({ handshakeMs: 902, requestMs: 2190, broadcastMs: 720, networkInMbPerMin: 4.50881, networkOutMbPerMin: 60.8482 }), 130.46)).toBeLessThan(0.001);
  });
  const slmThesis = 200.138324;
  const spmLevels = { min: 130.46082, avg: 2251.85501, max: 6368.43238 };
  const crumLevels = { min: 56.82622, avg: 298.30941, max: 414.57287 };
  const hpd = hoursPerDollar(2.4534);
  const secLevels = {
    min: sec(slmThesis, spmLevels.min, crumLevels.min, hpd),
    avg: sec(slmThesis, spmLevels.avg, crumLevels.avg, hpd),
    max: sec(slmThesis, spmLevels.max, crumLevels.max, hpd),
  };
  it('SEC min/avg/max = 16,814.25 / 561,317.23 / 1,957,497.59 (±0.01%)', () => {
    expect(rel(secLevels.min, 16814.25)).toBeLessThan(1e-4);
    expect(rel(secLevels.avg, 561317.23)).toBeLessThan(1e-4);
    expect(rel(secLevels.max, 1957497.59)).toBeLessThan(1e-4);
  });
  it('ESS (thesis form) = 0.00321 and ESR = SEC max - min', () => {
    expect(essThesis(spmLevels, secLevels)).toBeCloseTo(0.00321, 5);
    expect(esr(secLevels)).toBeCloseTo(secLevels.max - secLevels.min, 9);
    expect(rel(esr(secLevels), 1957497.59 - 16814.25)).toBeLessThan(1e-4);
  });
  it('ESS (literature form) is 1 at the reference level and grows when load grows faster than SEC', () => {
    expect(essLiterature(5, 5, 100, 100)).toBe(1);
    expect(essLiterature(10, 5, 150, 100)).toBeCloseTo(2 / 1.5, 12);
  });
  it('hours per dollar is 1 / hourly cost and refuses a free system', () => {
    expect(hoursPerDollar(2.4534)).toBeCloseTo(1 / 2.4534, 15);
    expect(() => hoursPerDollar(0)).toThrow(/positive/);
  });
});

describe('SLM: the documented polygon, checked by hand (the thesis figure is not reproducible)', () => {
  it('small hand-computed case', () => {
    // 0.5 · sin(π/2) · (2·3 + 3·4 + 4·5 + 5·2) · 10^12 / 10^12 = 24
    expect(slm({ connections: 2e6, handledRequests: 3e6, redisHits: 4e6, mysqlQueries: 5e6 })).toBeCloseTo(24, 9);
  });
  it('the baseline counts of §6 give 1,041.21, not the thesis 200.14', () => {
    const c = 23999, r = 8449173, h = 50025404, q = 33158053;
    const byHand = (0.5 * (c * r + r * h + h * q + q * c)) / 1e12;
    const v = slm({ connections: c, handledRequests: r, redisHits: h, mysqlQueries: q });
    expect(v).toBeCloseTo(byHand, 9);
    expect(v).toBeCloseTo(1041.2084, 3);
    expect(rel(v, 200.138324)).toBeGreaterThan(1);
  });
});

describe('CRUM, CRAM, SCM', () => {
  it('CRUM of one minute is the triangle over cpu, memory, disk', () => {
    expect(crumMinute(10, 20, 30)).toBeCloseTo(0.5 * Math.sin((2 * Math.PI) / 3) * (200 + 600 + 300), 9);
  });
  it('CRAM of the baseline allocation (32 cores, 60 GiB, 140 GB) and SCM on top', () => {
    const v = cram({ cores: 32, memoryGiB: 60, diskGb: 140 });
    expect(v).toBeCloseTo(0.5 * Math.sin((2 * Math.PI) / 3) * (32 * 60 + 60 * 140 + 140 * 32), 9);
    expect(scm(1, 2, v)).toBeCloseTo(0.5 * Math.sin((2 * Math.PI) / 3) * (2 + 2 * v + v), 9);
  });
});

function summary(min: number, mean: number, p98: number): Summary {
  return { ...emptySummary(), count: 100, min, mean, p98, median: mean, p50: mean, max: p98 * 2 };
}

function report(): Report {
  const region = { connected: 100, failed: 0, pending: 0, handshake: summary(10, 20, 40), request: summary(5, 10, 30), broadcast: summary(8, 16, 50) };
  return {
    kind: 'sim', arch: 'baseline', users: 100, seed: 1, durationS: 180, params: null,
    regions: { 'eu-west-1': region }, global: region,
    counts: { handledRequests: 1000, redisHits: 5000, redisMisses: 10, mysqlQueries: 4000, broadcasts: 60 },
    resources: { instances: [], perMinute: [
      { t: 0, cpu: 10, memory: 20, disk: 30 }, { t: 1, cpu: 20, memory: 20, disk: 30 }, { t: 2, cpu: null, memory: 20, disk: 30 },
    ] },
    network: { inBytes: 3 * BYTES_PER_MB, outBytes: 9 * BYTES_PER_MB, perMinute: [
      { t: 0, inBytes: 1 * BYTES_PER_MB, outBytes: 2 * BYTES_PER_MB }, { t: 1, inBytes: 2 * BYTES_PER_MB, outBytes: 7 * BYTES_PER_MB }, { t: 2, inBytes: null, outBytes: null },
    ] },
    cost: { hourly: { ec2: 2 }, totalHourly: 2 },
    meters: null,
  };
}

describe('metersFor: any Report in, meters out', () => {
  it('computes every meter from the Report fields with the level pairing of §5', () => {
    const r = report();
    const m = metersFor(r, r.cost, { allocation: { cores: 32, memoryGiB: 60, diskGb: 140 } });
    const c0 = crumMinute(10, 20, 30), c1 = crumMinute(20, 20, 30);
    expect(m.crum).toEqual({ min: c0, avg: (c0 + c1) / 2, max: c1 });
    const spmMin = spm({ handshakeMs: 40, requestMs: 30, broadcastMs: 50, networkInMbPerMin: 1, networkOutMbPerMin: 2 });
    const spmAvg = spm({ handshakeMs: 20, requestMs: 10, broadcastMs: 16, networkInMbPerMin: 1.5, networkOutMbPerMin: 4.5 });
    const spmMax = spm({ handshakeMs: 10, requestMs: 5, broadcastMs: 8, networkInMbPerMin: 2, networkOutMbPerMin: 7 });
    expect(m.spm!.min).toBeCloseTo(spmMin, 12);
    expect(m.spm!.avg).toBeCloseTo(spmAvg, 12);
    expect(m.spm!.max).toBeCloseTo(spmMax, 12);
    const slmV = slm({ connections: 100, handledRequests: 1000, redisHits: 5000, mysqlQueries: 4000 });
    expect(m.slm).toBeCloseTo(slmV, 20);
    expect(m.sec!.max).toBeCloseTo(sec(slmV, spmMax, c1, 0.5), 9);
    expect(m.esr).toBeCloseTo(m.sec!.max! - m.sec!.min!, 9);
    expect(m.ess).toBeCloseTo((spmMax - spmMin) / (m.sec!.max! - m.sec!.min!), 12);
    expect(m.cram).toBeGreaterThan(0);
    expect((m.scm as { avg: number }).avg).toBeCloseTo(scm(slmV, spmAvg, m.cram as number), 9);
    expect(m.essLiterature).toBeNull();
  });
  it('uses null where inputs are missing, never an estimate', () => {
    const r = report();
    r.counts.redisHits = null;
    r.resources = null;
    const m = metersFor(r, null);
    expect(m.slm).toBeNull();
    expect(m.crum).toBeNull();
    expect(m.sec).toBeNull();
    expect(m.ess).toBeNull();
    expect(m.esr).toBeNull();
    expect(m.cram).toBeNull();
    expect(m.spm).not.toBeNull();
    r.network = null;
    expect(metersFor(r, null).spm).toBeNull();
  });
  it('a constant disk % stands in only for a disk that is not modelled (null), never for a measured one', () => {
    const r = report();
    r.resources!.perMinute = [{ t: 0, cpu: 10, memory: 20, disk: null }, { t: 1, cpu: 10, memory: 20, disk: 50 }];
    expect(metersFor(r, null).crum).toEqual({ min: crumMinute(10, 20, 50), avg: crumMinute(10, 20, 50), max: crumMinute(10, 20, 50) });
    const m = metersFor(r, null, { diskPct: 16 }).crum!;
    expect(m.min).toBeCloseTo(crumMinute(10, 20, 16), 12);
    expect(m.max).toBeCloseTo(crumMinute(10, 20, 50), 12);
  });
  it('is pure: the Report is not modified and the same input gives the same output', () => {
    const r = report();
    const before = JSON.stringify(r);
    expect(metersFor(r, r.cost)).toEqual(metersFor(r, r.cost));
    expect(JSON.stringify(r)).toBe(before);
  });
});
