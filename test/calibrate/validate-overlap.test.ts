import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFilesRel, regionSummaries } from '../../calibrate/fit/hash.ts';
import { loadMeasured, serverCountUsers, type MeasuredRun } from '../../calibrate/fit/measured.ts';
import { PARAMS_FILE_FORMAT, type ParamsProvenance } from '../../calibrate/fit/params-file.ts';
import { importRun } from '../../calibrate/import/run.ts';
import { NOT_A_VALIDATION, NOT_A_VALIDATION_NO_RECORD, checkOverlap, findOverlap, looksLikeSameRegion } from '../../calibrate/validate/overlap.ts';
import { UserError } from '../../model/errors.ts';

const BASELINE = new URL('../../data/thesis-2015/baseline', import.meta.url).pathname;
const HALF_A = ['eu-west-1', 'us-west-2', 'sa-east-1', 'ap-northeast-1'];
const HALF_B = ['us-east-1', 'us-west-1', 'ap-southeast-1', 'ap-southeast-2'];
const importDir = (dir: string) => importRun(dir);

/** The provenance `sim calibrate` records for these runs (only the fields the check reads matter). */
function provenanceOf(runs: MeasuredRun[]): ParamsProvenance {
  return {
    format: PARAMS_FILE_FORMAT, tool: 'sim', version: 'test', command: 'test', seed: 1,
    inputs: runs.map((r) => ({ path: r.spec, sha256: r.hash.sha256, arch: 'baseline', regions: r.regions, subset: r.subset, files: r.hash.files, fingerprints: r.fingerprints, summaries: regionSummaries(r.report, r.regions), derivedFrom: r.derivedFrom })),
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

  it('a plain overrides file has no calibration record: refused unless forced, and then labelled', () => {
    expect(() => checkOverlap(null, [a], false, 'plain.json')).toThrow(/--params plain\.json has no provenance \(no calibration record\).*--force/);
    try {
      checkOverlap(null, [a], false);
    } catch (err) {
      expect((err as UserError).code).toBe('CONFIG_INVALID');
    }
    expect(checkOverlap(null, [a], true)).toBe(NOT_A_VALIDATION_NO_RECORD);
    expect(NOT_A_VALIDATION_NO_RECORD).toMatch(/^NOT A VALIDATION/);
  });

  it('recognises a near-copy: one byte changed in every file and a latency mean moved by 1 ms per region', async () => {
    // the calibration half A, copied, every client report edited as a user trying it would
    const copy = join(tmp, 'edited');
    for (const r of HALF_A) cpSync(join(BASELINE, 'clients', r), join(copy, 'clients', r), { recursive: true });
    const files = listFilesRel(copy);
    const moved = new Set<string>();
    for (const f of files) {
      const path = join(copy, f);
      let text = readFileSync(path, 'utf8').replace('Printing summary in 5s.', 'Printing summary in 4s.');
      const region = f.split('/')[1];
      if (!moved.has(region)) {
        // the request latency mean of one client of the region: +1 ms
        text = text.replace(/^(Latency +\d+ +)(\d+)/m, (_, head: string, mean: string) => `${head}${Number(mean) + 1}`);
        moved.add(region);
      }
      writeFileSync(path, text);
    }
    const edited = await loadMeasured(copy, { importDir });
    const cal = provenanceOf([a]);
    expect(edited.hash.files.some((f) => a.hash.files.some((g) => g.sha256 === f.sha256))).toBe(false);
    expect(Object.values(edited.fingerprints).some((fp) => Object.values(a.fingerprints).includes(fp))).toBe(false);
    const reasons = findOverlap(cal, [edited]).reasons;
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/edited looks like the same run as the calibration input .*baseline: eu-west-1, us-west-2, sa-east-1, ap-northeast-1 have its sample counts/);
    expect(() => checkOverlap(cal, [edited], false)).toThrow(/refusing to validate on calibration data: .*looks like the same run/);
  });

  it('near-copy rule: equal counts and most means and medians within 1 %; not another region of the same run', () => {
    const s = regionSummaries(a.report, a.regions)['eu-west-1'];
    const moved = { ...s, request: { ...s.request, mean: s.request.mean! + 1 }, handshake: { ...s.handshake, median: s.handshake.median! * 1.2 } };
    expect(looksLikeSameRegion(moved, s)).toBe(true);
    // a different sample count is another run
    expect(looksLikeSameRegion({ ...s, request: { ...s.request, count: s.request.count + 1 } }, s)).toBe(false);
    // most figures moved by more than 1 %: not a copy
    const scaled = Object.fromEntries(Object.entries(s).map(([k, m]) => [k, { ...m, mean: m.mean! * 1.05, median: m.median! * 1.05 }])) as typeof s;
    expect(looksLikeSameRegion(scaled, s)).toBe(false);
    // no region of half B looks like a region of half A
    const bs = Object.values(regionSummaries(b.report, b.regions));
    for (const x of Object.values(regionSummaries(a.report, a.regions))) expect(bs.some((y) => looksLikeSameRegion(x, y))).toBe(false);
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

  it("counts the server counters' users as the whole run's: the half's connected users scaled to every region", async () => {
    const whole = await loadMeasured(BASELINE, { importDir });
    const a = await loadMeasured(BASELINE, { importDir, regions: HALF_A, serverFiles: true });
    expect(serverCountUsers(whole)).toBe(whole.report.global.connected);
    // half A read 11,999 of its 12,000 users connected (São Paulo lost one); the run had 24,000
    expect(a.report.global.connected).toBe(11_999);
    expect(serverCountUsers(a)).toBeCloseTo(23_998, 6);
  });
});
