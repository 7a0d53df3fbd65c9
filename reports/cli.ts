import type { Command } from 'commander';
import { DEFAULT_KEEP_UP_LIMIT_MS, DEFAULT_RANK, DEFAULT_TOLERANCES, defaultOptions, parsePercent, parsePositive, type ReportOptions } from './options.ts';

interface Flags {
  out: string;
  rank: string;
  costCeiling?: string;
  tolMean?: string;
  tolMedian?: string;
  tolP98?: string;
  tolCount?: string;
  keepUpMs?: string;
}

/** Turns the command's flags into validated options. @throws UserError CONFIG_INVALID naming the flag */
export function optionsFromFlags(flags: Flags): ReportOptions {
  const o = defaultOptions();
  o.rank = flags.rank;
  if (flags.costCeiling !== undefined) o.costCeilingPerHour = parsePositive('--cost-ceiling', flags.costCeiling);
  if (flags.tolMean !== undefined) o.tolerances.mean = parsePercent('--tol-mean', flags.tolMean);
  if (flags.tolMedian !== undefined) o.tolerances.median = parsePercent('--tol-median', flags.tolMedian);
  if (flags.tolP98 !== undefined) o.tolerances.p98 = parsePercent('--tol-p98', flags.tolP98);
  if (flags.tolCount !== undefined) o.tolerances.count = parsePercent('--tol-count', flags.tolCount);
  if (flags.keepUpMs !== undefined) o.keepUpLimitMs = parsePositive('--keep-up-ms', flags.keepUpMs);
  return o;
}

const pct = (f: number) => `${f * 100}`;

/** Registers `sim report`. Heavy dependencies (vega, resvg) are imported inside the action, lazily. */
export function register(program: Command): void {
  program
    .command('report')
    .description('turn one or more Reports (sim, live, import, in any mix) into charts, tables and a summary: index.html, SVG/PNG per chart, summary.md')
    .argument('<report.json...>', 'Report files to compare; the first sets the colour order and the reference region')
    .requiredOption('--out <dir>', 'folder to write index.html, <chart>.svg/.png and summary.md into')
    .option('--rank <metric>', 'ranking criterion: request.p98, handshake.mean, request.median@ap-southeast-2, failed, cost, counts.handledRequests, meters.sec.avg, ...', DEFAULT_RANK)
    .option('--cost-ceiling <dollarsPerHour>', 'rank only sources costing at most this many $ per hour')
    .option('--tol-mean <pct>', 'tolerance on means, % of the measured value', pct(DEFAULT_TOLERANCES.mean))
    .option('--tol-median <pct>', 'tolerance on medians, %', pct(DEFAULT_TOLERANCES.median))
    .option('--tol-p98 <pct>', 'tolerance on 98th percentiles, %', pct(DEFAULT_TOLERANCES.p98))
    .option('--tol-count <pct>', 'tolerance on counts (users, requests, queries), %', pct(DEFAULT_TOLERANCES.count))
    .option('--keep-up-ms <ms>', 'a region cannot keep up when its median request latency exceeds this', String(DEFAULT_KEEP_UP_LIMIT_MS))
    .action(async (files: string[], flags: Flags) => {
      const options = optionsFromFlags(flags);
      const { buildReport } = await import('./build.ts');
      const result = await buildReport(files, flags.out, options);
      process.stderr.write(`sim report: wrote ${result.files.length} files to ${result.outDir} (index.html, summary.md, ${result.view.charts.length} charts as SVG and PNG)\n`);
      for (const h of result.view.headlines) process.stdout.write(`${h}\n`);
    });
}
