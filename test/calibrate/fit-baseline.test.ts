import { readFileSync } from 'node:fs';
import { sha256Hex } from '../../calibrate/fit/hash.ts';
import { describe, expect, it } from 'vitest';
import { loadMeasured } from '../../calibrate/fit/measured.ts';
import { readParamsFile } from '../../calibrate/fit/params-file.ts';
import { workloadOf } from '../../calibrate/fit/workload.ts';
import { importRun } from '../../calibrate/import/run.ts';
import { compareReports } from '../../calibrate/validate/compare.ts';
import { builtInArchitecture } from '../../model/architecture.ts';
import { simulate } from '../../sim/run.ts';

/**
 * What must hold (issue 5): calibrated on the thesis baseline, `sim run --arch baseline --params
 * params.json` reproduces the baseline's per-region means of handshake, request and broadcast
 * latency within 10 %, medians within 10 %, 98th percentiles within 25 %, connected users within
 * 1 % and Redis/MySQL operation counts within 10 %.
 *
 * The params file is the one `sim calibrate` wrote from the baseline (its command is in its
 * provenance); this test first re-checks that the data on disk is byte for byte what it was
 * fitted on, then runs the full 24,000-user, 90-minute scenario once and compares.
 *
 * To regenerate the params file after a change to the model (from the repository root):
 *
 *     sim calibrate --measured data/thesis-2015/baseline \
 *       --counters calibrate/fit/data/thesis-baseline/redis-info.txt calibrate/fit/data/thesis-baseline/mysql-status.txt \
 *       --from "2015-07-31 15:36:00" --to "2015-07-31 17:09:00" \
 *       --max-evals 300 --fit-duration 5400 --start calibrate/fit/data/baseline-start.json \
 *       --out calibrate/fit/data/baseline-params.json
 *
 * (the command is also in the file's provenance, and docs/calibration.md says why it starts from
 * a file and why at full length). The committed file was fitted by the optimiser its provenance
 * names (a coordinate scan and Nelder-Mead, 22 minutes); the command now runs the current one (a
 * scan and CMA-ES, on every core). The hand-set start file is a what-if: the plain command from
 * the priors does not reach these parameters yet (docs/calibration.md, results).
 *
 * Two checks: the issue's command as it stands (seed 1, the seed the fit used), and the mean of
 * four replications on seeds the fit never ran (2 to 5), so that a fit that only matched seed
 * 1's noise would fail. On single other seeds Ireland's request mean, set by a few per cent of
 * requests waiting seconds in a stall, moves by about ±10 % (docs/calibration.md).
 *
 * KNOWN_MISSES lists the figures the calibrated simulator does NOT reproduce, with the reason;
 * the figures outside tolerance must be exactly those: the test fails if any other figure
 * misses, and if a listed one passes (then the list must be shortened). See the
 * README's calibration section and docs/calibration.md.
 */
const PARAMS = new URL('../../calibrate/fit/data/baseline-params.json', import.meta.url).pathname;
const BASELINE = new URL('../../data/thesis-2015/baseline', import.meta.url).pathname;
const START = new URL('../../calibrate/fit/data/baseline-start.json', import.meta.url).pathname;
const HELD_OUT_SEEDS = [2, 3, 4, 5];
const COUNTERS = ['redis-info.txt', 'mysql-status.txt'].map((f) => new URL(`../../calibrate/fit/data/thesis-baseline/${f}`, import.meta.url).pathname);

const KNOWN_MISSES: Record<string, string> = JSON.parse(readFileSync(new URL('./fit-baseline-known-misses.json', import.meta.url), 'utf8'));

describe('calibrated on the baseline, the simulator reproduces the baseline', async () => {
  const loaded = readParamsFile(PARAMS);
  const run = await loadMeasured(BASELINE, { counters: COUNTERS, importDir: (d) => importRun(d, { from: '2015-07-31 15:36:00', to: '2015-07-31 17:09:00' }) });

  it('the params file was produced from exactly this data (hashes re-checked)', () => {
    const input = loaded.provenance!.inputs[0];
    expect(input.sha256).toBe(run.hash.sha256);
    expect(input.files).toEqual(run.hash.files);
    expect(input.arch).toBe('baseline');
    expect(loaded.provenance!.architectureSpecific).toEqual([]);
  });

  it('and started from the committed start file (its hash re-checked)', () => {
    expect(loaded.provenance!.start).toEqual({ path: 'calibrate/fit/data/baseline-start.json', sha256: sha256Hex(readFileSync(START)) });
    expect(loaded.provenance!.seed).not.toBeOneOf(HELD_OUT_SEEDS);
  });

  const runAt = (seed: number) => simulate({ arch: builtInArchitecture('baseline'), scenario: workloadOf(run), params: loaded.params, seed }).report;
  const checks = [
    { name: `the issue's command (seed ${loaded.provenance!.seed}, the fit's)`, rows: compareReports([runAt(loaded.provenance!.seed)], run.report, { regions: run.regions }) },
    { name: `the mean of replications on seeds the fit never ran (${HELD_OUT_SEEDS.join(', ')})`, rows: compareReports(HELD_OUT_SEEDS.map(runAt), run.report, { regions: run.regions }) },
  ];
  const key = (r: (typeof checks)[number]['rows'][number]) => `${r.scope}.${r.metric}.${r.stat}`;

  describe.each(checks)('$name', ({ rows }) => {
    it('compares every region, metric and count', () => {
      expect(rows.length).toBe(8 * 10 + 3);
      expect(rows.every((r) => r.within !== null)).toBe(true);
    });

    it('every figure not listed as a known miss is within tolerance', () => {
      const misses = rows.filter((r) => !r.within && !(key(r) in KNOWN_MISSES)).map((r) => `${key(r)} ${(r.error! * 100).toFixed(1)}%`);
      expect(misses).toEqual([]);
    });

    // with an empty list there is nothing to check: skipped, not passed
    it.runIf(Object.keys(KNOWN_MISSES).length > 0)('every listed known miss still misses (a figure that now passes must leave the list)', () => {
      const nowWithin = rows.filter((r) => r.within && key(r) in KNOWN_MISSES).map((r) => `${key(r)} ${(r.error! * 100).toFixed(1)}%`);
      expect(nowWithin).toEqual([]);
      const unknown = Object.keys(KNOWN_MISSES).filter((k) => !rows.some((r) => key(r) === k));
      expect(unknown).toEqual([]);
    });
  });
});
