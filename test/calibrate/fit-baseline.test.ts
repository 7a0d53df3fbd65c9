import { readFileSync } from 'node:fs';
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
 * To regenerate the params file after a change to the model (from the repository root), the
 * plain command from the priors with the run's server counters and CloudWatch window:
 *
 *     sim calibrate --measured data/thesis-2015/baseline \
 *       --counters calibrate/fit/data/thesis-baseline/redis-info.txt calibrate/fit/data/thesis-baseline/mysql-status.txt \
 *       --from "2015-07-31 15:36:00" --to "2015-07-31 17:09:00" \
 *       --out calibrate/fit/data/baseline-params.json
 *
 * (the command is also in the file's provenance). The hand-set start file
 * calibrate/fit/data/baseline-start.json is a documented what-if (docs/calibration.md), not the
 * source of these parameters: this test checks that the file came from the priors.
 *
 * Two checks: the issue's command as it stands (seed 1, the seed the fit used), and the mean of
 * four replications on seeds the fit never ran (2 to 5), so that a fit that only matched seed
 * 1's noise would fail. On single other seeds Ireland's request mean, set by a few per cent of
 * requests waiting seconds in a stall, moves by about ±10 % (docs/calibration.md).
 *
 * KNOWN_MISSES lists, per check, the figures the calibrated simulator does NOT reproduce, with
 * the reason; the figures outside tolerance must be exactly those: the test fails if any other
 * figure misses, and if a listed one passes (then the list must be shortened). See the README's
 * calibration section and docs/calibration.md.
 */
const PARAMS = new URL('../../calibrate/fit/data/baseline-params.json', import.meta.url).pathname;
const BASELINE = new URL('../../data/thesis-2015/baseline', import.meta.url).pathname;
const HELD_OUT_SEEDS = [2, 3, 4, 5];
const COUNTERS = ['redis-info.txt', 'mysql-status.txt'].map((f) => new URL(`../../calibrate/fit/data/thesis-baseline/${f}`, import.meta.url).pathname);

const KNOWN_MISSES: Record<'fitSeed' | 'heldOutSeeds', Record<string, string>> = JSON.parse(readFileSync(new URL('./fit-baseline-known-misses.json', import.meta.url), 'utf8'));

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

  it('and came from the priors: no start file, the plain command with the counters', () => {
    expect(loaded.provenance!.start).toBeNull();
    expect(loaded.provenance!.command).toMatch(/^sim calibrate --measured data\/thesis-2015\/baseline --counters /);
    expect(loaded.provenance!.command).not.toMatch(/--start|--max-evals|--fit-duration/);
    expect(loaded.provenance!.seed).not.toBeOneOf(HELD_OUT_SEEDS);
  });

  const runAt = (seed: number) => simulate({ arch: builtInArchitecture('baseline'), scenario: workloadOf(run), params: loaded.params, seed }).report;
  const checks = [
    { name: `the issue's command (seed ${loaded.provenance!.seed}, the fit's)`, known: KNOWN_MISSES.fitSeed, rows: compareReports([runAt(loaded.provenance!.seed)], run.report, { regions: run.regions }) },
    { name: `the mean of replications on seeds the fit never ran (${HELD_OUT_SEEDS.join(', ')})`, known: KNOWN_MISSES.heldOutSeeds, rows: compareReports(HELD_OUT_SEEDS.map(runAt), run.report, { regions: run.regions }) },
  ];
  const key = (r: (typeof checks)[number]['rows'][number]) => `${r.scope}.${r.metric}.${r.stat}`;

  describe.each(checks)('$name', ({ rows, known }) => {
    it('compares every region, metric and count, and the updates per user apart', () => {
      expect(rows.filter((r) => !r.informational).length).toBe(8 * 10 + 3);
      expect(rows.filter((r) => r.informational).map((r) => r.metric)).toEqual(['updatesPerUser']);
      expect(rows.every((r) => r.within !== null)).toBe(true);
    });

    it('every figure not listed as a known miss is within tolerance', () => {
      const misses = rows.filter((r) => !r.within && !(key(r) in known)).map((r) => `${key(r)} ${(r.error! * 100).toFixed(1)}%`);
      expect(misses).toEqual([]);
    });

    // with an empty list there is nothing to check: skipped, not passed
    it.runIf(Object.keys(known).length > 0)('every listed known miss still misses (a figure that now passes must leave the list)', () => {
      const nowWithin = rows.filter((r) => r.within && key(r) in known).map((r) => `${key(r)} ${(r.error! * 100).toFixed(1)}%`);
      expect(nowWithin).toEqual([]);
      const unknown = Object.keys(known).filter((k) => !rows.some((r) => key(r) === k));
      expect(unknown).toEqual([]);
    });
  });
});
