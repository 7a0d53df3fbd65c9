import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { parseNonNegativeInt, parsePositiveInt } from '../../model/args.ts';
import { UserError, invalid } from '../../model/errors.ts';
import type { Architecture } from '../../model/architecture.ts';
import { writeOut } from '../../model/load.ts';
import type { Report } from '../../model/report.ts';
import type { CalibrateOptions } from './calibrate.ts';
import type { MeasuredRun } from './measured.ts';
import type { ValidationResult } from '../validate/validate.ts';
import { LOCAL_SEARCHES } from './scan.ts';

/**
 * `sim calibrate` and `sim validate`. Heavy modules (the simulator, the importer) load inside
 * the actions. Progress goes to stderr; results to stdout or files.
 */
interface CommonFlags {
  measured: string[];
  arch?: string;
  regions?: string;
  counters?: string[];
  withServerFiles: boolean;
  from?: string;
  to?: string;
  seed: string;
}

interface CalibrateFlags extends CommonFlags {
  out: string;
  fitDuration?: string;
  scoutDuration: string;
  maxEvals: string;
  confirm: boolean;
  start?: string;
  fit?: string;
  population?: string;
  localSearch: string;
  workers?: string;
  queue?: string;
  name: string;
}

interface ValidateFlags extends CommonFlags {
  params?: string;
  replicates?: string[];
  repeats: boolean;
  replications: string;
  duration?: string;
  force: boolean;
  out?: string;
  format: string;
}

const TOOL_VERSION = '0.1.0';
/**
 * Defaults of `sim calibrate`: the optimiser budget (simulator evaluations) and the seconds of
 * load of the scouting pass. Evaluations run the measured run's whole length unless
 * --fit-duration shortens them: a 90-minute run's tails come from stalls that start after tens of
 * thousands of messages, and a 1,200-s window holds too few of them (on the thesis baseline from
 * the priors: 352 evaluations of 1,200 s gave 60 of 81 figures in-sample, 200 of the whole run
 * with a scan across every range then CMA-ES 73 of 81; docs/calibration.md). The first scan pass
 * only looks for each coordinate's basin, so it runs 1,200 s of load, at a quarter of the cost.
 */
export const DEFAULT_MAX_EVALS = 224;
export const DEFAULT_SCOUT_DURATION_S = 1200;

function common(cmd: Command): Command {
  return cmd
    .requiredOption('--measured <dir|report.json...>', 'measured runs: a run directory (clients/<region>/<client>/<n>, servers/...) or a Report JSON')
    .option('--arch <name|file>', 'architecture the measured runs ran on (default: the Report\'s "arch", e.g. the directory name)')
    .option('--regions <a,b,...>', 'use only these client regions of the measured data (a directory input reads and hashes only their client reports)')
    .option('--counters <file...>', 'server counter files to read with a directory input (redis-info.txt, mysql-status.txt|json)')
    .option('--with-server-files', 'with --regions, still read the run\'s server-side files (CPU, counters, which are compared per user of the whole run): for the calibration side of a split only', false)
    .option('--from <time>', 'first minute of the CloudWatch window, UTC, e.g. "2015-07-31 15:36:00"')
    .option('--to <time>', 'last minute of the CloudWatch window, UTC, inclusive')
    .option('--seed <n>', 'simulator seed (the same at every evaluation: common random numbers)', '1');
}

/** Registers `calibrate` and `validate` on the program. */
export function register(program: Command): void {
  registerCalibrate(program);
  registerValidate(program);
}

