import { describe, expect, it } from 'vitest';
import { driverMode, headline, keepsUp } from '../../reports/headline.ts';
import { defaultOptions } from '../../reports/options.ts';
import { orderRegions } from '../../reports/region-order.ts';
import { toSources } from '../../reports/sources.ts';
import { fixture, loaded } from './helpers.ts';

function headlineOf(report = fixture('baseline-import'), options = defaultOptions()): string {
  const [source] = toSources([{ file: 'r.json', report }]);
  return headline(source, orderRegions([source]), options);
}

describe('headline', () => {
  it('says a collapsed architecture cannot keep up, how long requests wait and why', () => {
    const report = fixture('proposed1-sim');
    const h = headlineOf(report);
    expect(h).toMatch(/^proposed1 \(sim, seed 1\): 7 of 8 regions cannot keep up \(all but Ireland\); requests wait minutes \(median up to 4\.8 min, in Sydney\)/);
    expect(h).toContain('3,900 of 24,000 users failed to connect (16%)');
    expect(h).toContain('cause: blocking database round trips to Ireland');
    expect(h).toContain(`$${report.cost!.totalHourly.toFixed(2)}/h`);
  });

  it('says a healthy architecture keeps up, with its range of medians', () => {
    const h = headlineOf(fixture('baseline-import'));
    expect(h).toMatch(/all 8 regions keep up; request median 7 ms \(Ireland\) to 319 ms \(Sydney\)/);
    expect(h).toContain('1 of 24,000 users failed to connect');
    expect(h).not.toContain('cause');
  });

  it('follows the figures: one slow region is named, and the limit is an option', () => {
    const r = fixture('baseline-import');
    r.regions['ap-southeast-2'].request.median = 2500;
    expect(headlineOf(r)).toMatch(/1 of 8 regions cannot keep up \(Sydney\); requests wait seconds \(median up to 2\.5 s, in Sydney\)/);
    expect(headlineOf(r, { ...defaultOptions(), keepUpLimitMs: 3000 })).toContain('all 8 regions keep up');
  });

  it('counts a region with connected users and no answered request as stalled', () => {
    const r = fixture('baseline-import');
    r.regions['eu-west-1'].request = { ...r.regions['eu-west-1'].request, count: 0, median: null, p50: null, mean: null };
    expect(keepsUp(r.regions['eu-west-1'], 1000)).toBe(false);
    expect(headlineOf(r)).toContain('1 of 8 regions cannot keep up (Ireland)');
  });

  it('names remote round trips without a driver mode, and no cause when the data show none', () => {
    const r = fixture('proposed1-sim');
    r.params = null;
    expect(headlineOf(r)).toContain('cause: remote database round trips (the database\'s region, Ireland, keeps up)');
    r.resources = null; // no instance names the database: no cause can be read
    expect(headlineOf(r)).not.toContain('cause');
  });

  it('reads the driver mode from extra or params, and only a known mode', () => {
    expect(driverMode({ params: null, extra: { dbMode: 'blocking' } })).toBe('blocking');
    expect(driverMode({ params: { db: { driverMode: 'batched' } }, extra: undefined })).toBe('batched');
    expect(driverMode({ params: { dbMode: 'fast' }, extra: undefined })).toBeNull();
  });

  it('gives one headline per source of a mixed comparison', () => {
    const sources = toSources(loaded('baseline-import', 'proposed1-live'));
    const live = headline(sources[1], orderRegions(sources), defaultOptions());
    expect(live).toMatch(/^proposed1 \(live\): 7 of 8 regions cannot keep up/);
    expect(live).not.toContain('$'); // a local run has no cloud cost
  });
});
