import type { Command } from 'commander';
import { BUILT_IN_ARCHITECTURES, DB_MODES } from '../../model/architecture.ts';
import { invalid } from '../../model/errors.ts';
import { NETWORKS, type RttMatrix } from '../../model/network.ts';
import { parseChoice } from '../../model/args.ts';
import { findRegion } from '../../model/regions.ts';
import { parseDbMode, parseDurationMs, parseFraction, parsePositive, parsePositiveInt, parseRegion, parseWindowCheck } from '../args.ts';
import { interruptible, log, writeOut } from '../console.ts';
import { CLIENT_NETWORKS } from './plan.ts';

function parseMatrix(data: unknown, where: string): RttMatrix {
  if (!data || typeof data !== 'object') throw invalid('--rtt-matrix', where, 'must be a JSON object {"<region>": {"<region>": rttMs}}');
  for (const [a, row] of Object.entries(data as Record<string, unknown>)) {
    if (!findRegion(a)) throw invalid(`${where} key`, a, 'must be a region id');
    for (const [b, v] of Object.entries((row ?? {}) as Record<string, unknown>)) {
      if (!findRegion(b)) throw invalid(`${where} ${a} key`, b, 'must be a region id');
      if (typeof v !== 'number' || !(v >= 0)) throw invalid(`${where} ${a}.${b}`, v, 'must be an RTT in ms >= 0');
    }
  }
  return data as RttMatrix;
}

interface RunFlags {
  arch: string; users: string; duration: string; dbMode?: string; windowCheck?: string; timeScale: string; ramp: string; seed: string;
  rttMatrix?: string; network?: string; jitter: string; loss: boolean; reconnectEvery?: string; restartAt?: string; maxProcesses?: string;
  regions?: string; out?: string; format: string; drain: string; privateServices: boolean; clientNetwork: string;
}

/** The flags of `sim live run` other than --arch, --rtt-matrix, --out and --format, checked (UserError naming the flag). */
function runFlagValues(f: RunFlags) {
  const users = parsePositiveInt('--users', f.users);
  const durationMs = parseDurationMs('--duration', f.duration);
  const opts = {
    users, durationMs,
    dbMode: f.dbMode === undefined ? undefined : parseDbMode('--db-mode', f.dbMode),
    windowCheck: f.windowCheck === undefined ? undefined : parseWindowCheck('--window-check', f.windowCheck),
    timeScale: parsePositive('--time-scale', f.timeScale),
    rampPerSecond: parsePositive('--ramp', f.ramp),
    seed: f.seed,
    network: f.network === undefined ? undefined : parseChoice('--network', f.network, NETWORKS),
    jitterFraction: parseFraction('--jitter', f.jitter),
    loss: !!f.loss,
    clientNetwork: parseChoice('--client-network', f.clientNetwork, CLIENT_NETWORKS),
    reconnectMeanMs: f.reconnectEvery === undefined ? null : parseDurationMs('--reconnect-every', f.reconnectEvery),
    restartAtMs: f.restartAt === undefined ? null : parseDurationMs('--restart-at', f.restartAt),
    maxProcessesPerGroup: f.maxProcesses === undefined ? undefined : parsePositiveInt('--max-processes', f.maxProcesses),
    clientRegions: f.regions === undefined ? undefined : f.regions.split(',').map((r) => parseRegion('--regions', r.trim())),
    drainTimeoutMs: parseDurationMs('--drain', f.drain),
    privateServices: !!f.privateServices,
  };
  if (opts.restartAtMs !== null && opts.restartAtMs >= durationMs) throw invalid('--restart-at', f.restartAt, `must be before the end of the run (${f.duration})`);
  return opts;
}

