import { describe, expect, it } from 'vitest';
import { loadMeasured, type MeasuredRun } from '../../calibrate/fit/measured.ts';
import { correctStalls, estimateStalls, expectedExcess, fitStallTail, onsetFloor, rampMessagesPerUser } from '../../calibrate/fit/stalls.ts';
import { importRun } from '../../calibrate/import/run.ts';
import { builtInArchitecture } from '../../model/architecture.ts';
import { mergeParams } from '../../model/params.ts';
import type { Report } from '../../model/report.ts';
import { THESIS_SCENARIO } from '../../model/workload.ts';
import { simulate } from '../../sim/run.ts';

const baseline = builtInArchitecture('baseline');
const HALF_A = ['eu-west-1', 'us-west-2', 'sa-east-1', 'ap-northeast-1'];
const HALF_B = ['us-east-1', 'us-west-1', 'ap-southeast-1', 'ap-southeast-2'];

/** A measured run made of a Report, every region compared. */
function asMeasured(report: Report): MeasuredRun {
  const regions = Object.keys(report.regions).filter((r) => report.regions[r].request.count > 0);
  const usersPerRegion = Object.fromEntries(Object.entries(report.regions).map(([r, x]) => [r, x.connected + x.failed + x.pending]));
  return { spec: 'test', report, regions, usersPerRegion, hash: { path: 'test', sha256: '', files: [] }, fingerprints: {}, derivedFrom: [], subset: false } as MeasuredRun;
}

describe('fitStallTail', () => {
  it('recovers the stall length and cycle behind an exact residual tail', () => {
    const mu = Math.log(2.5);
    const s = 0.3;
    const cycleS = 40;
    // the waits beyond which 5 %, 2 % and 1 % of requests lie: solve E[(D − w)+] / K = share
    const waitAt = (share: number) => {
      let lo = 0;
      let hi = 30;
      for (let i = 0; i < 100; i++) {
        const mid = (lo + hi) / 2;
        if (expectedExcess(mu, s, mid) / cycleS > share) lo = mid;
        else hi = mid;
      }
      return lo;
    };
    const fit = fitStallTail([waitAt(0.05), waitAt(0.02), waitAt(0.01)])!;
    expect(fit.medianS).toBeGreaterThan(2.5 * 0.97);
    expect(fit.medianS).toBeLessThan(2.5 * 1.03);
    expect(fit.sigma).toBeCloseTo(0.3, 1);
    expect(fit.cycleS / cycleS).toBeCloseTo(1, 1);
  });

  it('refuses a tail that does not grow', () => {
    expect(fitStallTail([1, 1, 2])).toBeNull();
    expect(fitStallTail([0, 1, 2])).toBeNull();
  });
});

describe('rampMessagesPerUser', () => {
  it('counts a user\'s handshake, first requests and predictions up to the end of the ramp', () => {
    // a ramp shorter than any first think: handshake and list games only
    expect(rampMessagesPerUser(THESIS_SCENARIO, 0.5)).toBeCloseTo(2, 6);
    // the thesis ramp: ~2 + 2 + (100 − 8) / 15.5 on average, a little less (late joiners)
    const n = rampMessagesPerUser(THESIS_SCENARIO, 200);
    expect(n).toBeGreaterThan(8.5);
    expect(n).toBeLessThan(10);
  });
});

describe('correctStalls', () => {
  const stalled = (every: number, medianMs: number, sigma: number) => simulate({
    arch: baseline,
    scenario: { ...THESIS_SCENARIO, users: 4000, rampPerS: 40, durationS: 3000 },
    params: mergeParams({ loopPauseEveryMessages: every, loopPauseMedianMs: medianMs, loopPauseSigma: sigma, loopPauseOnsetMessages: 0 }, 'test'),
    seed: 7,
  }).report;

  it('moves a stall setting towards the one whose tail was measured, on the simulator\'s own reading', () => {
    const truth = { loopPauseEveryMessages: 500, loopPauseMedianMs: 3000, loopPauseSigma: 0.3, loopPauseOnsetMessages: 0 };
    const guess = { loopPauseEveryMessages: 800, loopPauseMedianMs: 2500, loopPauseSigma: 0.3, loopPauseOnsetMessages: 0 };
    const measured = asMeasured(stalled(truth.loopPauseEveryMessages, truth.loopPauseMedianMs, truth.loopPauseSigma));
    const next = correctStalls(guess, [stalled(guess.loopPauseEveryMessages, guess.loopPauseMedianMs, guess.loopPauseSigma)], [measured])!;
    const off = (p: typeof guess, k: 'loopPauseEveryMessages' | 'loopPauseMedianMs') => Math.abs(Math.log(p[k] / truth[k]));
    expect(off(next, 'loopPauseEveryMessages')).toBeLessThan(off(guess, 'loopPauseEveryMessages') / 2);
    expect(off(next, 'loopPauseMedianMs')).toBeLessThan(off(guess, 'loopPauseMedianMs') / 2);
    expect(next.loopPauseOnsetMessages).toBe(0);
  });
});

