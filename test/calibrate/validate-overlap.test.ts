import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMeasured, type MeasuredRun } from '../../calibrate/fit/measured.ts';
import { PARAMS_FILE_FORMAT, type ParamsProvenance } from '../../calibrate/fit/params-file.ts';
import { importRun } from '../../calibrate/import/run.ts';
import { NOT_A_VALIDATION, checkOverlap, findOverlap } from '../../calibrate/validate/overlap.ts';
import { UserError } from '../../model/errors.ts';

const BASELINE = new URL('../../data/thesis-2015/baseline', import.meta.url).pathname;
const HALF_A = ['eu-west-1', 'us-west-2', 'sa-east-1', 'ap-northeast-1'];
const HALF_B = ['us-east-1', 'us-west-1', 'ap-southeast-1', 'ap-southeast-2'];
const importDir = (dir: string) => importRun(dir);

/** The provenance `sim calibrate` records for these runs (only the fields the check reads matter). */
function provenanceOf(runs: MeasuredRun[]): ParamsProvenance {
  return {
    format: PARAMS_FILE_FORMAT, tool: 'sim', version: 'test', command: 'test', seed: 1,
    inputs: runs.map((r) => ({ path: r.spec, sha256: r.hash.sha256, arch: 'baseline', regions: r.regions, subset: r.subset, files: r.hash.files, fingerprints: r.fingerprints, derivedFrom: r.derivedFrom })),
    loss: { definition: '', prior: 0, fit: 0, fullLength: null, terms: 0 },
    evaluation: { loadS: 0, rampS: 0, note: '', evaluations: 0, optimiser: '' },
    fitted: [], estimated: {}, architectureSpecific: [], notes: [],
  };
}

describe('the overlap refusal, on the real baseline data', () => {
  let whole: MeasuredRun;
  let a: MeasuredRun;
  let b: MeasuredRun;
  const tmp = mkdtempSync(join(tmpdir(), 'overlap-'));
  beforeAll(async () => {
    whole = await loadMeasured(BASELINE, { importDir });
    a = await loadMeasured(BASELINE, { importDir, regions: HALF_A });
    b = await loadMeasured(BASELINE, { importDir, regions: HALF_B });
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('region halves read and hash disjoint files, and keep the whole run as workload', () => {
    expect(a.regions).toEqual(HALF_A);
    expect(Object.keys(a.report.regions)).toEqual(HALF_A);
    expect(a.hash.files).toHaveLength(60);
    expect(a.hash.files.every((f) => HALF_A.some((r) => f.path.startsWith(`clients/${r}/`)))).toBe(true);
    const aHashes = new Set(a.hash.files.map((f) => f.sha256));
    expect(b.hash.files.some((f) => aHashes.has(f.sha256))).toBe(false);
    // regions not read are taken at the read ones' average (3,000 each, failed included): the workload stays the whole run
    const expected = Object.fromEntries([...HALF_A, ...HALF_B].map((r) => [r, 3000]));
    expect(a.usersPerRegion).toEqual(expected);
    expect(whole.hash.files.length).toBe(135);
  });

  it('refuses to validate on the calibration data, with code CALIBRATION_OVERLAP', () => {
    const cal = provenanceOf([a]);
    expect(() => checkOverlap(cal, [a], false)).toThrow(UserError);
    try {
      checkOverlap(cal, [a], false);
    } catch (err) {
      expect((err as UserError).code).toBe('CALIBRATION_OVERLAP');
      expect((err as UserError).message).toMatch(/refusing to validate on calibration data/);
    }
    // the whole run contains the calibration half
    expect(findOverlap(cal, [whole]).reasons.length).toBeGreaterThan(0);
  });

  it('accepts the other half', () => {
    expect(checkOverlap(provenanceOf([a]), [b], false)).toBeNull();
  });

  it('labels a forced comparison NOT A VALIDATION', () => {
    expect(checkOverlap(provenanceOf([a]), [a], true)).toBe(NOT_A_VALIDATION);
  });

  it('catches the same data re-serialised as a Report JSON', async () => {
    const path = join(tmp, 'half-a.json');
    writeFileSync(path, JSON.stringify(a.report));
    const asJson = await loadMeasured(path, { importDir });
    const reasons = findOverlap(provenanceOf([a]), [asJson]).reasons;
    expect(reasons.join(' ')).toMatch(/measured figures of eu-west-1, us-west-2, sa-east-1, ap-northeast-1/);
  });

  it('a plain overrides file has no calibration record: nothing to refuse', () => {
    expect(checkOverlap(null, [a], false)).toBeNull();
  });

  it('names an unknown region of the run in one line', async () => {
    await expect(loadMeasured(BASELINE, { importDir, regions: ['eu-central-1'] })).rejects.toThrow(/--regions must be a client region of .* \(got "eu-central-1"\)/);
  });
});

describe('a calibration half may read the server files; the validation half stays disjoint', () => {
  it('hashes the server files with the selected client reports, and none of the other half', async () => {
    const a = await loadMeasured(BASELINE, { importDir, regions: HALF_A, serverFiles: true });
    const b = await loadMeasured(BASELINE, { importDir, regions: HALF_B });
    expect(a.hash.files).toHaveLength(60 + 15);
    expect(a.report.resources).not.toBeNull();
    expect(b.report.resources).toBeNull();
    expect(checkOverlap(provenanceOf([a]), [b], false)).toBeNull();
  });
});
