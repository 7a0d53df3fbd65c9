import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BUILT_IN_ARCHITECTURES, DB_MODES } from '../model/architecture.ts';
import { UserError, invalid } from '../model/errors.ts';
import type { RttMatrix } from '../model/network.ts';
import { CLIENT_REGION_IDS, findRegion } from '../model/regions.ts';
import {
  parseDbMode, parseDurationMs, parseFraction, parseHostPort, parseNonNegativeInt, parsePort, parsePositive, parsePositiveInt, parseRegion, parseWindowCheck,
} from './args.ts';

/** One line on stderr, prefixed, for progress and notices. */
const log = (line: string) => process.stderr.write(`sim live: ${line}\n`);

function writeOut(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new UserError('FILE_UNREADABLE', `--out ${path} cannot be written (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Runs `fn` with an AbortSignal wired to Ctrl-C / SIGTERM; sets exit code 130 when interrupted. */
async function interruptible(fn: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const ac = new AbortController();
  const onSignal = () => {
    log('stopping (interrupt received) ...');
    ac.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await fn(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

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
  rttMatrix?: string; routeFactor?: string; jitter: string; loss: boolean; reconnectEvery?: string; restartAt?: string; maxProcesses?: string;
  regions?: string; out?: string; format: string; drain: string; privateServices: boolean;
}

/** Registers `sim live run|server|proxy|loadgen`; heavy modules load inside the actions. */
export function register(program: Command): void {
  const live = program
    .command('live')
    .summary('run the real system locally (ws + Redis + MySQL) with regions emulated, and measure it')
    .description(
      'The real prediction-market WebSocket server, latency proxies standing for the network between regions, ' +
        'and a load generator that measures like the thesis\'s clients. `live run` does it all and writes a Report; ' +
        '`live server`, `live proxy` and `live loadgen` run the parts separately (e.g. on several machines). ' +
        'Uses REDIS_URL / MYSQL_URL when set, else 127.0.0.1:6379 and root@127.0.0.1:3306, else private instances.',
    );

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
    .option('--rtt-matrix <file>', 'measured RTT matrix JSON {"<region>": {"<region>": ms}} instead of the Leighton prior')
    .option('--route-factor <f>', 'multiply the Leighton prior RTTs by f (real routes are longer)')
    .option('--jitter <fraction>', 'jitter of each one-way delay, as a fraction of it', '0')
    .option('--loss', 'inject the Leighton loss rate as retransmission delay', false)
    .option('--reconnect-every <d>', 'force each client to drop its connection on average this often (tests retries)')
    .option('--restart-at <d>', 'kill the server processes at this time into the run and start them again')
    .option('--max-processes <n>', 'cap the processes per server group (this machine has few cores)')
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
    ].join('\n'))
    .action(async (f: RunFlags) => {
      const format = f.format;
      if (!['table', 'json', 'bench'].includes(format)) throw invalid('--format', format, 'must be one of table, json, bench');
      const users = parsePositiveInt('--users', f.users);
      const durationMs = parseDurationMs('--duration', f.duration);
      const opts = {
        users, durationMs,
        dbMode: f.dbMode === undefined ? undefined : parseDbMode('--db-mode', f.dbMode),
        windowCheck: f.windowCheck === undefined ? undefined : parseWindowCheck('--window-check', f.windowCheck),
        timeScale: parsePositive('--time-scale', f.timeScale),
        rampPerSecond: parsePositive('--ramp', f.ramp),
        seed: f.seed,
        routeFactor: f.routeFactor === undefined ? undefined : parsePositive('--route-factor', f.routeFactor),
        jitterFraction: parseFraction('--jitter', f.jitter),
        loss: !!f.loss,
        reconnectMeanMs: f.reconnectEvery === undefined ? null : parseDurationMs('--reconnect-every', f.reconnectEvery),
        restartAtMs: f.restartAt === undefined ? null : parseDurationMs('--restart-at', f.restartAt),
        maxProcessesPerGroup: f.maxProcesses === undefined ? undefined : parsePositiveInt('--max-processes', f.maxProcesses),
        clientRegions: f.regions === undefined ? undefined : f.regions.split(',').map((r) => parseRegion('--regions', r.trim())),
        drainTimeoutMs: parseDurationMs('--drain', f.drain),
        privateServices: !!f.privateServices,
      };
      if (opts.restartAtMs !== null && opts.restartAtMs >= durationMs) throw invalid('--restart-at', f.restartAt, `must be before the end of the run (${f.duration})`);
      const { loadArchitecture, readJsonFile } = await import('../model/load.ts');
      const arch = loadArchitecture(f.arch);
      const matrix = f.rttMatrix === undefined ? undefined : parseMatrix(readJsonFile(f.rttMatrix, 'RTT matrix'), f.rttMatrix);
      const { runLive, LiveRunAborted } = await import('./run/orchestrate.ts');
      const { formatLiveSummary, formatLiveBench } = await import('./run/summary.ts');
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

  live
    .command('server')
    .summary('run one group of WebSocket server processes sharing a port')
    .option('--port <port>', 'port to listen on (0 = any)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--processes <n>', 'processes sharing the port round-robin', '2')
    .option('--db-mode <mode>', `database driver: ${DB_MODES.join(', ')}`, 'async')
    .option('--window-check <c>', 'broadcast window check: atomic or racy', 'atomic')
    .option('--window <d>', 'broadcast window per pool', '3s')
    .option('--region <id>', 'region this group stands for', 'eu-west-1')
    .option('--prefix <p>', 'prefix of every Redis key and channel', 'simlive:')
    .option('--redis-read <host:port>', 'Redis for reads (e.g. a proxy); default REDIS_URL or 127.0.0.1:6379')
    .option('--mysql-read <host:port>', 'MySQL for reads (e.g. a proxy); default MYSQL_URL or 127.0.0.1:3306')
    .option('--redis-write <host:port>', 'Redis for writes; default as reads')
    .option('--mysql-write <host:port>', 'MySQL for writes; default as reads')
    .option('--admin-port <port>', 'port of the GET /metrics endpoint (0 = any)', '0')
    .action(async (f: Record<string, string>) => {
      const { parseMysqlUrl, parseRedisUrl, DEFAULT_MYSQL_URL, DEFAULT_REDIS_URL } = await import('./endpoints.ts');
      const redis = parseRedisUrl(process.env.REDIS_URL ?? DEFAULT_REDIS_URL);
      const mysql = parseMysqlUrl(process.env.MYSQL_URL ?? DEFAULT_MYSQL_URL);
      const at = <T extends { host: string; port: number }>(base: T, flag: string, v?: string): T => (v ? { ...base, ...parseHostPort(flag, v) } : base);
      const redisRead = at(redis, '--redis-read', f.redisRead);
      const mysqlRead = at(mysql, '--mysql-read', f.mysqlRead);
      const endpoints = { redisRead, mysqlRead, redisWrite: at(redisRead, '--redis-write', f.redisWrite), mysqlWrite: at(mysqlRead, '--mysql-write', f.mysqlWrite) };
      const { startServerHost } = await import('./server/host.ts');
      const region = parseRegion('--region', f.region);
      const host = await startServerHost([{
        group: region, region, host: f.host, port: parsePort('--port', f.port), processes: parsePositiveInt('--processes', f.processes),
        mode: parseDbMode('--db-mode', f.dbMode), windowCheck: parseWindowCheck('--window-check', f.windowCheck), windowMs: parseDurationMs('--window', f.window),
        endpoints, keyPrefix: f.prefix,
      }], { adminPort: parsePort('--admin-port', f.adminPort) }).catch((err) => {
        throw new UserError('LIVE_SERVICE', `server could not start: ${(err as Error).message}`);
      });
      const g = host.groups[0];
      log(`serving ws://${f.host}:${g.port}/ with ${g.processes} processes; metrics at http://127.0.0.1:${host.adminPort}/metrics; Ctrl-C stops`);
      await interruptible((signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => void host.close().then(resolve))));
    });

  live
    .command('proxy')
    .summary('relay TCP with the delay of a path between two regions')
    .requiredOption('--target <host:port>', 'where to relay to')
    .option('--listen <port>', 'port to listen on (0 = any)', '0')
    .option('--rtt <ms>', 'round-trip time to add (half each way)')
    .option('--from <region>', 'take the RTT from the model between two regions: from ...')
    .option('--to <region>', '... to')
    .option('--route-factor <f>', 'multiply the Leighton prior by f', '1')
    .option('--jitter <ms>', 'jitter of each one-way delay, ms', '0')
    .option('--loss <p>', 'probability per chunk of a retransmission delay', '0')
    .option('--seed <s>', 'seed of jitter and loss draws', 'proxy')
    .option('--setup-rtts <n>', 'round trips a new connection pays before its first byte (TCP 1, + TLS 2)', '0')
    .action(async (f: Record<string, string>) => {
      const target = parseHostPort('--target', f.target);
      let rttMs: number;
      if (f.rtt !== undefined) {
        rttMs = Number(f.rtt);
        if (!(rttMs >= 0)) throw invalid('--rtt', f.rtt, 'must be a number of ms >= 0');
      } else if (f.from && f.to) {
        const { pathBetween } = await import('../model/network.ts');
        rttMs = pathBetween(findRegion(parseRegion('--from', f.from))!, findRegion(parseRegion('--to', f.to))!, { routeFactor: parsePositive('--route-factor', f.routeFactor) }).rttMs;
      } else throw invalid('--rtt', undefined, 'or --from and --to must be given');
      const jitterMs = Number(f.jitter);
      if (!(jitterMs >= 0)) throw invalid('--jitter', f.jitter, 'must be a number of ms >= 0');
      const loss = parseFraction('--loss', f.loss);
      const { retransmissionTimeoutMs } = await import('../model/network.ts');
      const { startProxy } = await import('./proxy/proxy.ts');
      const l = { delayMs: rttMs / 2, jitterMs, loss, rtoMs: retransmissionTimeoutMs(rttMs, jitterMs) };
      const setupRtts = parseNonNegativeInt('--setup-rtts', f.setupRtts);
      const p = await startProxy({ name: 'proxy', listenPort: parsePort('--listen', f.listen), targetHost: target.host, targetPort: target.port, up: l, down: { ...l }, seed: f.seed, setupRtts });
      log(`127.0.0.1:${p.port} -> ${target.host}:${target.port}, RTT ${rttMs.toFixed(1)} ms (+ jitter ${jitterMs} ms, loss ${loss}); Ctrl-C stops`);
      await interruptible((signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => void p.close().then(resolve))));
      log(`relayed ${JSON.stringify(p.stats())}`);
    });

  live
    .command('loadgen')
    .summary('run virtual users against WebSocket endpoints and report like WebSocket-bench')
    .option('--connect <ws-url>', 'the server (or its proxy) every client region of the benchmark connects to: users are split over the eight regions')
    .option('--url <ws-url>', 'endpoint for all users (region eu-west-1)')
    .option('--target <region=url...>', 'endpoint per client region, repeatable: --target ap-southeast-2=ws://127.0.0.1:9000/')
    .option('--users <n>', 'virtual users, split evenly over the targets', '200')
    .option('--duration <d>', 'run length from the first connection', '60s')
    .option('--time-scale <x>', 'divide think times by x', '1')
    .option('--ramp <per s>', 'new connections per second', '120')
    .option('--seed <s>', 'seed of think times', 'live')
    .option('--reconnect-every <d>', 'force each user to drop its connection on average this often')
    .option('--user-id-base <n>', 'first user id (several generators use disjoint ranges)', '1')
    .option('--drain <d>', 'after the run, how long unconfirmed predictions may keep retrying', '30s')
    .option('--out <file>', 'write the raw result (encoded HDR histograms, mergeable with `sim live merge`) as JSON')
    .option('--format <bench|json>', 'what to print on stdout', 'bench')
    .addHelpText('after', [
      '',
      'Several machines (or processes) driving one server: give each its own --user-id-base and --seed,',
      'write each raw result with --out, and merge them exactly with `sim live merge`:',
      '  sim live loadgen --connect ws://10.0.0.5:8080/ --users 12000 --duration 10m --user-id-base 1 --seed a --out a.json',
      '  sim live loadgen --connect ws://10.0.0.5:8080/ --users 12000 --duration 10m --user-id-base 12001 --seed b --out b.json',
      '  sim live merge a.json b.json --out all.json',
    ].join('\n'))
    .action(async (f: Record<string, string | string[] | undefined>) => {
      const str = (k: string) => f[k] as string;
      const targets: { region: string; url: string }[] = [];
      const list = ([] as string[]).concat((f.target as string[] | string | undefined) ?? []);
      for (const t of list) {
        const i = t.indexOf('=');
        if (i < 0) throw invalid('--target', t, 'must be region=ws://host:port/');
        targets.push({ region: parseRegion('--target', t.slice(0, i)), url: t.slice(i + 1) });
      }
      if (f.url) targets.push({ region: CLIENT_REGION_IDS[0], url: str('url') });
      if (f.connect) {
        if (targets.length) throw invalid('--connect', f.connect, 'cannot be combined with --url or --target');
        for (const region of CLIENT_REGION_IDS) targets.push({ region, url: str('connect') });
      }
      if (!targets.length) throw invalid('--connect', undefined, 'or --url or at least one --target must be given');
      for (const t of targets) if (!/^wss?:\/\//.test(t.url)) throw invalid('--target', t.url, 'must be a ws:// or wss:// URL');
      const format = str('format');
      if (!['bench', 'json'].includes(format)) throw invalid('--format', format, 'must be bench or json');
      const users = parsePositiveInt('--users', str('users'));
      const per = targets.map((_, i) => Math.floor(users / targets.length) + (i < users % targets.length ? 1 : 0));
      const { runLoadgen, LOADGEN_DEFAULTS } = await import('./loadgen/loadgen.ts');
      const { formatLoadgenBench } = await import('./loadgen/benchreport.ts');
      await interruptible(async (signal) => {
        const res = await runLoadgen({
          ...LOADGEN_DEFAULTS, targets: targets.map((t, i) => ({ ...t, users: per[i] })), durationMs: parseDurationMs('--duration', str('duration')),
          timeScale: parsePositive('--time-scale', str('timeScale')), rampPerSecond: parsePositive('--ramp', str('ramp')), seed: str('seed'),
          reconnectMeanMs: f.reconnectEvery ? parseDurationMs('--reconnect-every', str('reconnectEvery')) : null,
          userIdBase: parseNonNegativeInt('--user-id-base', str('userIdBase')), drainTimeoutMs: parseDurationMs('--drain', str('drain')),
          onTick: (t) => { if (Math.round(t.elapsedMs / 1000) % 10 === 0) log(`t=${Math.round(t.elapsedMs / 1000)}s connected ${t.connected}, requests ${t.requests}, lag p99 ${t.loopP99Ms.toFixed(1)} ms`); },
        }, signal);
        if (f.out) writeOut(str('out'), `${JSON.stringify(res)}\n`);
        process.stdout.write(format === 'json' ? `${JSON.stringify(res, null, 2)}\n` : formatLoadgenBench(res));
        const lag = [...res.loopLagP99Ms].sort((a, b) => a - b);
        log(`generator: ${res.messagesPerSecond.toFixed(0)} messages/s; own event-loop lag p99 per second: median ${(lag[Math.floor(lag.length / 2)] ?? 0).toFixed(1)} ms, max ${(lag[lag.length - 1] ?? 0).toFixed(1)} ms`);
        for (const w of res.warnings) log(`warning: ${w}`);
      });
    });

  live
    .command('merge')
    .summary('merge the raw results of several load generators exactly (counts add, HDR histograms merge)')
    .argument('<files...>', 'raw results written by `sim live loadgen --out`')
    .option('--out <file>', 'write the merged raw result as JSON')
    .option('--format <bench|json>', 'what to print on stdout', 'bench')
    .addHelpText('after', '\nExample:\n  sim live merge sydney.json ireland.json --out all.json --format bench')
    .action(async (files: string[], f: { out?: string; format: string }) => {
      if (!['bench', 'json'].includes(f.format)) throw invalid('--format', f.format, 'must be bench or json');
      const { mergeLoadgenResults, readLoadgenResult } = await import('./loadgen/merge.ts');
      const { formatLoadgenBench } = await import('./loadgen/benchreport.ts');
      const merged = mergeLoadgenResults(files.map(readLoadgenResult));
      if (f.out) writeOut(f.out, `${JSON.stringify(merged)}\n`);
      process.stdout.write(f.format === 'json' ? `${JSON.stringify(merged, null, 2)}\n` : formatLoadgenBench(merged));
      const sum = (k: 'users' | 'connected' | 'failed' | 'pending' | 'requests' | 'broadcastsReceived') => merged.regions.reduce((s, r) => s + (r[k] ?? 0), 0);
      log(`merged ${files.length} results: ${sum('users')} users, ${sum('connected')} connected, ${sum('failed')} failed, ${sum('pending')} pending, ${sum('requests')} requests, ${sum('broadcastsReceived')} updates received`);
      for (const w of merged.warnings) log(`warning: ${w}`);
    });
}
