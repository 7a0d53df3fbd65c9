import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrate, COMPASS_RESERVE, type CalibrateOptions } from '../../calibrate/fit/calibrate.ts';
import { writeParamsFile } from '../../calibrate/fit/params-file.ts';
import { FIT_DIMENSIONS } from '../../calibrate/fit/dimensions.ts';
import type { MeasuredRun } from '../../calibrate/fit/measured.ts';
import { estimateStalls, onsetFloor } from '../../calibrate/fit/stalls.ts';
import { RAMP_S, workloadOf } from '../../calibrate/fit/workload.ts';
import { builtInArchitecture } from '../../model/architecture.ts';
import { DEFAULT_PARAMS, mergeParams } from '../../model/params.ts';
import { CLIENT_REGION_IDS } from '../../model/regions.ts';
import type { Report } from '../../model/report.ts';
import { poolRunner } from '../../sim/many/pool.ts';
import { loopRunner } from '../../sim/many/runner.ts';
import { simulate } from '../../sim/run.ts';

/**
 * Parameter recovery: "measured" data made by the simulator itself with known parameters, then
 * calibrated from the priors. With the same seed (common random numbers) the truth is a point of
 * zero loss, so the fit must get close to it; this tests the pipeline end to end at a small scale.
 */
const arch = builtInArchitecture('baseline');
const USERS_PER_REGION = 150;
const LOAD_S = 120;
const SEED = 11;
const TRUTH = { cpuBroadcastPerSocketUs: 150, cpuBroadcastMessageUs: 1000, broadcastClockOffsetMs: 60 };

function syntheticRun(): MeasuredRun {
  const usersPerRegion = Object.fromEntries(CLIENT_REGION_IDS.map((r) => [r, USERS_PER_REGION]));
  const stub = { spec: 'synthetic', report: { durationS: RAMP_S + LOAD_S } as Report, regions: [...CLIENT_REGION_IDS], usersPerRegion, hash: { path: 'synthetic', sha256: '0'.repeat(64), files: [] }, fingerprints: {}, derivedFrom: [], subset: false };
  const report = simulate({ arch, scenario: workloadOf(stub), params: mergeParams(TRUTH, 'truth'), seed: SEED }).report;
  return { ...stub, report: { ...report, kind: 'import' } };
}

