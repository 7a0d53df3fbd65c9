import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { register } from '../../calibrate/fit/cli.ts';
import { RAMP_S } from '../../calibrate/fit/workload.ts';
import { exitCodeFor } from '../../cli/main.ts';
import { builtInArchitecture } from '../../model/architecture.ts';
import { mergeParams } from '../../model/params.ts';
import { THESIS_SCENARIO } from '../../model/workload.ts';
import { simulate } from '../../sim/run.ts';

/** `sim calibrate` / `sim validate` through commander, as cli/main.ts runs them. */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const program = new Command('sim').exitOverride();
  register(program);
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  let code = 0;
  try {
    await program.parseAsync(['node', 'sim', ...args]);
  } catch (x) {
    code = exitCodeFor(x);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'validate-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small "measured" run (the simulator with a known broadcast cost), as a Report JSON. */
function measuredJson(name: string, seed: number): string {
  const report = simulate({
    arch: builtInArchitecture('baseline'),
    scenario: { ...THESIS_SCENARIO, users: 800, rampPerS: 800 / RAMP_S, durationS: 60 },
    params: mergeParams({ cpuBroadcastPerSocketUs: 120 }, 'truth'),
    seed,
  }).report;
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ ...report, kind: 'import' }));
  return path;
}

describe('sim calibrate and sim validate (command line)', () => {
  const a = measuredJson('a.json', 3);
  const b = measuredJson('b.json', 4);
  const params = join(dir, 'params.json');

  it('calibrate writes params.json with the input hash and progress on stderr', async () => {
    const r = await run(['calibrate', '--measured', a, '--out', params, '--fit-duration', '60', '--max-evals', '20', '--population', '8', '--workers', '2', '--no-confirm']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/calibrate: \d+\/20 evaluations, best loss \d.*\(scan pass 1, coordinate 1 of \d+\).*ETA/);
    expect(r.err).toMatch(/calibrate: parameter +fitted +prior +range/);
    const file = JSON.parse(readFileSync(params, 'utf8'));
    expect(file.provenance.inputs[0].files).toHaveLength(1);
    expect(file.provenance.inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(file.provenance.loss.fullLength).toBeNull();
  });

  it('validate refuses the calibration data with exit code 2 and one line', async () => {
    const r = await run(['validate', '--params', params, '--measured', a]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^sim: refusing to validate on calibration data: .*a\.json is a calibration input/);
  });

  it('--force compares anyway and says NOT A VALIDATION', async () => {
    const r = await run(['validate', '--params', params, '--measured', a, '--duration', '60', '--force']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^NOT A VALIDATION/);
    expect(r.out).toMatch(/within tolerance — NOT A VALIDATION/);
  });

  it('validate refuses a params file without a calibration record, unless --force (labelled)', async () => {
    const plain = join(dir, 'plain.json');
    writeFileSync(plain, JSON.stringify({ cpuBroadcastPerSocketUs: 120 }));
    const r = await run(['validate', '--params', plain, '--measured', b]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^sim: --params .*plain\.json has no provenance \(no calibration record\)/);
    expect(r.out).toBe('');
    const forced = await run(['validate', '--params', plain, '--measured', b, '--duration', '60', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(/^NOT A VALIDATION: the parameters carry no calibration record/);
    expect(forced.out).not.toMatch(/^VALIDATION/m);
  });

  it('validates disjoint data, with replications, and writes the Report pair', async () => {
    const out = join(dir, 'cmp');
    const r = await run(['validate', '--params', params, '--measured', b, '--duration', '60', '--replications', '3', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^VALIDATION \(measured data disjoint/);
    expect(r.out).toMatch(/95% CI of predicted/);
    expect(r.out).toMatch(/ap-southeast-2 +broadcast +mean/);
    expect(existsSync(join(out, 'predicted.json'))).toBe(true);
    const measured = JSON.parse(readFileSync(join(out, 'measured.json'), 'utf8'));
    expect(measured.extra.validation.rows.length).toBeGreaterThan(30);
    expect(measured.extra.validation.label).toBeNull();
  });

  it('--replicates compares a measured run with the mean of other runs of it instead of the simulator, and refuses the run itself', async () => {
    const c = measuredJson('c.json', 5);
    const r = await run(['validate', '--measured', a, '--replicates', b, c]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^REPLICATES, NOT A PREDICTION/);
    expect(r.out).toMatch(/predicted by the mean of .*b\.json, .*c\.json/);
    expect(r.out).toMatch(/\d+ of \d+ comparable figures within tolerance.* — REPLICATES/);
    expect(r.out).toMatch(/95% CI of predicted/);
    const self = await run(['validate', '--measured', a, '--replicates', a, b]);
    expect(self.code).toBe(2);
    expect(self.err.trim()).toMatch(/^sim: --replicates .*a\.json: must not be the measured run itself$/);
    // a replicate repeats the run: the same architecture, users, length, regions and settings (one rule with --repeats)
    const longer = join(dir, 'longer.json');
    writeFileSync(longer, JSON.stringify({ ...JSON.parse(readFileSync(c, 'utf8')), durationS: 300 }));
    const notRepeat = await run(['validate', '--measured', a, '--replicates', b, longer]);
    expect(notRepeat.code).toBe(2);
    expect(notRepeat.err.trim()).toMatch(/^sim: --replicates .*longer\.json: must repeat the measured run .*a\.json but for the load generator's seed; it differs in durationS 300 \(the measured run: 260\)$/);
    const neither = await run(['validate', '--measured', a]);
    expect(neither.code).toBe(2);
    expect(neither.err).toMatch(/validate needs exactly one of --params .* and --replicates .*; got neither/);
    const both = await run(['validate', '--measured', a, '--params', params, '--replicates', b]);
    expect(both.err).toMatch(/got both/);
    // the simulator's options are refused, not ignored; all of them in one line
    const simOnly = await run(['validate', '--measured', a, '--replicates', b, '--seed', '2', '--force']);
    expect(simOnly.code).toBe(2);
    expect(simOnly.err.trim()).toMatch(/^sim: --seed, --force: are the simulator's, and --replicates runs no simulation \(drop them, or predict with --params\)$/);
  });

  it('--repeats simulates once and compares with the mean of repeated runs, naming every difference of runs that are not repeats', async () => {
    const c = measuredJson('c.json', 5);
    const r = await run(['validate', '--params', params, '--measured', b, c, '--repeats', '--duration', '60', '--replications', '2']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^the mean of 2 repeated runs: .*b\.json, .*c\.json · arch baseline/m);
    expect(r.out.match(/comparable figures within tolerance/g)).toHaveLength(1);
    expect(r.out).toMatch(/95 % prediction interval of the mean of 2 runs over 2 seeds|comparable figures within tolerance$/m);
    const json = await run(['validate', '--params', params, '--measured', b, c, '--repeats', '--duration', '60', '--format', 'json']);
    expect(JSON.parse(json.out).runs.map((x: { repeats: string[] }) => x.repeats.length)).toEqual([2]);
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ ...JSON.parse(readFileSync(c, 'utf8')), users: 400, durationS: 30 }));
    const bad = await run(['validate', '--params', params, '--measured', b, other, '--repeats']);
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    expect(bad.err).toMatch(/--measured .*other\.json: with --repeats must repeat .*b\.json but for the load generator's seed; it differs in users 400 \(the first: 800\), durationS 30 \(the first: 260\)/);
    const alone = await run(['validate', '--params', params, '--measured', b, '--repeats']);
    expect(alone.err).toMatch(/--repeats needs at least two --measured runs to average \(got 1\)/);
  });

  it('calibrate can fit a subset, warm-started from an earlier params file', async () => {
    const warm = join(dir, 'warm.json');
    const r = await run(['calibrate', '--measured', a, '--out', warm, '--fit-duration', '60', '--max-evals', '8', '--population', '4', '--no-confirm', '--start', params, '--fit', 'cpuBroadcastPerSocketUs,broadcastClockOffsetMs']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/starting from the given parameters/);
    const file = JSON.parse(readFileSync(warm, 'utf8'));
    expect(file.provenance.fitted.map((f: { path: string }) => f.path)).toEqual(['cpuBroadcastPerSocketUs', 'broadcastClockOffsetMs']);
    // what was not fitted now is kept from the start file
    expect(file.params.jitterSigma).toBe(JSON.parse(readFileSync(params, 'utf8')).params.jitterSigma);
    const bad = await run(['calibrate', '--measured', a, '--out', warm, '--fit', 'cpuWarpDrive']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--fit must be one of .*\(got "cpuWarpDrive"\)/);
  });

  it('a bad flag is one line naming the flag, the value and the rule', async () => {
    const r = await run(['validate', '--params', params, '--measured', b, '--replications', '-2']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--replications must be a positive integer \(got "-2"\)/);
    const s = await run(['calibrate', '--measured', b, '--regions', 'mars-1', '--out', params]);
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/--regions must be a known region id/);
    const t = await run(['calibrate', '--measured', b, '--local-search', 'simplex', '--out', params]);
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/--local-search must be one of auto, trust, compass \(got "simplex"\)/);
  });
});
