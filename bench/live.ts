import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tsLoaderArgs } from '../live/spawn.ts';
import type { CaseResult, Target } from './cases.ts';
import { peakRssBytes } from './machine.ts';
import type { ClientPathSpec } from '../live/loadgen/clientpath.ts';

/**
 * The live parts alone, each against a minimal peer in another process (bench/livePeer.ts), so
 * the CPU measured is the part's own:
 * - live-loadgen: the load generator (live/loadgen/loadgen.ts) at the study's pace against a server that
 *   answers at once and pushes an update to every user every 3 s; live-loadgen-paths: the same
 *   with every region's path to the baseline's server made in the generator (`--client-network loadgen`);
 * - live-proxy: the latency proxy (live/proxy/proxy.ts) relaying small messages at a fixed delay;
 * Figures are taken over a window after the ramp, from this process's CPU time.
 */

/** Users of the load-generator case: half the study's 24,000, what each of two generators carries. */
export const LOADGEN_CASE = { users: 12_000, rampPerSecond: 3000, pushEveryMs: 3000, warmS: 22, windowS: 20 } as const;
/** The proxy case: round trip, connections, messages per second (each is a chunk up and a chunk down). */
export const PROXY_CASE = { rttMs: 50, connections: 400, perSecond: 5000, directS: 5, windowS: 15 } as const;

interface Peer {
  proc: ChildProcess;
  next<T>(type: string): Promise<T>;
  stop(): void;
}

function forkPeer(args: string[]): Peer {
  const proc = fork(fileURLToPath(new URL('./livePeer.ts', import.meta.url)), args, { execArgv: tsLoaderArgs(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: { type: string }[] = [];
  const waiters: { type: string; resolve: (m: unknown) => void }[] = [];
  proc.on('message', (m: { type: string }) => {
    const w = waiters.findIndex((x) => x.type === m.type);
    if (w >= 0) waiters.splice(w, 1)[0].resolve(m);
    else queue.push(m);
  });
  return {
    proc,
    next<T>(type: string) {
      const i = queue.findIndex((x) => x.type === type);
      if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0] as T);
      return new Promise<T>((resolve, reject) => {
        waiters.push({ type, resolve: resolve as (m: unknown) => void });
        proc.once('exit', (code) => reject(new Error(`bench peer ${args[0]} exited (${code}) before ${type}`)));
      });
    },
    stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
    },
  };
}

function target(what: string, kind: 'min' | 'max', limit: number, value: number | null, unit: string): Target {
  const pass = value !== null && Number.isFinite(value) && (kind === 'min' ? value >= limit : value <= limit);
  return { what, kind, limit, value, unit, pass };
}

const cpuUs = (u: NodeJS.CpuUsage) => u.user + u.system;
const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The client paths of the baseline's placement, as `sim live run --client-network loadgen` gives its generators. */
async function baselinePaths(): Promise<Map<string, ClientPathSpec>> {
  const { loadArchitecture } = await import('../model/load.ts');
  const { planLive } = await import('../live/run/plan.ts');
  const { clientPathOf } = await import('../live/run/clientpaths.ts');
  const plan = planLive(loadArchitecture('baseline'), { jitterFraction: 0, loss: false });
  return new Map(plan.routes.map((r) => [r.clientRegion, clientPathOf(r.path)]));
}

/**
 * The load generator alone at the study's pace: messages per core-second, own loop lag; with
 * `paths`, each region's users also carry their path to the server (the generator delays their
 * sends and dates their receipts).
 */
