import { describe, expect, it } from 'vitest';
import { HINGE_MARGIN, HINGE_WEIGHT, HUBER_DELTA, MISSING_PENALTY, hingeExcess, huber, loadSeconds, loss, lossOf } from '../../calibrate/fit/loss.ts';
import { CLIENT_REGION_IDS } from '../../model/regions.ts';
import { TRUE_RTT_MS, syntheticReport } from './fit-fixtures.ts';

const opts = { regions: CLIENT_REGION_IDS, predictedLoadS: 5500, measuredLoadS: 5500 };

describe('calibration loss', () => {
  it('is zero for a perfect prediction and grows with the log error', () => {
    const meas = syntheticReport(TRUE_RTT_MS);
    expect(loss(structuredClone(meas), meas, opts).loss).toBe(0);
    const off10 = structuredClone(meas);
    const off20 = structuredClone(meas);
    for (const r of CLIENT_REGION_IDS) {
      off10.regions[r].request.mean! *= 1.1;
      off20.regions[r].request.mean! *= 1.2;
    }
    const l10 = loss(off10, meas, opts);
    const l20 = loss(off20, meas, opts);
    expect(l10.loss).toBeGreaterThan(0);
    expect(l20.loss).toBeGreaterThan(l10.loss);
    const t = l10.terms.find((x) => x.key === 'us-east-1.request.mean')!;
    expect(t.logError).toBeCloseTo(Math.log(1.1), 12);
  });

  it('weighs a 10% miss on a small median like a 10% miss on a large mean', () => {
    const meas = syntheticReport(TRUE_RTT_MS);
    const a = structuredClone(meas);
    a.regions['eu-west-1'].request.median! *= 1.1;
    const b = structuredClone(meas);
    b.regions['ap-southeast-2'].handshake.median! *= 1.1;
    expect(loss(a, meas, opts).loss).toBeCloseTo(loss(b, meas, opts).loss, 12);
  });

  it('counts a miss in units of its tolerance: a miss on a p98 (tolerance 25 %) costs 0.4 of the same log miss on a mean (10 %)', () => {
    const meas = syntheticReport(TRUE_RTT_MS);
    const mean = structuredClone(meas);
    mean.regions['us-east-1'].request.mean! *= 1.05;
    const p98 = structuredClone(meas);
    p98.regions['us-east-1'].request.p98! *= Math.exp(2.5 * Math.log(1.05));
    expect(loss(p98, meas, opts).loss).toBeCloseTo(loss(mean, meas, opts).loss, 12);
    // the same 10 % on the p98 costs less than on the mean
    const p98small = structuredClone(meas);
    p98small.regions['us-east-1'].request.p98! *= 1.05;
    expect(loss(p98small, meas, opts).loss).toBeLessThan(loss(mean, meas, opts).loss / 5);
  });

  it('compares only the regions it is asked to', () => {
    const meas = syntheticReport(TRUE_RTT_MS);
    const pred = structuredClone(meas);
    pred.regions['ap-southeast-2'].request.mean! *= 3;
    expect(loss(pred, meas, { ...opts, regions: ['eu-west-1', 'us-east-1'] }).loss).toBe(0);
    expect(loss(pred, meas, opts).loss).toBeGreaterThan(0);
  });

  it('charges a missing prediction the fixed penalty', () => {
    const meas = syntheticReport({ 'eu-west-1': 1 });
    const pred = structuredClone(meas);
    pred.regions['eu-west-1'].broadcast.p98 = null;
    const { terms } = loss(pred, meas, opts);
    const t = terms.find((x) => x.key === 'eu-west-1.broadcast.p98')!;
    expect(t.logError).toBeNull();
    expect(lossOf([t])).toBe(MISSING_PENALTY);
  });

  it('compares counts as rates per user and second of load', () => {
    const meas = syntheticReport(TRUE_RTT_MS);
    const pred = structuredClone(meas);
    // a tenth of the load time and of the users, same rate
    pred.counts.handledRequests = meas.counts.handledRequests! / 100;
    pred.global.connected = meas.global.connected / 10;
    const r = loss(pred, meas, { ...opts, predictedLoadS: 550 });
    expect(r.terms.find((x) => x.key === 'counts.handledRequests')!.logError).toBeCloseTo(0, 12);
  });

  it("compares the server counters per user of the whole run when the measured report read only some regions' clients", () => {
    const meas = syntheticReport(TRUE_RTT_MS);
    meas.counts.redisHits = 6_000_000;
    meas.counts.redisMisses = 0;
    meas.counts.mysqlQueries = 4_000_000;
    const pred = structuredClone(meas);
    // a half of the regions read: the clients' figures count half the users, the counters all
    const half = structuredClone(meas);
    half.global.connected = meas.global.connected / 2;
    half.counts.handledRequests = meas.counts.handledRequests! / 2;
    const key = (r: ReturnType<typeof loss>, k: string) => r.terms.find((x) => x.key === k)!.logError!;
    const naive = loss(pred, half, opts);
    expect(key(naive, 'counts.handledRequests')).toBeCloseTo(0, 12);
    expect(key(naive, 'counts.redisOps')).toBeCloseTo(-Math.log(2), 12);
    const right = loss(pred, half, { ...opts, measuredServerUsers: meas.global.connected });
    expect(key(right, 'counts.handledRequests')).toBeCloseTo(0, 12);
    expect(key(right, 'counts.redisOps')).toBeCloseTo(0, 12);
    expect(key(right, 'counts.mysqlQueries')).toBeCloseTo(0, 12);
  });

  it('adds the hinge only beyond the band (HINGE_MARGIN of the tolerance, relative, on each side)', () => {
    const meas = syntheticReport(TRUE_RTT_MS);
    const at = (factor: number, stat: 'mean' | 'p98' | 'p90') => {
      const pred = structuredClone(meas);
      pred.regions['us-east-1'].request[stat]! *= factor;
      const r = loss(pred, meas, opts);
      return { r, t: r.terms.find((x) => x.key === `us-east-1.request.${stat}`)! };
    };
    const band = HINGE_MARGIN * 0.1;
    expect(hingeExcess(at(1 + band * 0.99, 'mean').t)).toBe(0);
    expect(hingeExcess(at(1 - band * 0.99, 'mean').t)).toBe(0);
    const out = at(1.2, 'mean');
    expect(hingeExcess(out.t)).toBeCloseTo(Math.log(1.2) - Math.log(1 + band), 12);
    // the hinge is what makes a miss beyond tolerance cost more than the squares alone
    const squares = huber(Math.log(1.2)) * out.t.weight;
    const total = out.r.loss * out.r.terms.reduce((s, x) => s + x.weight, 0);
    expect(total - squares).toBeCloseTo(HINGE_WEIGHT * hingeExcess(out.t) ** 2 * out.t.weight, 9);
    // below: the relative band, so 1 − 0.2 for a p98, scaled to tolerance units
    const low = at(0.7, 'p98');
    expect(hingeExcess(low.t)).toBeCloseTo((Math.log(1 - HINGE_MARGIN * 0.25) - Math.log(0.7)) * 0.4, 12);
    // p90 has no stated tolerance: no hinge however far
    expect(hingeExcess(at(3, 'p90').t)).toBe(0);
  });

  it('is quadratic near zero and linear far out, continuously', () => {
    expect(huber(0.1)).toBeCloseTo(0.01, 12);
    expect(huber(-0.1)).toBeCloseTo(0.01, 12);
    expect(huber(HUBER_DELTA)).toBeCloseTo(HUBER_DELTA ** 2, 12);
    expect(huber(HUBER_DELTA + 1e-9)).toBeCloseTo(HUBER_DELTA ** 2, 6);
    expect(huber(3) - huber(2)).toBeCloseTo(2 * HUBER_DELTA, 12);
  });

  it('counts the ramp at half weight in the load time', () => {
    expect(loadSeconds(5600, 200)).toBe(5500);
  });
});
