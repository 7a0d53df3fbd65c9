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
import type { CellRunner } from './runner.ts';

/**
 * The commands of many runs: `sim sweep` (a grid of runs, locally on all cores or through a
 * BullMQ queue), `sim worker` (runs queued cells on this machine) and `sim plan` (searches for
 * the cheapest architecture that meets a latency objective). Heavy modules load in the actions.
 */

/** The runner the flags ask for: a BullMQ queue with --queue, else a local pool of --workers threads. */
export async function runnerFor(flags: { queue?: string; name: string; workers?: string }): Promise<CellRunner> {
  if (flags.queue) {
    const { queueRunner } = await import('./queue.ts');
    return queueRunner(flags.queue, flags.name);
  }
  const { defaultWorkers, poolRunner } = await import('./pool.ts');
  return poolRunner(flags.workers ? parsePositiveInt('--workers', flags.workers) : defaultWorkers());
}

interface SweepFlags {
  arch: string; users: string; dbMode?: string; replications: string; regions: string; ramp?: string;
  duration: string; seed: string; params?: string; out: string; workers?: string; queue?: string; name: string;
  progress: boolean; format: string; keepUpP98: string;
}

interface WorkerFlags { queue: string; name: string; concurrency?: string; lockMs?: string; stalledMs?: string; maxStalled?: string }

export function register(program: Command): void {
  program
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
    .option('--out <dir>', 'directory for the cell Reports and summary.json', 'sweep')
    .option('--workers <n>', 'worker threads of the local pool (default: all cores)')
    .option('--queue <redis-url>', 'enqueue the cells on BullMQ at this Redis (redis://host:6379) for `sim worker`s to run')
    .option('--name <queue>', 'queue name', 'sim-cells')
    .option('--keep-up-p98 <ms>', 'request p98 (ms) above which a cell does not keep up', '1000')
    .option('--format <table|json>', 'summary on stdout as a table or JSON', 'table')
    .option('--no-progress', 'do not show progress on stderr')
    .action(async (flags: SweepFlags) => {
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
    });

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

  registerPlan(program);
}

interface PlanFlags {
  users: string; regions: string; slo: string; budget?: string; params?: string; prices?: string; dbMode: string;
  layouts?: string; serverTypes?: string; windows: string; hub: string; ramp?: string; duration: string;
  screenDuration: string; screenUsers: string; confirmUsers: string; maxCount: string; minConnected: string;
  seed: string; workers?: string; queue?: string; name: string; out?: string; format: string; progress: boolean;
}

function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('search for the cheapest architecture that meets a latency objective, with the runs that justify it')
    .requiredOption('--users <n>', 'users at full load (24000, 1e6, 1e7)')
    .requiredOption('--slo <terms>', 'objective per client region, e.g. "request.p98<500ms,broadcast.p98<1s"')
    .option('--regions <mix|file>', 'client regions: uniform, ucl-final, or a JSON file of shares', 'uniform')
    .option('--budget <$ per h>', 'ignore designs costing more per hour')
    .option('--params <file>', 'parameter overrides (e.g. from `sim calibrate`)')
    .option('--prices <name|file>', 'price table: on-demand-2015 (list prices of every instance type), thesis-2015 (the study\'s own estimate), or a JSON file', 'on-demand-2015')
    .option('--db-mode <list>', 'driver modes to consider', 'blocking,async,batched')
    .option('--layouts <list>', 'layouts to consider (default: all; see docs/plan.md)')
    .option('--server-types <list>', 'EC2 types for servers (default: every type with a non-zero price in the table)')
    .option('--windows <list>', 'broadcast batching windows to consider, seconds', '3')
    .option('--hub <region>', 'region of the central servers and of every database master', 'eu-west-1')
    .option('--ramp <per s>', 'new connections per second (default: users / 200 s)')
    .option('--duration <d>', 'load after the ramp of a confirming run', '90m')
    .option('--screen-duration <d>', 'load after the ramp of a screening run', '5m')
    .option('--screen-users <n>', 'most users a screening run simulates (larger loads run as scaled-down slices)', '30000')
    .option('--confirm-users <n>', 'most users a confirming run simulates', '200000')
    .option('--max-count <n>', 'most server instances per group', '2048')
    .option('--min-connected <share>', 'share of each region\'s users that must connect', '0.99')
    .option('--seed <n>', 'seed of every run', '1')
    .option('--workers <n>', 'worker threads of the local pool (default: all cores)')
    .option('--queue <redis-url>', 'run the cells through BullMQ workers instead of the local pool')
    .option('--name <queue>', 'queue name', 'sim-cells')
    .option('--out <file>', 'write the plan (recommendation, runs, reasons) as JSON')
    .option('--format <text|json>', 'what to print on stdout', 'text')
    .option('--no-progress', 'do not show progress on stderr')
    .action(async (flags: PlanFlags) => {
      const { planSpecFromFlags } = await import('../plan/options.ts');
      const { searchPlan } = await import('../plan/search.ts');
      const { formatPlan, planJson } = await import('../plan/format.ts');
      const spec = planSpecFromFlags(flags);
      if (!['text', 'json'].includes(flags.format)) throw invalid('--format', flags.format, 'must be one of text, json');
      const runner = await runnerFor(flags);
      const progress = flags.progress ? progressPrinter('plan runs') : null;
      const log = flags.progress ? (line: string): void => { process.stderr.write(`${line}\n`); } : undefined;
      const started = performance.now();
      try {
        const result = await searchPlan(spec, runner, log, progress?.update);
        progress?.end();
        const wallS = (performance.now() - started) / 1000;
        const json = `${JSON.stringify(planJson(result, wallS), null, 2)}\n`;
        if (flags.out) writeFileSync(flags.out, json);
        process.stdout.write(flags.format === 'json' ? json : formatPlan(result, wallS));
      } finally {
        await runner.close();
      }
    });
}