function registerCalibrate(program: Command): void {
  common(program
    .command('calibrate')
    .summary('fit the simulator\'s unknown parameters to measured runs')
    .description(
      'Estimate the RTT matrix from measured medians and the event-loop stalls from the request tail (p95/p98/p99 over the median), then fit CPU, broadcast, database, jitter, loss, stall and clock offset parameters from their priors and those estimates with a coordinate scan across every range (its first pass on a shorter scenario), a trust region on the loss\'s terms (a Jacobian of the log errors, Gauss–Newton steps), a compass search, then CMA-ES with any budget left, over seeded simulator runs of the measured run (the same seed at every evaluation), on a loss over log errors of per-region means, medians and tail percentiles and of counts. The runs of a scanned coordinate, a compass step or a generation go to every core (or to `sim worker`s with --queue); the result is the same whatever runs them. Writes params.json with the inputs\' content hashes, the loss, the seed, each fitted parameter beside its prior and range (flagging those at a bound) and the simulated CPU beside the measured.',
    ))
    .requiredOption('--out <params.json>', 'where to write the fitted parameters and their provenance')
    .option('--fit-duration <s>', 'seconds of load (after the ramp) in each evaluation run (default: the measured run\'s)')
    .option('--scout-duration <s>', 'seconds of load of the first scan pass\'s runs, which look across every range for each parameter\'s basin', String(DEFAULT_SCOUT_DURATION_S))
    .option('--max-evals <n>', 'optimiser budget in simulator evaluations (scan, trust region, compass search, then whole CMA-ES generations)', String(DEFAULT_MAX_EVALS))
    .option('--local-search <kind>', 'after the scan: `trust` (a trust region on the loss\'s terms, then the compass search with what is left), `compass` (the compass search alone), or `auto`: the trust region when one seed per evaluation resolves every measured run\'s request tail (a run too short for its tail, e.g. a one-minute live run, gets the compass search)', 'auto')
    .option('--population <n>', 'CMA-ES samples per generation (larger: more global, slower to converge)')
    .option('--workers <n>', 'worker threads that run a generation\'s evaluations (default: all cores)')
    .option('--queue <redis-url>', 'run the evaluations on BullMQ workers (`sim worker --queue ...` on any machine) instead of local threads')
    .option('--name <queue>', 'queue name (with --queue)', 'sim-cells')
    .option('--no-confirm', 'skip the final run at the measured length')
    .option('--start <params.json>', 'start the optimiser from these parameters instead of the priors (a warm start after a model change)')
    .option('--fit <a,b,...>', 'fit only these parameters (default: all of them; see docs/calibration.md)')
    .addHelpText('after', [
      '',
      'Examples:',
      '  sim calibrate --measured data/thesis-2015/baseline --out params.json',
      '  sim calibrate --measured data/thesis-2015/baseline --regions eu-west-1,us-west-2,sa-east-1,ap-northeast-1 --out half.json',
      '  sim calibrate --measured data/thesis-2015/baseline --queue redis://127.0.0.1:6379 --out params.json   # with `sim worker --queue redis://127.0.0.1:6379` running',
    ].join('\n'))
    .action(runCalibrate);
}

async function runCalibrate(flags: CalibrateFlags): Promise<void> {
  const { calibrate } = await import('./calibrate.ts');
  const { writeParamsFile } = await import('./params-file.ts');
  const runs = await loadRuns(flags);
  const archFor = await archResolver(flags.arch);
  const seed = parseNonNegativeInt('--seed', flags.seed);
  const fit = await fitFlags(flags);
  const { runnerFor } = await import('../../sim/many/index.ts');
  const runner = await runnerFor(flags);
  let file;
  try {
    file = await calibrate(runs, {
      ...fit,
      runner,
      archFor,
      seed,
      confirm: flags.confirm,
      log: (line) => process.stderr.write(`calibrate: ${line}\n`),
      nowMs: () => performance.now(),
      toolVersion: TOOL_VERSION,
      command: `sim ${process.argv.slice(2).join(' ')}`,
    });
  } finally {
    await runner.close();
  }
  writeParamsFile(flags.out, file);
  process.stderr.write(`calibrate: wrote ${flags.out}\n`);
}

/** The optimiser's settings from the flags: what to fit, from where, for how long. */
async function fitFlags(flags: CalibrateFlags): Promise<Pick<CalibrateOptions, 'dims' | 'start' | 'population' | 'fitLoadS' | 'scoutLoadS' | 'maxEvals' | 'localSearch'>> {
  const { readParamsFile } = await import('./params-file.ts');
  const { FIT_DIMENSIONS } = await import('./dimensions.ts');
  let dims = FIT_DIMENSIONS;
  if (flags.fit !== undefined) {
    const wanted = flags.fit.split(',').map((x) => x.trim()).filter((x) => x !== '');
    for (const w of wanted) {
      if (!FIT_DIMENSIONS.some((d) => d.path === w)) throw invalid('--fit', w, `must be one of ${FIT_DIMENSIONS.map((d) => d.path).join(', ')}`);
    }
    dims = FIT_DIMENSIONS.filter((d) => wanted.includes(d.path));
  }
  let start: CalibrateOptions['start'];
  if (flags.start !== undefined) {
    const read = readParamsFile(flags.start, '--start');
    start = { overrides: read.overrides, path: flags.start, sha256: read.sha256 };
  }
  const fitLoadS = flags.fitDuration === undefined ? Number.POSITIVE_INFINITY : parsePositiveInt('--fit-duration', flags.fitDuration);
  const scoutLoadS = parsePositiveInt('--scout-duration', flags.scoutDuration);
  const maxEvals = parsePositiveInt('--max-evals', flags.maxEvals);
  const population = flags.population === undefined ? undefined : parsePositiveInt('--population', flags.population);
  if (population !== undefined && population < 2) throw invalid('--population', flags.population, 'must be at least 2');
  const localSearch = LOCAL_SEARCHES.find((k) => k === flags.localSearch);
  if (localSearch === undefined) throw invalid('--local-search', flags.localSearch, `must be one of ${LOCAL_SEARCHES.join(', ')}`);
  return { dims, start, population, fitLoadS, scoutLoadS, maxEvals, localSearch };
}

