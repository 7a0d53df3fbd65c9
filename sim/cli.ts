import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { BUILT_IN_ARCHITECTURES, DB_MODES, builtInArchitecture, scaleServers, type Architecture, type DbMode } from '../model/architecture.ts';
import { INSTANCE_TYPES } from '../model/instances.ts';
import { loadArchitecture, loadRegionMix, writeOut } from '../model/load.ts';
import { NETWORKS } from '../model/network.ts';
import { DEFAULT_PARAMS, PARAM_DOCS, type Params } from '../model/params.ts';
import { loadParams } from '../model/params-file.ts';
import { REGIONS } from '../model/regions.ts';
import type { Report } from '../model/report.ts';
import { DEFAULT_WIDTH, formatReport, table, wrap } from '../model/table.ts';
import { RAMP_S, REGION_MIXES, THESIS_SCENARIO, type Scenario } from '../model/workload.ts';
import { parseChoice, parseCount, parseDurationS, parseNonNegativeInt, parsePositive } from '../model/args.ts';
import { checkLimits, type Progress, type SimInput } from './input.ts';
import { register as registerMany } from './many/cli.ts';
import { register as registerPlan } from './plan/cli.ts';

interface RunFlags {
  arch: string;
  users: string;
  ramp?: string;
  duration: string;
  regions: string;
  dbMode?: string;
  broadcastCheck?: string;
  window?: string;
  seed: string;
  params?: string;
  network?: string;
  handshakeTimeout?: string;
  scale?: string;
  out?: string;
  format: string;
  progress: boolean;
  replications?: string;
  workers?: string;
}

/** Registers `run`, the `sim many` and `sim plan` commands, `arch show` and `list` on the program. */
export function register(program: Command): void {
  registerRun(program);
  registerMany(program);
  registerPlan(program);
  registerArchAndList(program);
}

function registerRun(program: Command): void {
  program
    .command('run')
    .summary('simulate an architecture under the benchmark workload')
    .description(
      'Simulate clients in many regions connecting to an architecture of WebSocket servers, Redis and MySQL,\n' +
        'and report handshake, request and broadcast latency per region, load, resources, cost and meters.\n' +
        'The defaults reproduce the 2015 benchmark: 24,000 users at 120 connections/s from 8 regions,\n' +
        'a 200 s ramp, then 90 minutes of load.',
    )
    .option('--arch <name|file>', `architecture: ${BUILT_IN_ARCHITECTURES.join(', ')}, or a JSON file with the same schema`, 'baseline')
    .option('--users <n>', 'users that connect (24000, 1e6, 1_000_000)', String(THESIS_SCENARIO.users))
    .option('--ramp <per s>', `new connections per second (default: users / ${RAMP_S} s, the benchmark's ramp length)`)
    .option('--duration <d>', 'load after the ramp (90m, 5400s, 1h30m)', '90m')
    .option('--regions <mix|file>', `client regions: ${Object.keys(REGION_MIXES).join(', ')}, or a JSON file {"<region>": share}`, 'uniform')
    .option('--db-mode <mode>', `database driver: ${DB_MODES.join(', ')} (default: the architecture's own)`)
    .option('--broadcast-check <racy|atomic>', 'broadcast window check: the study\'s racy get-then-set, or one atomic check-and-set (default: the architecture\'s own)')
    .option('--window <s>', 'broadcast batching window per pool, seconds (default: the architecture\'s own, 3 in the study)')
    .option('--scale <k>', 'multiply every server group\'s instance count by k')
    .option('--seed <n>', 'random seed: same inputs and seed give the same report, byte for byte', '1')
    .option('--params <file>', 'parameter overrides, e.g. written by `sim calibrate` (see `sim list params`)')
    .option('--network <name>', `RTTs between regions without a calibrated measurement: ${NETWORKS.join(', ')} (default: the params' network, aws-2016)`)
    .option('--handshake-timeout <s>', 'what-if: clients give up on a handshake not open after this many seconds (counted as failed); default none, as the study\'s WebSocket-bench')
    .option('--out <file>', 'write the Report JSON to this file')
    .option('--format <table|json>', 'what to print on stdout', 'table')
    .option('--replications <n>', 'independent seeded runs; every figure becomes a mean with its 95% confidence interval', '1')
    .option('--workers <n>', 'worker threads for replications (default: all cores)')
    .option('--no-progress', 'do not show progress on stderr')
    .addHelpText('after', [
      '',
      'Examples:',
      '  sim run                                        # the 2015 baseline benchmark',
      '  sim run --arch proposed1 --users 1e6           # one million users, one server per region',
      '  sim run --arch proposed1 --db-mode batched     # the same with one database round trip per message',
      '  sim run --arch proposed1 --db-mode async --broadcast-check atomic   # no duplicate broadcasts',
      '  sim arch show proposed1 > my-arch.json; sim run --arch my-arch.json --regions ucl-final --out r.json',
    ].join('\n'))
    .action(runAction);
}

