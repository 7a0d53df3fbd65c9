import { describe, expect, it } from 'vitest';
import { Evaluator, fitReplications, FIT_TAIL_REQUESTS, MAX_FIT_REPLICATIONS } from '../../calibrate/fit/evaluate.ts';
import type { MeasuredRun } from '../../calibrate/fit/measured.ts';
import { RAMP_S, workloadOf } from '../../calibrate/fit/workload.ts';
import { builtInArchitecture } from '../../model/architecture.ts';
import { mergeParams } from '../../model/params.ts';
import type { Report } from '../../model/report.ts';
import { loopRunner } from '../../sim/many/runner.ts';
import { simulate } from '../../sim/run.ts';
import { modelLoss } from '../../calibrate/fit/trust.ts';
import { syntheticReport, TRUE_RTT_MS } from './fit-fixtures.ts';

function runOf(report: Report): MeasuredRun {
  return { spec: 'synthetic', report, regions: Object.keys(report.regions), usersPerRegion: {}, hash: { path: 'synthetic', sha256: '0'.repeat(64), files: [] }, fingerprints: {}, derivedFrom: [], subset: false };
}

/** A measured run whose smallest region has `requests` requests. */
function withRequests(requests: number): MeasuredRun {
  const r = syntheticReport(TRUE_RTT_MS);
  const [first] = Object.keys(r.regions);
  r.regions[first] = { ...r.regions[first], request: { ...r.regions[first].request, count: requests } };
  return runOf(r);
}

describe('fitReplications (seeds per evaluation from the request tail)', () => {
  it('is one seed when every region has FIT_TAIL_REQUESTS requests beyond its p98', () => {
    expect(fitReplications(withRequests(FIT_TAIL_REQUESTS / 0.02))).toBe(1);
    expect(fitReplications(withRequests(1_000_000))).toBe(1);
  });

  it('adds seeds for a short run: a one-minute live run of 835 requests in its smallest region needs 3', () => {
    expect(fitReplications(withRequests(835))).toBe(Math.ceil(FIT_TAIL_REQUESTS / (835 * 0.02)));
    expect(fitReplications(withRequests(835))).toBe(3);
  });

  it('counts the evaluation\'s own load: a quarter of the run needs four times the seeds, up to the cap', () => {
    expect(fitReplications(withRequests(10_000), 1)).toBe(1);
    expect(fitReplications(withRequests(10_000), 0.25)).toBe(1);
    expect(fitReplications(withRequests(10_000), 0.1)).toBe(3);
    expect(fitReplications(withRequests(10), 1)).toBe(MAX_FIT_REPLICATIONS);
  });

  it('is one seed when the run has no request counts', () => {
    expect(fitReplications(withRequests(0))).toBe(1);
  });
});

describe('Evaluator with several seeds', async () => {
  const arch = builtInArchitecture('baseline');
  // 20 users per region, 60 s of load: ~80 requests per region, so the fit needs the cap's seeds
  const stub = runOf({ ...syntheticReport(TRUE_RTT_MS), durationS: RAMP_S + 60 });
  const usersPerRegion = Object.fromEntries(stub.regions.map((r) => [r, 20]));
  const truth = { cpuBroadcastPerSocketUs: 150 };
  const measured = simulate({ arch, scenario: workloadOf({ ...stub, usersPerRegion }), params: mergeParams(truth, 'truth'), seed: 7 }).report;
  const run: MeasuredRun = { ...stub, usersPerRegion, report: { ...measured, kind: 'import' } };
  const runner = await loopRunner();
  const many = new Evaluator([run], [arch], { runner, seed: 7, fitLoadS: Number.POSITIVE_INFINITY });
  const one = (seed: number) => new Evaluator([{ ...run, report: { ...run.report } }], [arch], { runner, seed, fitLoadS: Number.POSITIVE_INFINITY });

  it('runs the seeds fitReplications asks for', () => {
    expect(many.replications).toEqual([fitReplications(run)]);
    expect(many.replications[0]).toBeGreaterThan(1);
  });

  it('scores the mean of the seeds\' losses, so the seed that made the data is no longer a zero', async () => {
    const at = await many.one(truth);
    const k = many.replications[0];
    const single = await Promise.all(Array.from({ length: k }, (_, i) => one(7 + i).one(truth)));
    // each single-seed evaluator itself replicates; take the loss of its first seed
    const firstSeed = single.map((e) => e.perRun[0].loss);
    expect(firstSeed[0]).toBe(0);
    expect(at.loss).toBeCloseTo(firstSeed.reduce((a, b) => a + b, 0) / k, 10);
    expect(at.loss).toBeGreaterThan(0);
    // the Reports and per-run losses kept are the first seed's
    expect(at.perRun[0].loss).toBe(0);
  });
});

describe('Evaluator term models (what the trust region models)', async () => {
  it('give back the evaluation\'s loss from its log errors, over runs and seeds', async () => {
    const arch = builtInArchitecture('baseline');
    const stub = runOf({ ...syntheticReport(TRUE_RTT_MS), durationS: RAMP_S + 60 });
    const usersPerRegion = Object.fromEntries(stub.regions.map((r) => [r, 20]));
    const measured = simulate({ arch, scenario: workloadOf({ ...stub, usersPerRegion }), params: mergeParams({ cpuBroadcastPerSocketUs: 150 }, 'truth'), seed: 3 }).report;
    const run: MeasuredRun = { ...stub, usersPerRegion, report: { ...measured, kind: 'import' } };
    const ev = new Evaluator([run, run], [arch, arch], { runner: await loopRunner(), seed: 3, fitLoadS: Number.POSITIVE_INFINITY });
    expect(ev.replications[0]).toBeGreaterThan(1);
    for (const overrides of [{ cpuBroadcastPerSocketUs: 40 }, { cpuPredictMs: 3 }]) {
      const e = await ev.one(overrides);
      expect(e.loss).toBeGreaterThan(0);
      expect(e.errors.length).toBe(ev.termModels.length);
      expect(modelLoss(ev.termModels, e.errors)).toBeCloseTo(e.loss, 12);
    }
  });
});