function registerValidate(program: Command): void {
  common(program
    .command('validate')
    .summary('predict measured runs with given parameters and compare, region by region')
    .description(
      'Run the simulator with the parameters on each measured run\'s architecture and workload, and print per region and metric predicted vs measured, the error and whether it is within tolerance (means 10%, medians 10%, p98 25%, connected 1%, counts 10%). Refuses measured data whose content overlaps the calibration inputs recorded in the params file (the same files, the same figures, or a near-copy: equal sample counts and means and medians within 1 %), and a params file with no calibration record, unless --force (then labelled NOT A VALIDATION). With --replications, a figure outside tolerance whose measured value lies within the 95% spread of one simulated run says "NO, in spread": one measured run cannot tell that miss from the run-to-run scatter.',
    ))
    .option('--params <params.json>', 'parameters, e.g. written by sim calibrate')
    .option('--replicates <report.json...>', 'instead of --params and the simulator: predict each measured run by the mean of these other measured runs, repeats of it (the same architecture, users, length, regions and settings, another load-generator seed), to see how well the system reproduces itself: the most a model of its expected value can score against one run (--replications, --duration, --seed and --force are the simulator\'s and refused with it)')
    .option('--repeats', 'the --measured runs are repeats of one run (the same architecture, users, length and settings, another load-generator seed, e.g. `sim live run --seed s2`): simulate it once and compare with the mean of their figures, which carries 1/√k of one run\'s scatter (the spread test then asks whether that mean lies within the spread of such a mean)', false)
    .option('--replications <n>', 'simulator runs with seeds seed, seed+1, ...: adds a 95% interval and a t-test', '1')
    .option('--duration <s>', 'seconds of load to simulate instead of the measured run\'s (counts are scaled)')
    .option('--force', 'compare even when the data overlaps the calibration inputs or the params file has no calibration record (labelled NOT A VALIDATION), or a live run\'s load generator passed its lag limit (said on stderr)', false)
    .option('--out <dir>', 'write predicted.json and measured.json (per run: <dir>/<k>/ with several runs) for sim report')
    .option('--format <table|json>', 'what to print on stdout', 'table')
    .addHelpText('after', [
      '',
      'Examples:',
      '  sim validate --params half.json --measured data/thesis-2015/baseline --regions us-east-1,us-west-1,ap-southeast-1,ap-southeast-2 --replications 3',
      '  sim validate --params live-baseline.json --measured proposed1.json --replications 5',
      '  sim validate --params live-baseline.json --measured proposed1.json proposed1-seed-s2.json proposed1-seed-s3.json --repeats --replications 5',
      '                                          # against the mean of three repeats of one live run',
      '  sim validate --measured proposed1.json --replicates proposed1-seed-s2.json proposed1-seed-s3.json',
      '                                          # how well a run is predicted by its own repeats',
    ].join('\n'))
    .action(runValidate);
}

/** Options of `validate` that only the simulator uses: refused with --replicates rather than ignored. */
const SIMULATOR_ONLY = ['replications', 'duration', 'seed', 'force', 'repeats'] as const;

