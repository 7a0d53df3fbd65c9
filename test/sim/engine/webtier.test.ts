import { describe, expect, it } from 'vitest';
import { WEBTIER_DEFAULTS, runWebtier } from '../../../bench/webtier.ts';

// The closed web-tier model run side by side with other simulators, cut to a tenth of its
// horizon: a known answer for the kernel, the streams and the recorder together.
describe('webtier comparison model on the kernel', () => {
  const horizonS = 360;
  const r = runWebtier({ ...WEBTIER_DEFAULTS, horizonS });

  it('gives the published mean response time (~0.1019 s) within 0.5 %', () => {
    expect(Math.abs(r.meanResponseS / 0.1019 - 1)).toBeLessThan(0.005);
  });

  it('completes the requests a closed loop of N clients allows: N * H / (think + response), within 2 %', () => {
    const expected = (WEBTIER_DEFAULTS.clients * horizonS) / (WEBTIER_DEFAULTS.thinkS + 0.1019);
    expect(Math.abs(r.requests / expected - 1)).toBeLessThan(0.02);
  });

  it('runs four events per request (arrival, database arrival, database done, release)', () => {
    // plus the events still in flight at the horizon: at most a few per client
    expect(r.events).toBeGreaterThanOrEqual(4 * r.requests);
    expect(r.events).toBeLessThan(4 * r.requests + 4 * WEBTIER_DEFAULTS.clients);
  });

  it('is deterministic for a seed and moves with it', () => {
    expect(runWebtier({ ...WEBTIER_DEFAULTS, horizonS: 60 })).toEqual(runWebtier({ ...WEBTIER_DEFAULTS, horizonS: 60 }));
    expect(runWebtier({ ...WEBTIER_DEFAULTS, horizonS: 60, seed: 2 }).requests).not.toBe(runWebtier({ ...WEBTIER_DEFAULTS, horizonS: 60 }).requests);
  });
});
