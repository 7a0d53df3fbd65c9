import { Option, type Command } from 'commander';
import { invalid } from '../../model/errors.ts';
import { writeOut } from '../../model/load.ts';

const HELP_AFTER = `
Layout of <dir> (the directory's name becomes the Report's "arch"):
  clients/<region>/<client>/<n>          WebSocket-bench report of one client machine
  servers/<region>/autoscale_group/*.csv CloudWatch CSVs of a server group (CPUUtilization,
                                         NetworkIn, NetworkOut, Disk*)
  servers/<region>/<instance>/*.csv      CloudWatch CSVs of one instance (MemoryUsed,
                                         MemoryAvailable, DiskSpaceUsed, DiskSpaceAvailable, ...)
  redis-info.txt                         optional: Redis INFO stats (keyspace_hits, keyspace_misses)
  mysql-status.txt | mysql-status.json   optional: MySQL global status Queries
  (several Redis or MySQL nodes: redis-info-<node>.txt, mysql-status-<node>.txt; they are summed)

How it combines: sample-count-weighted means, pooled standard deviation (within plus between
reports), min of mins, max of maxes, percentiles as count-weighted averages (an approximation,
said so in the Report's notes). CPU is weighted by cores; memory and disk are 100·Σused/Σavailable.
Without --from/--to the window is the minutes every CSV covers.

Examples:
  sim import data/thesis-2015/baseline
  sim import data/thesis-2015/baseline --out baseline.json \\
      --from "2015-07-31 15:36:00" --to "2015-07-31 17:09:00"
  sim import runs/mine --arch my-arch.json --prices my-prices.json --format json
`;

interface Flags {
  out?: string;
  from?: string;
  to?: string;
  format: string;
  arch?: string;
  prices?: string;
  loadMinutes: string;
}

/** Registers `sim import <dir>`: measured run directory in, Report out. */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description('Read a measured run (WebSocket-bench reports, CloudWatch CSVs, Redis/MySQL counters) into a Report with meters and cost.')
    .argument('<dir>', 'run directory: clients/<region>/<client>/<n> and servers/<region>/<source>/<Metric>.csv')
    .option('--out <file>', 'write the Report JSON to this file')
    .option('--from <time>', 'first minute of the CloudWatch window, UTC, inclusive, e.g. "2015-07-31 15:36:00"')
    .option('--to <time>', 'last minute of the CloudWatch window, UTC, inclusive, e.g. "2015-07-31 17:09:00"')
    .addOption(new Option('--format <format>', 'what to print: a short table, or the Report JSON').choices(['table', 'json']).default('table'))
    .option('--arch <name|file>', 'the architecture that was measured (instance types, cost); default: the built-in one named like <dir>, if any')
    .option('--prices <file>', 'price table JSON (default: the built-in 2015 Ireland table)')
    .option('--load-minutes <minutes>', 'minutes of load the measured network volume is spread over to bill data per hour', '90')
    .addHelpText('after', HELP_AFTER)
    .action(async (dir: string, flags: Flags, cmd: Command) => {
      const { importRun } = await import('./run.ts');
      const { formatImportSummary } = await import('./summary.ts');
      const { loadArchitecture, loadPriceTable } = await import('../../model/load.ts');
      const loadMinutes = Number(flags.loadMinutes);
      if (!(loadMinutes > 0) || !Number.isFinite(loadMinutes)) throw invalid('--load-minutes', flags.loadMinutes, 'must be a positive number of minutes');
      const report = importRun(dir, {
        from: flags.from,
        to: flags.to,
        arch: flags.arch !== undefined ? loadArchitecture(flags.arch) : undefined,
        prices: flags.prices !== undefined ? loadPriceTable(flags.prices) : undefined,
        loadHours: loadMinutes / 60,
      });
      const json = `${JSON.stringify(report, null, 2)}\n`;
      if (flags.out !== undefined) {
        writeOut(flags.out, json, '--out file');
        process.stderr.write(`sim import: wrote ${flags.out}\n`);
        if (cmd.getOptionValueSource('format') !== 'cli') return;
      }
      process.stdout.write(flags.format === 'json' ? json : `${formatImportSummary(report)}\n`);
    });
}
