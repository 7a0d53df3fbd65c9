import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { invalid } from '../../model/errors.ts';
import { loadArchitecture } from '../../model/load.ts';
import { THESIS_SCENARIO } from '../../model/workload.ts';
import { parseDurationS, parsePositive, parsePositiveInt } from '../../model/args.ts';
import { RAMP_S, parseCounts, parseDbModes, parseList, paramsOf, parseSeed, regionMixOf } from './inputs.ts';
import { checkLimits } from '../input.ts';
import { progressPrinter } from './progress.ts';
import { runnerFor, withRunnerOptions } from './runner.ts';

/**
 * The commands of many runs: `sim sweep` (a grid of runs, locally on all cores or through a
 * BullMQ queue) and `sim worker` (runs queued cells on this machine). `sim plan` builds on the
 * same runners and registers itself (sim/plan/cli.ts). Heavy modules load in the actions.
 */

interface SweepFlags {
  arch: string; users: string; dbMode?: string; replications: string; regions: string; ramp?: string;
  duration: string; seed: string; params?: string; out: string; workers?: string; queue?: string; name: string;
  progress: boolean; format: string; keepUpP98: string;
}

interface WorkerFlags { queue: string; name: string; concurrency?: string; lockMs?: string; stalledMs?: string; maxStalled?: string }

export function register(program: Command): void {
  registerSweep(program);
  registerWorker(program);
}

function registerSweep(program: Command): void {
  const command = program
    .command('sweep')
    .description('run a grid of architectures × users × driver modes (with replications) on all cores or through a queue; writes one Report per cell and a summary')
    .requiredOption('--arch <list>', 'architectures (built-in names or JSON files), comma-separated')
    .requiredOption('--users <list>', 'user counts, comma-separated (1e4,1e5,1e6)')
    .option('--db-mode <list>', 'driver modes, comma-separated (default: each architecture\'s own)')
    .option('--replications <n>', 'independent seeded runs per cell; figures become means with 95% intervals', '1')
    .option('--regions <mix|file>', 'client regions: uniform, ucl-final, or a JSON file of shares', 'uniform')
    .option('--ramp <per s>', 'new connections per second (default: users / 200 s, the benchmark\'s ramp length)')
    .option('--duration <d>', 'load after the ramp (90m, 600s)', '90m')
    .option('--seed <n>', 'base seed (every cell uses it; replications derive theirs from it)', '1')
    .option('--params <file>', 'parameter overrides')
    .option('--out <dir>', 'directory for the cell Reports and summary.json', 'sweep');
  withRunnerOptions(command)
    .option('--keep-up-p98 <ms>', 'request p98 (ms) above which a cell does not keep up', '1000')
    .option('--format <table|json>', 'summary on stdout as a table or JSON', 'table')
    .option('--no-progress', 'do not show progress on stderr')
    .action(runSweepCommand);
}

/** `sim sweep`: validates the flags, runs the grid, writes every cell's Report and the summary. */
async function runSweepCommand(flags: SweepFlags): Promise<void> {
  const { runSweep } = await import('./sweep.ts');
  const { DEFAULT_KEEP_UP } = await import('./keepup.ts');
  const { formatSweep, sweepSummaryJson } = await import('./summary.ts');
  const { MAX_REPLICATIONS } = await import('./replicate.ts');
  const archs = parseList('--arch', flags.arch).map(loadArchitecture);
  const users = parseCounts('--users', flags.users);
  const replications = parsePositiveInt('--replications', flags.replications);
  if (replications > MAX_REPLICATIONS) throw invalid('--replications', flags.replications, `must be at most ${MAX_REPLICATIONS}`);
  if (!['table', 'json'].includes(flags.format)) throw invalid('--format', flags.format, 'must be one of table, json');
  const dbModes = flags.dbMode ? parseDbModes('--db-mode', flags.dbMode) : null;
  const spec = {
    archs,
    users,
    dbModes,
    replications,
    scenario: { ...THESIS_SCENARIO, regionMix: regionMixOf(flags.regions), durationS: parseDurationS('--duration', flags.duration) },
    rampPerS: flags.ramp ? parsePositive('--ramp', flags.ramp) : null,
    params: paramsOf(flags.params),
    seed: parseSeed(flags.seed),
  };
  // a cell beyond what one run holds is refused here, before any runs in a worker thread
  for (const arch of archs) for (const n of users) checkLimits({ arch, scenario: { ...spec.scenario, users: n, rampPerS: spec.rampPerS ?? n / RAMP_S }, params: spec.params, seed: spec.seed });
  const rule = { ...DEFAULT_KEEP_UP, maxRequestP98Ms: parsePositive('--keep-up-p98', flags.keepUpP98) };
  const runner = await runnerFor(flags);
  const progress = flags.progress ? progressPrinter('sweep') : null;
  try {
    const result = await runSweep(spec, runner, progress?.update, rule);
    progress?.end();
    mkdirSync(flags.out, { recursive: true });
    for (const c of result.cells) writeFileSync(join(flags.out, `${c.cell.id}.json`), `${JSON.stringify(c.report, null, 2)}\n`);
    const summary = sweepSummaryJson(result);
    writeFileSync(join(flags.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    const text = formatSweep(result);
    writeFileSync(join(flags.out, 'summary.txt'), text);
    process.stdout.write(flags.format === 'json' ? `${JSON.stringify(summary, null, 2)}\n` : `${text}reports and summary in ${flags.out}/\n`);
  } finally {
    await runner.close();
  }
}

function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run queued simulation cells (from `sim sweep --queue` or `sim plan --queue`) on this machine until stopped')
    .requiredOption('--queue <redis-url>', 'the BullMQ Redis, e.g. redis://127.0.0.1:6379')
    .option('--name <queue>', 'queue name', 'sim-cells')
    .option('--concurrency <n>', 'cells at a time, one worker thread each (default: all cores)')
    .option('--lock-ms <ms>', 'job lock duration; a dead worker\'s job is retried after about this long')
    .option('--stalled-ms <ms>', 'how often to look for jobs of dead workers')
    .option('--max-stalled <n>', 'times a job may lose its worker before it counts as failed')
    .action(async (flags: WorkerFlags) => {
      const { DEFAULT_QUEUE_SETTINGS, startQueueWorker } = await import('./queue.ts');
      const { defaultWorkers } = await import('./pool.ts');
      const settings = {
        ...DEFAULT_QUEUE_SETTINGS,
        ...(flags.lockMs ? { lockMs: parsePositiveInt('--lock-ms', flags.lockMs) } : {}),
        ...(flags.stalledMs ? { stalledMs: parsePositiveInt('--stalled-ms', flags.stalledMs) } : {}),
        ...(flags.maxStalled ? { maxStalled: parsePositiveInt('--max-stalled', flags.maxStalled) } : {}),
      };
      const concurrency = flags.concurrency ? parsePositiveInt('--concurrency', flags.concurrency) : defaultWorkers();
      const log = (line: string): void => { process.stderr.write(`worker ${process.pid}: ${line}\n`); };
      const worker = await startQueueWorker(flags.queue, flags.name, concurrency, settings, log);
      log(`taking jobs from ${flags.name} at ${flags.queue} (${concurrency} at a time); stop with Ctrl-C`);
      await new Promise<void>((resolve) => {
        const stop = (): void => { log('stopping after the current jobs'); resolve(); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await worker.close();
    });
}