export async function runLoadgenCase(paths = false): Promise<CaseResult> {
  const { runLoadgen, LOADGEN_DEFAULTS } = await import('../live/loadgen/loadgen.ts');
  const { LoopDelayMonitor } = await import('../live/loopdelay.ts');
  const { CLIENT_REGION_IDS } = await import('../model/regions.ts');
  const c = LOADGEN_CASE;
  const name = paths ? 'live-loadgen-paths' : 'live-loadgen';
  const pathOf = paths ? await baselinePaths() : new Map<string, ClientPathSpec>();
  const peer = forkPeer(['push', String(c.pushEveryMs)]);
  try {
    const { port } = await peer.next<{ port: number }>('ready');
    const url = `ws://127.0.0.1:${port}/`;
    const per = c.users / CLIENT_REGION_IDS.length;
    type Start = { cpu: NodeJS.CpuUsage; messages: number; t: number; lag: InstanceType<typeof LoopDelayMonitor> };
    type End = { cpuUs: number; messages: number; wallMs: number; lagP99Ms: number; lagMaxMs: number; connected: number };
    let start = null as Start | null;
    let end = null as End | null;
    const res = await runLoadgen({
      ...LOADGEN_DEFAULTS, targets: CLIENT_REGION_IDS.map((region) => ({ region, url, users: per, ...(pathOf.has(region) ? { path: pathOf.get(region)! } : {}) })),
      durationMs: (c.warmS + c.windowS + 1.5) * 1000, rampPerSecond: c.rampPerSecond, timeScale: 1, seed: 'bench', drainTimeoutMs: 2000,
      onTick: (t) => {
        if (!start && t.elapsedMs >= c.warmS * 1000) start = { cpu: process.cpuUsage(), messages: t.messages, t: performance.now(), lag: new LoopDelayMonitor() };
        else if (start && !end && t.elapsedMs >= (c.warmS + c.windowS) * 1000) {
          const lag = start.lag.take();
          start.lag.stop();
          end = { cpuUs: cpuUs(process.cpuUsage(start.cpu)), messages: t.messages - start.messages, wallMs: performance.now() - start.t, lagP99Ms: lag.p99Ms, lagMaxMs: lag.maxMs, connected: t.connected };
        }
      },
    });
    if (!end) return { case: name, available: false, reason: 'the measuring window did not complete', pass: false };
    const e: End = end;
    const messagesPerCoreSecond = Math.round(e.messages / (e.cpuUs / 1e6));
    const targets = [
      target('messages per core-second', 'min', 20_000, messagesPerCoreSecond, 'messages'),
      target('own event-loop lag p99 over the window', 'max', 10, e.lagP99Ms, 'ms'),
    ];
    return {
      case: name, available: true, users: c.users, connected: e.connected,
      messagesPerCoreSecond, lagP99Ms: round(e.lagP99Ms, 2), cpuUsPerMessage: round(e.cpuUs / e.messages, 2),
      messagesPerSecond: Math.round(e.messages / (e.wallMs / 1000)), lagMaxMs: round(e.lagMaxMs, 1), cpuS: round(e.cpuUs / 1e6, 3), wallS: round(e.wallMs / 1000, 3),
      failed: res.regions.reduce((s, r) => s + r.failed, 0),
      peakRssBytes: peakRssBytes(), targets, pass: targets.every((x) => x.pass),
    };
  } finally {
    peer.stop();
  }
}

/**
 * The latency proxy alone: chunks relayed per core-second at a fixed delay, and its added-delay
 * error. The proxy runs in this process; the sender/receiver (`ping`) and the echo server run in
 * two others. The error judged is the proxy's own, taken in the proxy for every chunk: write time
 * − (receive time + delay), so neither peer's loop lag counts against it. The round trip the
 * pinger sees (which includes both peers' lag and this process's lag before it reads a chunk) is
 * printed beside it, with the pinger's own lag and this process's loop lag over the window.
 */