describe('estimateStalls', () => {
  it('reads the same stalls from either half of the thesis baseline (they happen on the server, common to every region)', async () => {
    const est = async (regions: string[]) => {
      const run = await loadMeasured('data/thesis-2015/baseline', { regions, importDir: (d) => importRun(d) });
      return estimateStalls([run], [baseline]).estimate!;
    };
    const [a, b] = [await est(HALF_A), await est(HALF_B)];
    for (const key of ['loopPauseEveryMessages', 'loopPauseMedianMs', 'loopPauseOnsetMessages'] as const) {
      expect(a[key] / b[key]).toBeGreaterThan(0.95);
      expect(a[key] / b[key]).toBeLessThan(1.05);
    }
    // seconds-long stalls, about one per process every half minute, absent from the ramp
    expect(a.loopPauseMedianMs).toBeGreaterThan(1000);
    expect(a.basis.meanCycleS).toBeGreaterThan(20);
    expect(a.loopPauseOnsetMessages).toBeGreaterThan(0);
  });

  it('recovers stalls a simulated run was given (its own Report, no network jitter)', () => {
    const every = 500;
    const medianMs = 3000;
    const report = simulate({
      arch: baseline,
      scenario: { ...THESIS_SCENARIO, users: 4000, rampPerS: 40, durationS: 3000 },
      params: mergeParams({ loopPauseEveryMessages: every, loopPauseMedianMs: medianMs, loopPauseSigma: 0.3, loopPauseOnsetMessages: 0, jitterRelative: 0, jitterAbsMs: 0, lossFactor: 0 }, 'test'),
      seed: 5,
    }).report;
    const { estimate: est, reason } = estimateStalls([asMeasured(report)], [baseline]);
    expect(est, reason).not.toBeNull();
    if (!est) return;
    // a start, not a fit: the queue behind a stall lengthens what requests see, so within a third
    expect(est.loopPauseMedianMs / medianMs).toBeGreaterThan(0.67);
    expect(est.loopPauseMedianMs / medianMs).toBeLessThan(1.5);
    expect(est.loopPauseEveryMessages / every).toBeGreaterThan(0.67);
    expect(est.loopPauseEveryMessages / every).toBeLessThan(1.5);
    // stalls from the start stall the ramp's handshakes too: no onset
    expect(est.loopPauseOnsetMessages).toBe(0);
  });

  it('finds no stalls in a run without them', () => {
    const report = simulate({
      arch: baseline,
      scenario: { ...THESIS_SCENARIO, users: 4000, rampPerS: 40, durationS: 600 },
      params: mergeParams({ loopPauseEveryMessages: 0 }, 'test'),
      seed: 5,
    }).report;
    const { estimate, reason } = estimateStalls([asMeasured(report)], [baseline]);
    expect(estimate).toBeNull();
    expect(reason).toMatch(/no tail apart from the body/);
  });
});

describe('onsetFloor', () => {
  const stalls = { loopPauseEveryMessages: 3000, loopPauseMedianMs: 2000, loopPauseSigma: 0.5 };

  it('a ramp without stalls floors the onset at the ramp\'s messages; a ramp that stalls too, or no stalls, has no floor', () => {
    expect(onsetFloor({ ...stalls, loopPauseOnsetMessages: 14_800 })).toBe(14_800);
    expect(onsetFloor({ ...stalls, loopPauseOnsetMessages: 0 })).toBe(0);
    expect(onsetFloor(null)).toBe(0);
  });

  it('reads the floor from the thesis baseline: its ramp shows no stall, from either half', async () => {
    for (const regions of [HALF_A, HALF_B]) {
      const run = await loadMeasured('data/thesis-2015/baseline', { regions, importDir: (d) => importRun(d) });
      const est = estimateStalls([run], [baseline]).estimate!;
      expect(onsetFloor(est)).toBe(est.loopPauseOnsetMessages);
      expect(onsetFloor(est)).toBeGreaterThan(10_000);
    }
  });
});