/** `sim run`: one run, or replications on worker threads; the Report to stdout and --out. */
async function runAction(flags: RunFlags): Promise<void> {
  const input = runInput(flags);
  const format = parseChoice('--format', flags.format, ['table', 'json'] as const);
  const replications = parseCount('--replications', flags.replications ?? '1');
  let report: Report;
  if (replications === 1) {
    const { simulate } = await import('./run.ts');
    const progress = flags.progress ? progressPrinter() : undefined;
    report = simulate(input, { onProgress: progress?.update }).report;
    progress?.done();
  } else {
    const { replicate } = await import('./many/replicate.ts');
    const { progressPrinter: manyProgress } = await import('./many/progress.ts');
    const workers = flags.workers === undefined ? undefined : parseCount('--workers', flags.workers);
    const progress = flags.progress ? manyProgress('replications') : undefined;
    report = await replicate(input, replications, { workers, onProgress: progress?.update });
    progress?.end();
  }
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (flags.out) writeOut(flags.out, json);
  process.stdout.write(format === 'json' ? json : formatReport(report, terminalWidth()));
}

function registerArchAndList(program: Command): void {
  const arch = program.command('arch').summary('show an architecture as JSON, to start a file of your own');
  arch
    .command('show')
    .summary('print an architecture (built-in or a file) as validated JSON')
    .argument('<name|file>', `${BUILT_IN_ARCHITECTURES.join(', ')}, or a JSON file`)
    .addHelpText('after', [
      '',
      'Examples:',
      '  sim arch show proposed1 > my-arch.json          # edit it, then: sim run --arch my-arch.json',
      '  sim arch show my-arch.json                      # check a file: every problem on one line, or the file back',
      '',
      'The fields are documented in model/architecture.ts; regions and instance types: sim list.',
    ].join('\n'))
    .action((nameOrFile: string) => {
      process.stdout.write(`${JSON.stringify(loadArchitecture(nameOrFile), null, 2)}\n`);
    });

  program
    .command('list')
    .summary('list architectures, region mixes, regions, instance types and parameters')
    .argument('[what]', 'architectures | mixes | regions | instances | params (default: all)')
    .action((what?: string) => {
      const sections = ['architectures', 'mixes', 'regions', 'instances', 'params'] as const;
      const chosen = what === undefined ? sections : [parseChoice('what', what, sections)];
      process.stdout.write(chosen.map((c) => listSection(c)).join('\n'));
    });
}

/** Turns the flags of `sim run` into a validated simulator input. */
export function runInput(flags: RunFlags): SimInput {
  const users = parseCount('--users', flags.users);
  const rampPerS = flags.ramp === undefined ? users / RAMP_S : parsePositive('--ramp', flags.ramp);
  const durationS = parseDurationS('--duration', flags.duration);
  const regionMix = loadRegionMix(flags.regions);
  let arch: Architecture = loadArchitecture(flags.arch);
  if (flags.dbMode !== undefined) arch = { ...arch, dbMode: parseChoice<DbMode>('--db-mode', flags.dbMode, DB_MODES) };
  if (flags.broadcastCheck !== undefined) arch = { ...arch, broadcast: { ...arch.broadcast, check: parseChoice('--broadcast-check', flags.broadcastCheck, ['racy', 'atomic'] as const) } };
  if (flags.window !== undefined) arch = { ...arch, broadcast: { ...arch.broadcast, windowS: parsePositive('--window', flags.window) } };
  if (flags.scale !== undefined) arch = scaleServers(arch, parsePositive('--scale', flags.scale));
  const seed = parseNonNegativeInt('--seed', flags.seed);
  const params: Params = loadParams(flags.params);
  if (flags.network !== undefined) params.network = parseChoice('--network', flags.network, NETWORKS);
  if (flags.handshakeTimeout !== undefined) params.handshakeTimeoutS = parsePositive('--handshake-timeout', flags.handshakeTimeout);
  const scenario: Scenario = { ...THESIS_SCENARIO, users, rampPerS, durationS, regionMix };
  const input = { arch, scenario, params, seed };
  checkLimits(input);
  return input;
}