export async function runProxyCase(): Promise<CaseResult> {
  const { startProxy, symmetricLinks } = await import('../live/proxy/proxy.ts');
  const { LoopDelayMonitor } = await import('../live/loopdelay.ts');
  const c = PROXY_CASE;
  const echo = forkPeer(['echo']);
  const pingers: Peer[] = [];
  type Done = { rtts: number[]; outOfOrder: number; sent: number; lagP99Ms: number };
  try {
    const { port: echoPort } = await echo.next<{ port: number }>('ready');
    const ping = (port: number, seconds: number) => {
      const p = forkPeer(['ping', String(port), String(c.connections), String(c.perSecond), String(seconds)]);
      pingers.push(p);
      return p;
    };
    const d = ping(echoPort, c.directS);
    const direct = await d.next<Done>('done');
    const base = quantile([...direct.rtts].sort((a, b) => a - b), 0.5);
    const proxy = await startProxy({ name: 'bench', targetHost: '127.0.0.1', targetPort: echoPort, ...symmetricLinks(c.rttMs, 0, 0, 200) });
    try {
      const p = ping(proxy.port, c.windowS);
      await p.next('connected');
      // the window: from the first message sent to the last one back (one round trip after the
      // pinger stops), so the CPU counted is relaying only, not the pinger's report over IPC
      const cpu0 = process.cpuUsage();
      const chunks0 = proxy.stats().chunks;
      const errors0 = proxy.errors.copy();
      const lag = new LoopDelayMonitor();
      const t0 = performance.now();
      await p.next('stopped');
      await new Promise((r) => setTimeout(r, c.rttMs * 2));
      const cpu = cpuUs(process.cpuUsage(cpu0)) / 1e6;
      const wallS = (performance.now() - t0) / 1000;
      const chunks = proxy.stats().chunks - chunks0;
      const errors = proxy.errors.since(errors0);
      const ownLag = lag.take();
      lag.stop();
      const via = await p.next<Done>('done');
      const roundTrip = via.rtts.map((r) => r - base - c.rttMs).sort((a, b) => a - b);
      const chunksPerCoreSecond = Math.round(chunks / cpu);
      const errP99 = errors.absQuantile(0.99);
      const targets = [
        target('chunks relayed per core-second', 'min', 40_000, chunksPerCoreSecond, 'chunks'),
        target('added-delay error p99 (|write − due| per chunk, in the proxy)', 'max', 1, errP99, 'ms'),
      ];
      return {
        case: 'live-proxy', available: true, rttMs: c.rttMs, connections: c.connections, messagesPerSecond: c.perSecond,
        chunksPerCoreSecond, addedDelayErrorP50Ms: round(errors.absQuantile(0.5), 3), addedDelayErrorP99Ms: round(errP99, 3),
        signedErrorP1Ms: round(errors.quantile(0.01), 3), signedErrorP99Ms: round(errors.quantile(0.99), 3),
        proxyLoopLagP99Ms: round(ownLag.p99Ms, 2), proxyLoopLagMaxMs: round(ownLag.maxMs, 1),
        roundTripErrorP50Ms: round(quantile(roundTrip, 0.5), 3), roundTripErrorP99Ms: round(quantile(roundTrip, 0.99), 3),
        pingerLagP99Ms: round(via.lagP99Ms, 2), directPingerLagP99Ms: round(direct.lagP99Ms, 2),
        chunks, cpuUsPerChunk: round((cpu * 1e6) / chunks, 2), lost: via.sent - via.rtts.length, outOfOrder: via.outOfOrder, directRttMedianMs: round(base, 3),
        cpuS: round(cpu, 3), wallS: round(wallS, 3),
        peakRssBytes: peakRssBytes(), targets, pass: targets.every((x) => x.pass),
      };
    } finally {
      await proxy.close();
    }
  } finally {
    for (const p of pingers) p.stop();
    echo.stop();
  }
}

/** The server case: users, think-time scale, broadcast window, measuring window. */
export const SERVER_CASE = { users: 2000, timeScale: 10, windowMs: 500, warmS: 8, windowS: 10 } as const;

/**
 * One server process (live/server/server.ts, in this process, on the local Redis and MySQL) driven by a
 * load generator in another process, once with blocking drivers and once batched: requests
 * handled and update messages pushed per core-second of the server.
 */