const tmp = mkdtempSync(join(tmpdir(), 'fit-calibrate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Calibrates the synthetic run on a runner; returns the file, the bytes it writes and the log. */
async function calibrateOn(run: MeasuredRun, runner: CalibrateOptions['runner'], name: string) {
  const logs: string[] = [];
  let clock = 0;
  const file = await calibrate([run], {
    runner,
    archFor: () => arch,
    seed: SEED,
    fitLoadS: LOAD_S,
    scoutLoadS: LOAD_S / 2,
    maxEvals: 240,
    population: 12,
    confirm: true,
    dims: FIT_DIMENSIONS.filter((d) => d.path === 'cpuBroadcastPerSocketUs' || d.path === 'broadcastClockOffsetMs'),
    log: (l) => logs.push(l),
    nowMs: () => (clock += 10),
    toolVersion: 'test',
    command: 'test',
  });
  const path = join(tmp, name);
  writeParamsFile(path, file);
  return { file, bytes: readFileSync(path), logs };
}

/** A quick calibration of one run in this thread, fitting the one coordinate `path`, from the priors unless `start`. */
async function fitOne(run: MeasuredRun, path: string, opts: Pick<CalibrateOptions, 'fitLoadS' | 'maxEvals' | 'population'> & Partial<CalibrateOptions>) {
  return calibrate([run], {
    runner: await loopRunner(),
    archFor: () => arch,
    seed: SEED,
    confirm: false,
    dims: FIT_DIMENSIONS.filter((d) => d.path === path),
    log: () => {},
    nowMs: () => 0,
    toolVersion: 'test',
    command: 'test',
    ...opts,
  });
}

describe('calibrate (parameter recovery at a small scale)', async () => {
  const run = syntheticRun();
  const loop = await loopRunner();
  const first = await calibrateOn(run, loop, 'first.json');
  const { file, logs } = first;

  it('recovers the broadcast cost per socket and the clock offset', () => {
    expect(file.params.cpuBroadcastPerSocketUs as number).toBeGreaterThan(TRUTH.cpuBroadcastPerSocketUs * 0.8);
    expect(file.params.cpuBroadcastPerSocketUs as number).toBeLessThan(TRUTH.cpuBroadcastPerSocketUs * 1.25);
    expect(Math.abs((file.params.broadcastClockOffsetMs as number) - TRUTH.broadcastClockOffsetMs)).toBeLessThan(25);
    // the family member moved in proportion
    expect((file.params.cpuBroadcastMessageUs as number) / (file.params.cpuBroadcastPerSocketUs as number))
      .toBeCloseTo(DEFAULT_PARAMS.cpuBroadcastMessageUs / DEFAULT_PARAMS.cpuBroadcastPerSocketUs, 3);
  });

  it('lowers the loss well below the priors, and records it', () => {
    expect(file.provenance.loss.fit).toBeLessThan(file.provenance.loss.prior / 2);
    expect(file.provenance.loss.fullLength).not.toBeNull();
    expect(file.provenance.evaluation.evaluations).toBeLessThanOrEqual(240);
  });

  it('estimates an RTT matrix to the server region; pairs not measured are left to the network table (no route factor)', () => {
    const m = file.params.rttMatrixMs as Record<string, Record<string, number>>;
    expect(Object.keys(m).sort()).toEqual([...CLIENT_REGION_IDS].sort());
    for (const r of CLIENT_REGION_IDS) expect(m[r]['eu-west-1']).toBeGreaterThan(0);
    expect(m['ap-southeast-2']['eu-west-1']).toBeGreaterThan(m['us-east-1']['eu-west-1']);
    expect(file.params.routeFactor).toBeUndefined();
  });

  it('params.json says what was fitted, from what, with which seed, and that nothing is per architecture', () => {
    expect(file.provenance.seed).toBe(SEED);
    expect(file.provenance.fitted.map((f) => f.path)).toEqual(['cpuBroadcastPerSocketUs', 'broadcastClockOffsetMs']);
    expect(file.provenance.inputs[0].sha256).toBe('0'.repeat(64));
    expect(file.provenance.architectureSpecific).toEqual([]);
    expect(file.provenance.evaluation.note).toMatch(/measured scenario/); // the fit length is the run's own
    // what sim run --params reads must be valid parameters
    expect(() => mergeParams(file.params, 'fitted')).not.toThrow();
  });

  it('shows each fitted parameter beside its prior and range, flags bounds, and puts simulated CPU beside measured', () => {
    for (const f of file.provenance.fitted) {
      expect(f.prior).toBe(DEFAULT_PARAMS[f.path as keyof typeof DEFAULT_PARAMS]);
      expect(f.value).toBeGreaterThanOrEqual(f.lo);
      expect(f.value).toBeLessThanOrEqual(f.hi);
      expect(f.atBound).toBeNull();
    }
    expect(file.provenance.cpu).toHaveLength(1);
    expect(file.provenance.cpu![0].simulated).toBeGreaterThan(0);
    expect(file.provenance.findings).toEqual([]);
    expect(logs.some((l) => new RegExp(`^cpuBroadcastPerSocketUs +\\S+ +${DEFAULT_PARAMS.cpuBroadcastPerSocketUs} +\\[1, 2000\\] log`).test(l))).toBe(true);
  });

  it('scouts the first scan pass on a shorter scenario, then scans at the fit length', () => {
    expect(logs.some((l) => /^\d+\/240 evaluations, .*\(scouting pass \(60 s of load\), coordinate 1 of 2\)/.test(l))).toBe(true);
    expect(logs.some((l) => /^scouting pass's best point at the fit length: loss \d+\.\d+ \((kept|not kept)\)$/.test(l))).toBe(true);
    expect(logs.some((l) => /\(scan pass 2, coordinate 2 of 2\)/.test(l))).toBe(true);
    expect(logs.some((l) => /\(compass pass 1\)/.test(l))).toBe(true);
    expect(file.provenance.evaluation.note).toMatch(/the scouting pass ran 60 s of load/);
  });

  it('reports progress: evaluations done, best loss, ETA', () => {
    expect(logs.some((l) => /^\d+\/240 evaluations, best loss \d+\.\d+ \(CMA-ES generation \d+: .*ETA \d+ s$/.test(l))).toBe(true);
    expect(logs.some((l) => /^RTT from medians/.test(l))).toBe(true);
  });

  it('is deterministic: the same inputs write the same params.json, byte for byte', async () => {
    const again = await calibrateOn(run, loop, 'again.json');
    expect(again.bytes.equals(first.bytes)).toBe(true);
  });

  it('writes the same params.json on a pool of worker threads as in this thread', async () => {
    const pool = poolRunner(2);
    try {
      const onPool = await calibrateOn(run, pool, 'pool.json');
      expect(onPool.bytes.toString()).toBe(first.bytes.toString());
    } finally {
      await pool.close();
    }
  });
});

describe('calibrate flags a parameter at a bound as a finding', async () => {
  // the clock offset that made the data lies beyond the fitted range [-300, 300] ms
  const usersPerRegion = Object.fromEntries(CLIENT_REGION_IDS.map((r) => [r, 50]));
  const stub = { spec: 'beyond', report: { durationS: RAMP_S + 60 } as Report, regions: [...CLIENT_REGION_IDS], usersPerRegion, hash: { path: 'beyond', sha256: '0'.repeat(64), files: [] }, fingerprints: {}, derivedFrom: [], subset: false };
  const report = simulate({ arch, scenario: workloadOf(stub), params: mergeParams({ broadcastClockOffsetMs: 450 }, 'truth'), seed: SEED }).report;
  const logs: string[] = [];
  const file = await fitOne({ ...stub, report: { ...report, kind: 'import' } }, 'broadcastClockOffsetMs', { fitLoadS: 60, maxEvals: 40, population: 6, log: (l) => logs.push(l) });
  // one coordinate: the scan's passes take about 10 evaluations; budgets around that leave the
  // trust region's start point and the compass reserve (COMPASS_RESERVE per coordinate) little or nothing
  const budgets = [10, 11, 12, 13, 14, 15, 16].map((b) => b + COMPASS_RESERVE);
  const optimisers: string[] = [];
  for (const maxEvals of budgets) {
    const fit = await fitOne({ ...stub, report: { ...report, kind: 'import' } }, 'broadcastClockOffsetMs', { fitLoadS: 60, maxEvals, population: 6, localSearch: 'trust' });
    optimisers.push(fit.provenance.evaluation.optimiser);
  }

  it('runs a trust region only when its start point leaves it evaluations beside the compass reserve', () => {
    // a trust region that spent only its start point's evaluation took no step: that evaluation was the compass's
    for (const o of optimisers) expect(o).not.toContain('trust region on the loss\'s terms (1 evaluations');
    expect(optimisers.some((o) => o.includes('trust region'))).toBe(true);
    expect(optimisers.some((o) => !o.includes('trust region'))).toBe(true);
  });

  it('records atBound, lists the finding and marks it in the table on stderr', () => {
    const f = file.provenance.fitted[0];
    expect(f.value).toBe(300);
    expect(f.atBound).toBe('hi');
    expect(file.provenance.findings).toEqual([expect.stringMatching(/^broadcastClockOffsetMs = 300 sits at the upper bound of its range \[-300, 300\] \(prior 0\)/)]);
    expect(logs.some((l) => /^broadcastClockOffsetMs +300 +0 +\[-300, 300\] +AT UPPER BOUND$/.test(l))).toBe(true);
    expect(logs.some((l) => /^finding: broadcastClockOffsetMs = 300/.test(l))).toBe(true);
  });
});

describe('calibrate keeps the stalls out of a ramp whose handshakes show none', async () => {
  // stalls of seconds after the ramp; the fit may move only their onset, and a candidate inside
  // the ramp is evaluated at the floor the data read (stalls.ts onsetFloor)
  const usersPerRegion = Object.fromEntries(CLIENT_REGION_IDS.map((r) => [r, 250]));
  const stub = { spec: 'stalls', report: { durationS: RAMP_S + 900 } as Report, regions: [...CLIENT_REGION_IDS], usersPerRegion, hash: { path: 'stalls', sha256: '0'.repeat(64), files: [] }, fingerprints: {}, derivedFrom: [], subset: false };
  const truth = { loopPauseEveryMessages: 400, loopPauseMedianMs: 2500, loopPauseSigma: 0.3, loopPauseOnsetMessages: 3000, jitterRelative: 0, jitterAbsMs: 0, lossFactor: 0 };
  const report = simulate({ arch, scenario: workloadOf(stub), params: mergeParams(truth, 'truth'), seed: SEED }).report;
  const logs: string[] = [];
  const measured: MeasuredRun = { ...stub, report: { ...report, kind: 'import' } };
  const file = await fitOne(measured, 'loopPauseOnsetMessages', { fitLoadS: 900, maxEvals: 12, population: 4, log: (l) => logs.push(l) });

  const floor = onsetFloor(estimateStalls([measured], [arch]).estimate);

  it('reads a floor from the clean ramp, and no fitted onset lies below it', () => {
    expect(floor).toBeGreaterThan(100);
    expect(file.provenance.fitted[0].value).toBeGreaterThanOrEqual(floor);
    expect(file.params.loopPauseOnsetMessages).toBeGreaterThanOrEqual(floor);
    expect(logs).toContain(`stalls' onset: at least ${floor} messages (the ramp's handshakes show no stall)`);
  });

  it('raises a start inside the ramp to the floor, even when the search has no budget to move', async () => {
    const start = { overrides: { ...truth, loopPauseOnsetMessages: 200 }, path: 'start.json', sha256: '0'.repeat(64) };
    const fromStart = await fitOne(measured, 'loopPauseOnsetMessages', { fitLoadS: 900, maxEvals: 0, population: 4, start });
    expect(fromStart.params.loopPauseOnsetMessages).toBe(floor);
  });
});
