import type { Command } from 'commander';
import { invalid } from '../../model/errors.ts';
import { writeOut } from '../../model/load.ts';
import { progressPrinter, runnerFor, withRunnerOptions } from '../many/index.ts';
import type { PlanFlagValues } from './options.ts';

/**
 * `sim plan`: searches for the cheapest architecture that meets a latency objective and prints
 * the runs that justify it. The flags become a PlanSpec (options.ts), the search runs on the
 * same runners as `sim sweep` (a local pool or a BullMQ queue), and the answer is printed for a
 * person (format.ts) or as JSON. Heavy modules load in the action.
 */

type PlanFlags = PlanFlagValues & { workers?: string; queue?: string; name: string; out?: string; format: string; progress: boolean };

export function register(program: Command): void {
  const command = program
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
    .option('--seed <n>', 'seed of every run', '1');
  withRunnerOptions(command)
    .option('--out <file>', 'write the plan (recommendation, runs, reasons) as JSON')
    .option('--format <text|json>', 'what to print on stdout', 'text')
    .option('--no-progress', 'do not show progress on stderr')
    .action(async (flags: PlanFlags) => {
      const { planSpecFromFlags } = await import('./options.ts');
      const { searchPlan } = await import('./search.ts');
      const { formatPlan, planJson } = await import('./format.ts');
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
        if (flags.out) writeOut(flags.out, json);
        process.stdout.write(flags.format === 'json' ? json : formatPlan(result, wallS));
      } finally {
        await runner.close();
      }
    });
}
