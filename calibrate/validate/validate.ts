import type { Architecture } from '../../model/architecture.ts';
import { UserError } from '../../model/errors.ts';
import type { Report } from '../../model/report.ts';
import type { Simulate } from '../fit/calibrate.ts';
import { loadSeconds } from '../fit/loss.ts';
import { serverCountUsers, type MeasuredRun } from '../fit/measured.ts';
import type { LoadedParams } from '../fit/params-file.ts';
import { liveMachineNote, paramsAsRun, rampSecondsOf, workloadOf } from '../fit/workload.ts';
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
  /**
   * the measured runs are repeats of one run (the same architecture, users, length and settings,
   * another load-generator seed): simulate it once and compare with the mean of their figures
   */
  repeats?: boolean;
  log: (line: string) => void;
}

export interface RunValidation {
  spec: string;
  arch: string;
  regions: string[];
  seeds: number[];
  /** with replicates in place of the simulator (validateByReplicates): the measured runs that predicted it, as named */
  predictedBy?: string[];
  /** with `repeats`: every measured run whose mean was compared, as named (`spec` is the first) */
  repeats?: string[];
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
  if (opts.repeats) checkRepeats(runs);
  for (const run of opts.repeats ? runs.slice(0, 1) : runs) {
    const arch = opts.archFor(run);
    const scenario = workloadOf(run, opts.loadS);
    const params = paramsAsRun(loaded.params, run, arch);
    const seeds = Array.from({ length: opts.replications }, (_, k) => opts.seed + k);
    const machine = liveMachineNote(run, arch);
    if (machine !== null) opts.log(`${run.spec}: ${machine}`);
    const predicted = seeds.map((seed, k) => {
      opts.log(`${run.spec}: simulating ${arch.name}, ${scenario.users} users, ${scenario.durationS} s of load, seed ${seed} (${k + 1}/${seeds.length})`);
      return opts.simulate({ arch, scenario, params, seed });
    });
    const repeats = opts.repeats ? { repeats: runs.map((r) => r.spec) } : {};
    out.push({ ...compareRun(run, predicted, opts.repeats ? runs.slice(1) : []), arch: arch.name, seeds, ...repeats });
  }
  return { label, runs: out };
}

/** Settings a repeat may differ in: the load generator's seed (the seed of think times, jitter and loss draws). */
const REPEAT_FREE = new Set(['loadgenSeed']);

/**
 * Measured runs that may stand as repeats of one run: at least two, with the same architecture,
 * users, length, compared regions and recorded settings (a live Report's `params`) but the load
 * generator's seed. Every difference is named.
 * @throws UserError CONFIG_INVALID otherwise
 */
export function checkRepeats(runs: readonly MeasuredRun[]): void {
  const problems: string[] = [];
  if (runs.length < 2) problems.push(`--repeats needs at least two --measured runs to average (got ${runs.length})`);
  const [first, ...rest] = runs;
  for (const r of rest) {
    const differ = repeatDifferences(first, r, 'the first');
    if (differ.length) problems.push(`--measured ${r.spec}: with --repeats must repeat ${first.spec} but for the load generator's seed; it differs in ${differ.join(', ')}`);
  }
  if (problems.length) throw new UserError('CONFIG_INVALID', problems.join('; '), problems);
}

/**
 * What makes `other` not a repeat of `run` (the same architecture, users, length, regions and
 * recorded settings but for the load generator's seed): each difference, named beside `run`'s
 * value (`runIs` names it); none for a repeat.
 */
function repeatDifferences(run: MeasuredRun, other: MeasuredRun, runIs: string): string[] {
  const differ: string[] = [];
  for (const k of ['arch', 'users', 'durationS'] as const) {
    if (other.report[k] !== run.report[k]) differ.push(`${k} ${JSON.stringify(other.report[k])} (${runIs}: ${JSON.stringify(run.report[k])})`);
  }
  if (other.regions.join(',') !== run.regions.join(',')) differ.push(`regions ${other.regions.join(',')} (${runIs}: ${run.regions.join(',')})`);
  const a = (run.report.params ?? {}) as Record<string, unknown>;
  const b = (other.report.params ?? {}) as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (!REPEAT_FREE.has(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k])) differ.push(`params.${k}`);
  }
  return differ;
}

/** Label of a comparison of measured runs with their replicates instead of the simulator. */
export const REPLICATES_LABEL = 'REPLICATES, NOT A PREDICTION: measured runs in place of the simulator (how well the system reproduces itself)';

/**
 * Each measured run against the mean of its replicates (other measured runs of the same
 * architecture, users and settings, e.g. another load-generator seed), with the same rows,
 * interval, test and spread as a validation. Counts are put on the measured run's footing as a
 * simulation's are.
 * @throws UserError when a replicate is the measured run itself, or is not a repeat of it (another
 *   architecture, users, length, regions or recorded settings: every difference named)
 */
export function validateByReplicates(runs: readonly MeasuredRun[], replicates: readonly MeasuredRun[]): ValidationResult {
  return {
    label: REPLICATES_LABEL,
    runs: runs.map((run) => {
      const problems = replicates.flatMap((r) => {
        if (r.hash.sha256 === run.hash.sha256) return [`--replicates ${r.spec}: must not be the measured run itself`];
        const differ = repeatDifferences(run, r, 'the measured run');
        return differ.length ? [`--replicates ${r.spec}: must repeat the measured run ${run.spec} but for the load generator's seed; it differs in ${differ.join(', ')}`] : [];
      });
      if (problems.length) throw new UserError('CONFIG_INVALID', problems.join('; '), problems);
      return { ...compareRun(run, replicates.map((r) => r.report)), arch: run.report.arch, seeds: [], predictedBy: replicates.map((r) => r.spec) };
    }),
  };
}

/**
 * The comparison of a measured run (with `others`, the mean of it and its repeats) with
 * predictions of it (simulated seeds or replicates).
 */
function compareRun(run: MeasuredRun, predicted: Report[], others: readonly MeasuredRun[] = []): Omit<RunValidation, 'arch' | 'seeds'> {
  // counts on the measured run's footing: per connected user and second of load
  const rampS = rampSecondsOf(run);
  const perSecond = (r: Report) => loadSeconds(run.report.durationS, rampS) / loadSeconds(r.durationS, rampS);
  const footing = (r: Report) => (run.report.global.connected / Math.max(1, r.global.connected)) * perSecond(r);
  const p0 = predicted[0];
  const countScale = footing(p0);
  const serverCountScale = (serverCountUsers(run) / Math.max(1, p0.global.connected)) * perSecond(p0);
  const measuredCountScales = [1, ...others.map((o) => footing(o.report))];
  const rows = compareReports(predicted, [run.report, ...others.map((o) => o.report)], { regions: run.regions, countScale, serverCountScale, measuredCountScales, updatesScale: perSecond(p0) });
  return { spec: run.spec, regions: run.regions, rows, ...scoreRows(rows), predicted, measured: run.report };
}