/** Registers `sim live run`: the whole system for an architecture, measured into a Report (orchestrate.ts). */
export function register(live: Command): void {
  live
    .command('run')
    .summary('start servers, proxies and load generator for an architecture, run, measure, tear down')
    .option('--arch <name|file>', `architecture: ${BUILT_IN_ARCHITECTURES.join(', ')}, or a JSON file`, 'baseline')
    .option('--users <n>', 'virtual users, split evenly over the client regions', '300')
    .option('--duration <d>', 'run length from the first connection (60s, 2m)', '60s')
    .option('--db-mode <mode>', `database driver: ${DB_MODES.join(', ')} (default: the architecture's own)`)
    .option('--window-check <c>', 'broadcast window check: atomic or racy (default: the architecture\'s own)')
    .option('--time-scale <x>', 'divide think times by x so a run fits minutes (1 = the thesis scenario)', '1')
    .option('--ramp <per s>', 'new connections per second over all regions (thesis: 120)', '120')
    .option('--seed <s>', 'seed of think times, jitter and loss draws', 'live')
    .option('--rtt-matrix <file>', 'measured RTT matrix JSON {"<region>": {"<region>": ms}}; its pairs come before the network\'s')
    .option('--network <name>', `RTTs between regions without a measured pair: ${NETWORKS.join(', ')} (default: the simulator's, aws-2016)`)
    .option('--jitter <fraction>', 'jitter of each one-way delay, as a fraction of it', '0')
    .option('--loss', 'inject the Leighton loss rate as retransmission delay', false)
    .option('--client-network <where>', `where the clients' paths get their delays: proxy (a latency proxy per region) or loadgen (inside the load generators, the same delays without the proxies' CPU: for full-size runs)`, 'proxy')
    .option('--reconnect-every <d>', 'force each client to drop its connection on average this often (tests retries)')
    .option('--restart-at <d>', 'kill the server processes at this time into the run and start them again')
    .option('--max-processes <n>', 'cap the processes per server group (default: this machine\'s cores with async or batched drivers; blocking groups keep the architecture\'s count)')
    .option('--regions <list>', `client regions, comma-separated (default: the eight of the benchmark)`)
    .option('--drain <d>', 'after the run, how long unconfirmed predictions may keep retrying', '30s')
    .option('--private-services', 'run on private Redis and MariaDB instances (clean counters), even if local servers answer', false)
    .option('--out <file>', 'write the Report JSON to this file')
    .option('--format <table|json|bench>', 'what to print on stdout', 'table')
    .addHelpText('after', [
      '',
      'Examples:',
      '  sim live run --arch baseline --users 300 --duration 60s --out baseline.json',
      '  sim live run --arch proposed1 --users 300 --duration 60s              # blocking drivers, remote DB',
      '  sim live run --arch proposed1 --users 300 --duration 60s --db-mode batched',
      '  sim live run --arch proposed1 --users 100 --duration 30s --time-scale 10 --reconnect-every 5s --restart-at 15s',
      '  sim live run --arch baseline --users 300 --duration 60s --network leighton       # RTTs of the distance prior alone',
      '  sim live run --arch baseline --users 24000 --duration 10m --private-services --client-network loadgen --out live-baseline-24000.json',
      '                                          # full size: ~12 min, the whole machine (docs/live.md)',
    ].join('\n'))
    .action(async (f: RunFlags) => {
      const format = f.format;
      if (!['table', 'json', 'bench'].includes(format)) throw invalid('--format', format, 'must be one of table, json, bench');
      const opts = runFlagValues(f);
      const { loadArchitecture, readJsonFile } = await import('../../model/load.ts');
      const arch = loadArchitecture(f.arch);
      const matrix = f.rttMatrix === undefined ? undefined : parseMatrix(readJsonFile(f.rttMatrix, 'RTT matrix'), f.rttMatrix);
      const { runLive, LiveRunAborted } = await import('./orchestrate.ts');
      const { formatLiveSummary, formatLiveBench } = await import('./summary.ts');
      await interruptible(async (signal) => {
        try {
          const res = await runLive({
            ...opts, arch, matrix, log, signal,
            redisUrl: opts.privateServices ? undefined : process.env.REDIS_URL, mysqlUrl: opts.privateServices ? undefined : process.env.MYSQL_URL,
          });
          const json = `${JSON.stringify(res.report, null, 2)}\n`;
          if (f.out) writeOut(f.out, json);
          process.stdout.write(format === 'json' ? json : format === 'bench' ? formatLiveBench(res.report) : formatLiveSummary(res.report));
          for (const w of res.loadgen.warnings) log(`warning: ${w}`);
          if (!res.integrity.exact) log(`warning: MySQL does not hold exactly the confirmed predictions: ${JSON.stringify(res.integrity)}`);
        } catch (err) {
          if (err instanceof LiveRunAborted) {
            log(err.message);
            process.exitCode = 130;
            return;
          }
          throw err;
        }
      });
    });
}
