import { describe, expect, it } from 'vitest';
import { TOLERANCES, compareReports, scoreRows } from '../../calibrate/validate/compare.ts';
import { TRUE_RTT_MS, syntheticReport } from './fit-fixtures.ts';

describe('compareReports', () => {
  const meas = syntheticReport(TRUE_RTT_MS);

  it('gives relative errors and tolerance verdicts per region, metric and statistic', () => {
    const pred = structuredClone(meas);
    pred.regions['us-east-1'].request.mean! *= 1.09; // inside 10%
    pred.regions['us-east-1'].request.median! *= 1.11; // outside 10%
    pred.regions['us-east-1'].request.p98! *= 0.8; // inside 25%
    pred.regions['us-east-1'].connected = 2950; // 1.7% short: outside 1%
    pred.regions['us-east-1'].failed = 50;
    const rows = compareReports([pred], meas, { regions: ['us-east-1'] });
    const get = (metric: string, stat: string) => rows.find((r) => r.scope === 'us-east-1' && r.metric === metric && r.stat === stat)!;
    expect(get('request', 'mean').error).toBeCloseTo(0.09, 12);
    expect(get('request', 'mean').within).toBe(true);
    expect(get('request', 'median').within).toBe(false);
    expect(get('request', 'p98').within).toBe(true);
    expect(get('request', 'p98').tolerance).toBe(TOLERANCES.p98);
    expect(get('connected', 'share').within).toBe(false);
    expect(get('handshake', 'mean').error).toBe(0);
  });

  it('compares counts the measurement has, scaled to the measured run', () => {
    const pred = structuredClone(meas);
    pred.counts.handledRequests = meas.counts.handledRequests! / 2;
    const rows = compareReports([pred], meas, { regions: [], countScale: 2 });
    expect(rows).toHaveLength(1);
    expect(rows[0].metric).toBe('handledRequests');
    expect(rows[0].error).toBe(0);
  });

  it("scales the server counters by their own factor (they count the whole run's users)", () => {
    const m = structuredClone(meas);
    m.counts.mysqlQueries = 1000;
    const pred = structuredClone(m);
    pred.counts.handledRequests = meas.counts.handledRequests! / 2;
    pred.counts.mysqlQueries = 1000;
    const rows = compareReports([pred], m, { regions: [], countScale: 2, serverCountScale: 1 });
    expect(rows.map((r) => [r.metric, r.error])).toEqual([['handledRequests', 0], ['mysqlQueries', 0]]);
  });

  it('with replications, reports the mean, an interval and a test', () => {
    const preds = [0.95, 1, 1.05].map((f) => {
      const p = structuredClone(meas);
      p.regions['eu-west-1'].broadcast.mean! *= f;
      return p;
    });
    const rows = compareReports(preds, meas, { regions: ['eu-west-1'] });
    const r = rows.find((x) => x.metric === 'broadcast' && x.stat === 'mean')!;
    expect(r.predicted).toBeCloseTo(300, 9);
    expect(r.replications!.n).toBe(3);
    expect(r.replications!.measuredInCi).toBe(true);
  });

  it('marks a figure outside tolerance whose measured value lies within the spread of single runs, and counts it apart', () => {
    // seeds spread ±30 % around a mean 20 % high: outside 10 %, the measurement inside one run's spread
    const wide = [0.9, 1.2, 1.5].map((f) => {
      const p = structuredClone(meas);
      p.regions['eu-west-1'].broadcast.mean! *= f;
      p.regions['eu-west-1'].request.mean! *= 1.2 + (f - 1.2) / 100;
      return p;
    });
    const rows = compareReports(wide, meas, { regions: ['eu-west-1'] });
    const bro = rows.find((x) => x.metric === 'broadcast' && x.stat === 'mean')!;
    expect(bro.within).toBe(false);
    expect(bro.withinSpread).toBe(true);
    // the same 20 % with seeds that agree: a miss the spread does not cover
    const req = rows.find((x) => x.metric === 'request' && x.stat === 'mean')!;
    expect(req.within).toBe(false);
    expect(req.withinSpread).toBe(false);
    // within tolerance: no such mark
    expect(rows.find((x) => x.metric === 'handshake' && x.stat === 'mean')!.withinSpread).toBeUndefined();
    expect(scoreRows(rows).withinSpread).toBe(1);
    expect(scoreRows(rows).within).toBe(scoreRows(rows).comparable - 2);
  });

  it('a missing prediction is not comparable, and scoring counts only comparable rows', () => {
    const pred = structuredClone(meas);
    pred.regions['eu-west-1'].request.p98 = null;
    const rows = compareReports([pred], meas, { regions: ['eu-west-1'] });
    expect(rows.find((x) => x.metric === 'request' && x.stat === 'p98')!.within).toBeNull();
    const s = scoreRows(rows);
    expect(s.comparable).toBe(rows.filter((r) => !r.informational).length - 1);
    expect(s.within).toBe(s.comparable);
  });

  it('against repeats of a run, compares with the mean of their figures, counts each on the first run\'s footing', () => {
    const a = structuredClone(meas);
    const b = structuredClone(meas);
    a.regions['eu-west-1'].request.median! *= 0.85; // one repeat 15 % short, the other 15 % long:
    b.regions['eu-west-1'].request.median! *= 1.15; // each alone outside 10 %, their mean the prediction's
    b.counts.handledRequests = meas.counts.handledRequests! / 2; // the second at half the first's footing
    const rows = compareReports([meas], [a, b], { regions: ['eu-west-1'], measuredCountScales: [1, 2] });
    const med = rows.find((x) => x.metric === 'request' && x.stat === 'median')!;
    expect(med.measured).toBeCloseTo(meas.regions['eu-west-1'].request.median!, 9);
    expect(med.within).toBe(true);
    expect(compareReports([meas], a, { regions: ['eu-west-1'] }).find((x) => x.metric === 'request' && x.stat === 'median')!.within).toBe(false);
    expect(rows.find((x) => x.metric === 'handledRequests')!.error).toBeCloseTo(0, 12);
    // a figure one repeat lacks is not comparable
    b.regions['eu-west-1'].request.p98 = null;
    expect(compareReports([meas], [a, b], { regions: ['eu-west-1'] }).find((x) => x.metric === 'request' && x.stat === 'p98')!.within).toBeNull();
  });

  it('judges the spread of a mean of repeats more narrowly than that of one run', () => {
    const preds = [0.95, 1.0, 1.05].map((f) => {
      const p = structuredClone(meas);
      p.regions['eu-west-1'].broadcast.mean! *= 1.25 * f;
      return p;
    });
    // the measured value 25 % below the predictions' mean: within one run's spread, not a mean of 9's
    const one = compareReports(preds, meas, { regions: ['eu-west-1'] }).find((x) => x.metric === 'broadcast' && x.stat === 'mean')!;
    const nine = compareReports(preds, Array.from({ length: 9 }, () => meas), { regions: ['eu-west-1'] }).find((x) => x.metric === 'broadcast' && x.stat === 'mean')!;
    expect(one.measured).toBeCloseTo(nine.measured!, 9);
    expect(one.withinSpread).toBe(true);
    expect(nine.withinSpread).toBe(false);
    expect(nine.replications!.measuredRuns).toBe(9);
  });

  it('shows the updates each connected user received over the compared regions, judged but not counted', () => {
    const pred = structuredClone(meas);
    pred.regions['eu-west-1'].broadcast.count *= 1.2; // 20 % more updates in one of two regions
    const rows = compareReports([pred], meas, { regions: ['eu-west-1', 'us-east-1'] });
    const upu = rows.find((r) => r.metric === 'updatesPerUser')!;
    const m = meas.regions;
    const perUser = (m['eu-west-1'].broadcast.count + m['us-east-1'].broadcast.count) / (m['eu-west-1'].connected + m['us-east-1'].connected);
    expect(upu.measured).toBeCloseTo(perUser, 9);
    expect(upu.informational).toBe(true);
    const within = upu.within;
    // counted or not, the score is that of the other figures
    const others = rows.filter((r) => r !== upu);
    expect(scoreRows(rows)).toEqual(scoreRows(others));
    expect(within).toBe(Math.abs(upu.error!) <= TOLERANCES.counts);
    // on a shorter simulated run, scaled to the measured run's length
    const half = compareReports([pred], meas, { regions: ['eu-west-1'], updatesScale: 2 }).find((r) => r.metric === 'updatesPerUser')!;
    expect(half.predicted).toBeCloseTo(2 * pred.regions['eu-west-1'].broadcast.count / pred.regions['eu-west-1'].connected, 9);
  });
});
