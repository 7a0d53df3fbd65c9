import type { Architecture } from '../../model/architecture.ts';
import { UserError } from '../../model/errors.ts';
import type { Report } from '../../model/report.ts';
import type { Simulate } from '../fit/calibrate.ts';
import { loadSeconds } from '../fit/loss.ts';
import { serverCountUsers, type MeasuredRun } from '../fit/measured.ts';
import type { LoadedParams } from '../fit/params-file.ts';
import { paramsAsRun, rampSecondsOf, workloadOf } from '../fit/workload.ts';
import { compareReports, scoreRows, type ComparisonRow } from './compare.ts';
import { checkGenerator } from './generator.ts';
import { checkOverlap } from './overlap.ts';

/**
 * `sim validate`: runs the simulator with given parameters on each measured run's architecture
 * and workload (the run's users and region mix, the benchmark ramp, the run's length) and
 * compares it with the measurement region by region. Refuses measured data that overlaps the
 * calibration inputs unless forced (calibrate/validate/overlap.ts).
 */
export interface ValidateOptions {
  simulate: Simulate;
  archFor: (run: MeasuredRun) => Architecture;
  /** first seed; replication k uses seed + k */
  seed: number;
  replications: number;
  force: boolean;
  /** the params file as the user named it, for messages */
  paramsPath?: string;
  /** seconds of load instead of the measured run's (counts are scaled to the measured length) */
  loadS?: number;
  log: (line: string) => void;
}

export interface RunValidation {
  spec: string;
  arch: string;
  regions: string[];
  seeds: number[];
  /** with replicates in place of the simulator (validateByReplicates): the measured runs that predicted it, as named */
  predictedBy?: string[];
  rows: ComparisonRow[];
  within: number;
  comparable: number;
  /** of the figures outside tolerance, those within the simulator's run-to-run spread (compare.ts `withinSpread`; 0 with one seed) */
  withinSpread: number;
  predicted: Report[];
  measured: Report;
}

export interface ValidationResult {
  /** null for a validation; the NOT A VALIDATION label when forced over overlapping data */
  label: string | null;
  runs: RunValidation[];
}

/**
 * @throws UserError CALIBRATION_OVERLAP when the data overlaps the calibration inputs and not forced
 */
export function validate(runs: readonly MeasuredRun[], loaded: LoadedParams, opts: ValidateOptions): ValidationResult {
  const label = checkOverlap(loaded.provenance, runs, opts.force, opts.paramsPath);
  for (const line of checkGenerator(runs, opts.force)) opts.log(`--force: comparing anyway: ${line}`);
  const out: RunValidation[] = [];
  for (const run of runs) {
    const arch = opts.archFor(run);
    const scenario = workloadOf(run, opts.loadS);
    const params = paramsAsRun(loaded.params, run, arch);
    const seeds = Array.from({ length: opts.replications }, (_, k) => opts.seed + k);
    const predicted = seeds.map((seed, k) => {
      opts.log(`${run.spec}: simulating ${arch.name}, ${scenario.users} users, ${scenario.durationS} s of load, seed ${seed} (${k + 1}/${seeds.length})`);
      return opts.simulate({ arch, scenario, params, seed });
    });
    out.push({ ...compareRun(run, predicted), arch: arch.name, seeds });
  }
  return { label, runs: out };
}

/** Label of a comparison of measured runs with their replicates instead of the simulator. */
export const REPLICATES_LABEL = 'REPLICATES, NOT A PREDICTION: measured runs in place of the simulator (how well the system reproduces itself)';

/**
 * Each measured run against the mean of its replicates (other measured runs of the same
 * architecture, users and settings, e.g. another load-generator seed), with the same rows,
 * interval, test and spread as a validation. Counts are put on the measured run's footing as a
 * simulation's are.
 * @throws UserError when a replicate is the measured run itself, or runs another architecture or user count
 */
export function validateByReplicates(runs: readonly MeasuredRun[], replicates: readonly MeasuredRun[]): ValidationResult {
  return {
    label: REPLICATES_LABEL,
    runs: runs.map((run) => {
      const problems = replicates.flatMap((r) => {
        if (r.hash.sha256 === run.hash.sha256) return [`--replicates ${r.spec}: must not be the measured run itself`];
        if (r.report.arch === run.report.arch && r.report.users === run.report.users) return [];
        return [`--replicates ${r.spec}: must run the measured run's architecture and users (${run.report.arch}, ${run.report.users}; it ran ${r.report.arch}, ${r.report.users})`];
      });
      if (problems.length) throw new UserError('CONFIG_INVALID', problems.join('; '), problems);
      return { ...compareRun(run, replicates.map((r) => r.report)), arch: run.report.arch, seeds: [], predictedBy: replicates.map((r) => r.spec) };
    }),
  };
}

/** The comparison of a measured run with predictions of it (simulated seeds or replicates). */
function compareRun(run: MeasuredRun, predicted: Report[]): Omit<RunValidation, 'arch' | 'seeds'> {
  // predicted counts on the measured run's footing: per connected user and second of load
  const p0 = predicted[0];
  const rampS = rampSecondsOf(run);
  const perSecond = loadSeconds(run.report.durationS, rampS) / loadSeconds(p0.durationS, rampS);
  const countScale = (run.report.global.connected / Math.max(1, p0.global.connected)) * perSecond;
  const serverCountScale = (serverCountUsers(run) / Math.max(1, p0.global.connected)) * perSecond;
  const rows = compareReports(predicted, run.report, { regions: run.regions, countScale, serverCountScale });
  return { spec: run.spec, regions: run.regions, rows, ...scoreRows(rows), predicted, measured: run.report };
}