async function runValidate(flags: ValidateFlags, cmd: Command): Promise<void> {
  const { validate, validateByReplicates } = await import('../validate/validate.ts');
  if (flags.format !== 'table' && flags.format !== 'json') throw invalid('--format', flags.format, 'must be table or json');
  if ((flags.params === undefined) === (flags.replicates === undefined)) throw new UserError('CONFIG_INVALID', `validate needs exactly one of --params (predict with the simulator) and --replicates (predict with other measured runs); got ${flags.params === undefined ? 'neither' : 'both'}`);
  if (flags.replicates !== undefined) {
    const given = SIMULATOR_ONLY.filter((k) => cmd.getOptionValueSource(k) === 'cli').map((k) => `--${k}`);
    if (given.length) throw new UserError('CONFIG_INVALID', `${given.join(', ')}: ${given.length > 1 ? 'are' : 'is'} the simulator's, and --replicates runs no simulation (drop ${given.length > 1 ? 'them' : 'it'}, or predict with --params)`);
    const runs = await loadRuns(flags);
    const replicates = await loadRuns({ ...flags, measured: flags.replicates });
    return printValidation(flags, validateByReplicates(runs, replicates), flags.replicates.join(' '));
  }
  // the simulator and the params reader only when there is something to simulate
  const { readParamsFile } = await import('./params-file.ts');
  const { simulate } = await import('../../sim/run.ts');
  const loaded = readParamsFile(flags.params!);
  const runs = await loadRuns(flags);
  const result = validate(runs, loaded, {
    simulate: (input) => simulate(input).report,
    archFor: await archResolver(flags.arch),
    seed: parseNonNegativeInt('--seed', flags.seed),
    replications: parsePositiveInt('--replications', flags.replications),
    force: flags.force,
    paramsPath: flags.params!,
    loadS: flags.duration === undefined ? undefined : parsePositiveInt('--duration', flags.duration),
    repeats: flags.repeats,
    log: (line) => process.stderr.write(`validate: ${line}\n`),
  });
  await printValidation(flags, result, flags.params!);
}

/** Writes the Report pairs (--out) and prints the comparison; `source`: the parameters or replicates, as named. */
async function printValidation(flags: ValidateFlags, result: ValidationResult, source: string): Promise<void> {
  const { formatValidation, reportPair } = await import('../validate/format.ts');
  if (flags.out !== undefined) {
    result.runs.forEach((run, k) => {
      const dir = result.runs.length > 1 ? join(flags.out!, String(k + 1)) : flags.out!;
      const pair = reportPair(run, result.label, source);
      writeJson(join(dir, 'predicted.json'), pair.predicted);
      writeJson(join(dir, 'measured.json'), pair.measured);
      process.stderr.write(`validate: wrote ${dir}/predicted.json and measured.json\n`);
    });
  }
  if (flags.format === 'json') {
    const out = { label: result.label, params: flags.params ?? null, replicates: flags.replicates ?? null, runs: result.runs.map((r) => ({ spec: r.spec, arch: r.arch, regions: r.regions, seeds: r.seeds, predictedBy: r.predictedBy ?? null, repeats: r.repeats ?? null, within: r.within, comparable: r.comparable, withinSpread: r.withinSpread, rows: r.rows })) };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    process.stdout.write(formatValidation(result, source));
  }
}

async function loadRuns(flags: CommonFlags): Promise<MeasuredRun[]> {
  const { loadMeasured, parseRegionList } = await import('./measured.ts');
  const { importRun } = await import('../import/run.ts');
  const regions = flags.regions === undefined ? undefined : parseRegionList('--regions', flags.regions);
  const runs: MeasuredRun[] = [];
  for (const spec of flags.measured) {
    runs.push(await loadMeasured(spec, {
      regions,
      counters: flags.counters,
      serverFiles: flags.withServerFiles,
      importDir: (dir) => importRun(dir, { from: flags.from, to: flags.to }),
    }));
    if (runs[runs.length - 1].regions.length === 0) throw invalid('--measured', spec, 'must hold client reports with data for the selected regions');
  }
  return runs;
}

/** The architecture of each run (--arch, else the Report's), as the run ran it (live process caps, driver mode). */
async function archResolver(flag: string | undefined): Promise<(run: MeasuredRun) => Architecture> {
  const { loadArchitecture } = await import('../../model/load.ts');
  const { archAsRun } = await import('./workload.ts');
  if (flag !== undefined) {
    const arch = loadArchitecture(flag);
    return (run: MeasuredRun) => archAsRun(arch, run);
  }
  return (run: MeasuredRun) => {
    try {
      return archAsRun(loadArchitecture(run.report.arch), run);
    } catch (err) {
      if (err instanceof UserError) throw new UserError(err.code, `--arch is needed: the measured run ${run.spec} names architecture ${JSON.stringify(run.report.arch)}, which is not known (${err.message})`);
      throw err;
    }
  };
}

function writeJson(path: string, data: Report): void {
  writeOut(path, `${JSON.stringify(data, null, 2)}\n`, '--out', true);
}