export async function runServerCase(): Promise<CaseResult> {
  const { DEFAULT_MYSQL_URL, DEFAULT_REDIS_URL, directEndpoints, parseMysqlUrl, parseRedisUrl } = await import('../live/endpoints.ts');
  const { ensureSchema } = await import('../live/server/store.ts');
  const { deleteKeys } = await import('../live/run/collect.ts');
  const { startServerProcess } = await import('../live/server/server.ts');
  const { forkChild } = await import('../live/children.ts');
  const { LOADGEN_CONFIG_ENV } = await import('../live/spawn.ts');
  const { LOADGEN_DEFAULTS } = await import('../live/loadgen/loadgen.ts');
  const { CLIENT_REGION_IDS } = await import('../model/regions.ts');
  const c = SERVER_CASE;
  const redis = parseRedisUrl(process.env.REDIS_URL ?? DEFAULT_REDIS_URL);
  const mysql = { ...parseMysqlUrl(process.env.MYSQL_URL ?? DEFAULT_MYSQL_URL), database: 'sim_bench' };
  try {
    await ensureSchema(mysql);
  } catch (err) {
    return { case: 'live-server', available: false, reason: `not available: MySQL at ${mysql.host}:${mysql.port} (${(err as Error).message})`, pass: false };
  }
  const figures: Record<string, number> = {};
  let wallS = 0;
  for (const mode of ['blocking', 'batched'] as const) {
    const prefix = `simbench:${process.pid}:${mode}:`;
    const server = await startServerProcess({ group: 'bench', region: 'eu-west-1', host: '127.0.0.1', port: 0, mode, windowCheck: 'atomic', windowMs: c.windowMs, endpoints: directEndpoints(redis, mysql), keyPrefix: prefix });
    const url = `ws://127.0.0.1:${server.port}/`;
    const per = c.users / CLIENT_REGION_IDS.length;
    const lg = forkChild('loadgen/loadgenMain.ts', { [LOADGEN_CONFIG_ENV]: JSON.stringify({
      ...LOADGEN_DEFAULTS, targets: CLIENT_REGION_IDS.map((region) => ({ region, url, users: per })), durationMs: (c.warmS + c.windowS + 1) * 1000,
      rampPerSecond: c.users, timeScale: c.timeScale, seed: 'bench', drainTimeoutMs: 3000, userIdBase: 1,
    }) });
    try {
      await new Promise((r) => setTimeout(r, c.warmS * 1000));
      const m0 = server.metrics();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, c.windowS * 1000));
      const m1 = server.metrics();
      const cpuS = cpuUs(process.cpuUsage(cpu0)) / 1e6;
      const w = (performance.now() - t0) / 1000;
      wallS += w;
      figures[`${mode}HandledPerCoreSecond`] = Math.round((m1.handled - m0.handled) / cpuS);
      figures[`${mode}PushedPerCoreSecond`] = Math.round((m1.broadcastsSent - m0.broadcastsSent) / cpuS);
      figures[`${mode}HandledPerSecond`] = Math.round((m1.handled - m0.handled) / w);
      figures[`${mode}PushedPerSecond`] = Math.round((m1.broadcastsSent - m0.broadcastsSent) / w);
      figures[`${mode}CpuS`] = round(cpuS, 3);
      figures[`${mode}QueueMaxDepth`] = m1.queueMaxDepth;
      await lg.waitFor(['result'], 60_000).catch(() => null);
    } finally {
      await lg.stop();
      await server.close();
      await deleteKeys(redis, prefix).catch(() => 0);
    }
  }
  return { case: 'live-server', available: true, users: c.users, timeScale: c.timeScale, windowMs: c.windowMs, ...figures, wallS: round(wallS, 3), peakRssBytes: peakRssBytes(), targets: [], pass: true };
}
