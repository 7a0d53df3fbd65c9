import type { Command } from 'commander';
import { invalid } from '../../model/errors.ts';
import { median } from '../../model/levels.ts';
import { CLIENT_REGION_IDS } from '../../model/regions.ts';
import { parseDurationMs, parseNonNegativeInt, parsePositive, parsePositiveInt, parseRegion } from '../args.ts';
import { interruptible, log, writeOut } from '../console.ts';

/** Registers `sim live loadgen`: virtual users against given endpoints (loadgen.ts), printed like WebSocket-bench. */
export function register(live: Command): void {
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
      const { runLoadgen, LOADGEN_DEFAULTS } = await import('./loadgen.ts');
      const { formatLoadgenBench } = await import('./benchreport.ts');
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
        const lag = res.loopLagP99Ms;
        log(`generator: ${res.messagesPerSecond.toFixed(0)} messages/s; own event-loop lag p99 per second: median ${(median(lag) ?? 0).toFixed(1)} ms, max ${Math.max(0, ...lag).toFixed(1)} ms`);
        for (const w of res.warnings) log(`warning: ${w}`);
      });
    });
}