/** Columns of the terminal on stdout, or 100 when stdout is not a terminal. */
function terminalWidth(): number {
  return process.stdout.isTTY && process.stdout.columns ? Math.max(60, process.stdout.columns) : DEFAULT_WIDTH;
}

/**
 * Progress on stderr for runs over a second: simulated time, events/s, ETA. Wall-clock time is
 * read here for display only; it never enters the simulation or the Report.
 */
export function progressPrinter(): { update: (p: Progress) => void; done: () => void } {
  const start = performance.now();
  const tty = process.stderr.isTTY === true;
  let lastPrint = start;
  let printed = false;
  return {
    update(p) {
      const now = performance.now();
      if (now - start < 1000 || now - lastPrint < (tty ? 250 : 10_000)) return;
      lastPrint = now;
      printed = true;
      const wallS = (now - start) / 1000;
      const frac = Math.min(1, p.simTimeS / p.endTimeS);
      const eta = frac > 0 ? wallS * (1 / frac - 1) : NaN;
      const line = `simulated ${Math.round(p.simTimeS).toLocaleString('en-US')} of ${Math.round(p.endTimeS).toLocaleString('en-US')} s · ${(p.events / wallS / 1e6).toFixed(1)} M events/s · ETA ${Number.isFinite(eta) ? `${Math.ceil(eta)} s` : '?'}`;
      process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
    },
    done() {
      if (printed && tty) process.stderr.write('\r\x1b[K');
      if (printed) process.stderr.write(`done in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
    },
  };
}

function listSection(what: 'architectures' | 'mixes' | 'regions' | 'instances' | 'params', width = terminalWidth()): string {
  const lines: string[] = [];
  switch (what) {
    case 'architectures':
      lines.push('Architectures (--arch; or a JSON file with the same schema):');
      for (const name of BUILT_IN_ARCHITECTURES) {
        const a = builtInArchitecture(name);
        lines.push(...wrap(`  ${name.padEnd(10)} ${a.description ?? ''}`, width, ' '.repeat(13)));
      }
      break;
    case 'mixes':
      lines.push('Region mixes (--regions; or a JSON file {"<region id>": share, ...}):');
      for (const [name, mix] of Object.entries(REGION_MIXES)) {
        lines.push(...wrap(`  ${name.padEnd(10)} ${Object.entries(mix).map(([r, w]) => `${r} ${(w * 100).toFixed(1)}%`).join(', ')}`, width, ' '.repeat(13)));
      }
      break;
    case 'regions':
      lines.push('Regions:');
      lines.push(...table(REGIONS.map((r) => [`  ${r.id}`, r.name, `${r.lat.toFixed(2)}, ${r.lon.toFixed(2)}`]), [false, false, false]));
      break;
    case 'instances':
      lines.push('Instance types:');
      lines.push(...table(Object.entries(INSTANCE_TYPES).map(([n, t]) => [`  ${n}`, t.service, `${t.vcpu} vCPU`, `${t.memoryGiB} GiB`]), [false, false, true, true]));
      break;
    case 'params':
      lines.push('Parameters (--params file.json overrides any of them):');
      for (const [key, doc] of Object.entries(PARAM_DOCS)) {
        const value = (DEFAULT_PARAMS as unknown as Record<string, unknown>)[key];
        lines.push(...wrap(`  ${key} = ${JSON.stringify(value)}${doc.unit ? ` ${doc.unit}` : ''}`, width, '      '));
        lines.push(...wrap(`      ${doc.meaning}`, width, '      '));
      }
      break;
  }
  return `${lines.join('\n')}\n`;
}

export type { Report };
