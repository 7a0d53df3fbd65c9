import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median } from '../model/levels.ts';
import type { SimInput, SimOptions, SimResult } from '../sim/input.ts';
import { machineBusyS, peakRssBytes, rssBytes } from './machine.ts';
import { runHold } from './hold.ts';
import { LOADGEN_CASE, PROXY_CASE, SERVER_CASE } from './live.ts';
import { WEBTIER_DEFAULTS, runWebtier } from './webtier.ts';

/** A figure held against a target from the issue. */
export interface Target {
  what: string;
  /** 'min': value must be >= limit; 'max': value must be <= limit */
  kind: 'min' | 'max';
  limit: number;
  value: number | null;
  unit: string;
  pass: boolean;
}

/** What one case prints as its JSON line (plus the machine, added by the harness). */
export interface CaseResult {
  case: string;
  /** false when the case cannot run yet (reason says why) */
  available: boolean;
  reason?: string;
  wallS?: number;
  peakRssBytes?: number | null;
  targets?: Target[];
  /** every target met (false when not available) */
  pass: boolean;
  [figure: string]: unknown;
}

export interface BenchCase {
  name: string;
  title: string;
  /** the `sim run` command the case stands for, when it has one */
  simCommand?: string;
  run(): Promise<CaseResult>;
}

function target(what: string, kind: 'min' | 'max', limit: number, value: number | null, unit: string): Target {
  const pass = value !== null && Number.isFinite(value) && (kind === 'min' ? value >= limit : value <= limit);
  return { what, kind, limit, value, unit, pass };
}

/** The webtier model's published figures, to check our model is the same model. */
const WEBTIER_EXPECTED = { requests: 3.56e6, meanResponseS: 0.1019, relTolerance: 0.005 };

const webtier: BenchCase = {
  name: 'webtier',
  title: 'closed web tier: 10,000 clients, 16 servers, 1 database, 3,600 s (simulator comparison)',
  async run() {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = runWebtier(WEBTIER_DEFAULTS);
    const wallS = (performance.now() - t0) / 1000;
    const cpuS = cpuSecondsSince(cpu0);
    const perSecond = Math.round(r.requests / wallS);
    const sameModel =
      Math.abs(r.requests / WEBTIER_EXPECTED.requests - 1) <= WEBTIER_EXPECTED.relTolerance &&
      Math.abs(r.meanResponseS / WEBTIER_EXPECTED.meanResponseS - 1) <= WEBTIER_EXPECTED.relTolerance;
    const targets = [target('simulated requests per wall second', 'min', 1.5e6, perSecond, 'requests/s')];
    return {
      case: 'webtier',
      available: true,
      requests: r.requests,
      meanResponseS: round(r.meanResponseS, 6),
      wallS: round(wallS, 3),
      perSecond,
      cpuS: round(cpuS, 3),
      perCpuSecond: Math.round(r.requests / cpuS),
      events: r.events,
      eventsPerS: Math.round(r.events / wallS),
      p99ResponseS: round(r.p99ResponseS, 6),
      sameModel,
      peakRssBytes: peakRssBytes(),
      targets,
      pass: sameModel && targets.every((t) => t.pass),
    };
  },
};

type Simulate = (input: SimInput, opts?: SimOptions) => SimResult;

/** Loads simulate() from sim/run.ts, or says why it cannot. */
async function loadSimulate(): Promise<Simulate | string> {
  // a computed specifier: the file is written alongside and may not exist yet
  const specifier = ['..', 'sim', 'run.ts'].join('/');
  try {
    const mod = (await import(specifier)) as { simulate?: unknown };
    if (typeof mod.simulate !== 'function') return 'not available: sim/run.ts has no simulate() yet';
    return mod.simulate as Simulate;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && /sim[\\/]run\.ts/.test(e.message)) {
      return 'not available: sim/run.ts has no simulate() yet';
    }
    return `not available: sim/run.ts failed to load (${e.message.split('\n')[0]})`;
  }
}

interface SystemFlags {
  arch: string;
  users: string;
  ramp?: string;
}

/** Runs one `sim run` configuration through simulate() and measures it. */
async function runSystem(name: string, flags: SystemFlags, targets: (r: Record<string, number | null>) => Target[]): Promise<CaseResult> {
  const simulate = await loadSimulate();
  if (typeof simulate === 'string') return { case: name, available: false, reason: simulate, pass: false };
  const { runInput, progressPrinter } = await import('../sim/cli.ts');
  const input = runInput({ duration: '90m', regions: 'uniform', seed: '1', format: 'json', progress: true, ...flags });
  const users = input.scenario.users;
  const rssBeforeBytes = rssBytes();
  const progress = progressPrinter();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { report, events } = simulate(input, { onProgress: progress.update });
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = cpuSecondsSince(cpu0);
  progress.done();
  const peak = peakRssBytes();
  const figures: Record<string, number | null> = {
    users,
    connected: report.global.connected,
    failed: report.global.failed,
    handledRequests: report.counts.handledRequests,
    requestMeanMs: report.global.request.mean,
    requestP99Ms: report.global.request.p99,
    simulatedS: report.durationS,
    wallS: round(wallS, 3),
    cpuS: round(cpuS, 3),
    events,
    eventsPerS: Math.round(events / wallS),
    peakRssBytes: peak,
    // memory the run added over the loaded program, per user
    bytesPerUser: peak !== null && rssBeforeBytes !== null ? Math.round((peak - rssBeforeBytes) / users) : null,
  };
  const t = targets(figures);
  return { case: name, available: true, ...figures, targets: t, pass: t.every((x) => x.pass) };
}

const GB = 1e9;

const thesisBaseline: BenchCase = {
  name: 'thesis-baseline',
  title: 'the 2015 benchmark: baseline, 24,000 users at 120/s, 200 s ramp + 90 min',
  simCommand: 'npx sim run --arch baseline --users 24000 --ramp 120 --duration 90m',
  run: () => runSystem('thesis-baseline', { arch: 'baseline', users: '24000', ramp: '120' }, (r) => [
    target('wall time', 'max', 5, r.wallS, 's'),
  ]),
};

const proposed1: BenchCase = {
  name: 'proposed1-1e6',
  title: 'Proposed I (blocking drivers), 10^6 users at 5,000/s, then 90 min',
  simCommand: 'npx sim run --arch proposed1 --users 1e6 --ramp 5000 --duration 90m',
  run: () => runSystem('proposed1-1e6', { arch: 'proposed1', users: '1e6', ramp: '5000' }, (r) => [
    target('wall time', 'max', 60, r.wallS, 's'),
    target('peak memory', 'max', 4 * GB, r.peakRssBytes, 'bytes'),
  ]),
};

/**
 * 10^6 users on an architecture that keeps up: bench/architectures/sustained-1e6.json, Proposed
 * I's 8 regions each made a shard with its own servers, Redis and MySQL and batched calls (one
 * Redis and one MySQL master for 10^6 users saturate under the default parameters). "Keeps up"
 * is checked, not assumed: every user connects, about the study's ~350 requests per user are
 * handled (SYSTEM.md §2; at least REQUESTS_PER_USER_FLOOR of them), and the request p99 stays
 * under a second.
 */
export const SUSTAINED_ARCH_FILE = 'bench/architectures/sustained-1e6.json';
const REQUESTS_PER_USER_STUDY = 350;
const REQUESTS_PER_USER_FLOOR = 0.85 * REQUESTS_PER_USER_STUDY;

const sustained: BenchCase = {
  name: 'sustained-1e6',
  title: '10^6 users at 5,000/s + 90 min on a sharded Proposed I that keeps up (every request served)',
  simCommand: `npx sim run --arch ${SUSTAINED_ARCH_FILE} --users 1e6 --ramp 5000 --duration 90m`,
  run: () => runSystem('sustained-1e6', { arch: fileURLToPath(new URL('../' + SUSTAINED_ARCH_FILE, import.meta.url)), users: '1e6', ramp: '5000' }, (r) => [
    target('wall time', 'max', 180, r.wallS, 's'),
    target('users connected (keeps up)', 'min', r.users ?? Infinity, r.connected, 'users'),
    target('handled requests (keeps up)', 'min', REQUESTS_PER_USER_FLOOR * (r.users ?? Infinity), r.handledRequests, 'requests'),
    target('request p99 (keeps up)', 'max', 1000, r.requestP99Ms, 'ms'),
  ]),
};

/**
 * The event queue alone (hold model) at 10^4 and 10^6 pending events, with one heap and with the
 * kernel's default (the calendar from 16,384 pending): shows what the queue's speed tricks pay.
 * No target: a reference for changes to sim/engine.
 */
const kernelHold: BenchCase = {
  name: 'kernel-hold',
  title: 'event queue alone: hold model at 10^4 and 10^6 pending, one heap vs default (calendar)',
  async run() {
    const events = 10_000_000;
    const figures: Record<string, number> = {};
    let wallS = 0;
    for (const pending of [10_000, 1_000_000]) {
      for (const [name, options] of [['heap', { calendarFrom: Infinity }], ['default', {}]] as const) {
        const r = runHold(pending, events, options);
        wallS += r.wallS;
        const key = `${name}${pending === 10_000 ? '1e4' : '1e6'}`;
        figures[`${key}EventsPerS`] = Math.round(events / r.wallS);
        figures[`${key}EventsPerCpuS`] = Math.round(events / r.cpuS);
      }
    }
    return { case: 'kernel-hold', available: true, events, ...figures, wallS: round(wallS, 3), peakRssBytes: peakRssBytes(), targets: [], pass: true };
  },
};

/**
 * A sweep on the worker-thread pool against the same cells one after another on one thread
 * (issue target: the sweep's wall time at most 0.6 × the sum of its runs' single-core times).
 * Grid: baseline, proposed1, proposed2 × 6,000 and 12,000 users × blocking, batched, 90 min.
 *
 * Both sides are measured the same way, SWEEP_ROUNDS times, alternating which goes first: the
 * reference on a fresh one-thread pool, the sweep (runSweep, as `sim sweep` runs it) on a fresh
 * pool with a thread per core. Each thread first runs the grid's first cell untimed, so thread
 * start-up and the first compilation are charged to neither side; everything after that,
 * including the compilation of the other architectures' code in every thread, is timed. The
 * target is judged on the median of the rounds' ratios; the spread is printed beside it.
 */
const SWEEP_ROUNDS = 5;

const sweep2core: BenchCase = {
  name: 'sweep-2core',
  title: 'sweep of 12 cells on the worker pool vs the same cells one by one on one thread',
  async run() {
    const simulate = await loadSimulate();
    if (typeof simulate === 'string') return { case: 'sweep-2core', available: false, reason: simulate, pass: false };
    const { runInput } = await import('../sim/cli.ts');
    const { runSweep, sweepCells } = await import('../sim/many/sweep.ts');
    const { poolRunner, defaultWorkers } = await import('../sim/many/pool.ts');
    const base = runInput({ arch: 'baseline', users: '6000', duration: '90m', regions: 'uniform', seed: '1', format: 'json', progress: false });
    const { loadArchitecture } = await import('../model/load.ts');
    const spec = {
      archs: ['baseline', 'proposed1', 'proposed2'].map(loadArchitecture),
      users: [6_000, 12_000],
      dbModes: ['blocking', 'batched'] as ('blocking' | 'batched')[],
      replications: 1,
      scenario: base.scenario,
      rampPerS: null,
      params: base.params,
      seed: 1,
    };
    const cells = sweepCells(spec);
    const workers = defaultWorkers();
    /** Runs `timed` on a fresh pool of `threads` threads, each warmed with the first cell. */
    const onFreshPool = async (threads: number, timed: (pool: ReturnType<typeof poolRunner>) => Promise<unknown>): Promise<Timed> => {
      const pool = poolRunner(threads);
      try {
        await pool.run(Array.from({ length: threads }, () => cells[0].input));
        return await timeIt(() => timed(pool));
      } finally {
        await pool.close();
      }
    };
    const reference = (): Promise<Timed> => onFreshPool(1, (one) => one.run(cells.map((c) => c.input)));
    const sweep = (): Promise<Timed> => onFreshPool(workers, (pool) => runSweep(spec, pool));
    const refs: Timed[] = [];
    const sweeps: Timed[] = [];
    for (let round = 0; round < SWEEP_ROUNDS; round++) {
      if (round % 2 === 0) {
        refs.push(await reference());
        sweeps.push(await sweep());
      } else {
        sweeps.push(await sweep());
        refs.push(await reference());
      }
    }
    const ratios = refs.map((r, i) => round(sweeps[i].wallS / r.wallS, 3));
    // SWEEP_ROUNDS rounds: the medians below are of non-empty lists
    const ratio = median(ratios)!;
    const targets = [target(`sweep wall / sum of single-thread runs (median of ${SWEEP_ROUNDS} rounds)`, 'max', 0.6, ratio, '×')];
    const med = (xs: Timed[], k: 'wallS' | 'cpuS'): number => round(median(xs.map((x) => x[k]))!, 3);
    const medOther = (xs: Timed[]): number | null => {
      const v = xs.map((x) => x.otherCpuS);
      return v.every((x): x is number => x !== null) ? round(median(v)!, 3) : null;
    };
    return {
      case: 'sweep-2core', available: true, cells: cells.length, workers, rounds: SWEEP_ROUNDS,
      sequentialS: med(refs, 'wallS'), sequentialCpuS: med(refs, 'cpuS'), wallS: med(sweeps, 'wallS'), cpuS: med(sweeps, 'cpuS'),
      ratio, ratios, ratioMin: Math.min(...ratios), ratioMax: Math.max(...ratios),
      // CPU seconds other processes took while the reference and the sweep ran: the sweep needs
      // every core, the one-thread reference only one, so other work slows the sweep alone
      otherCpuDuringSequentialS: medOther(refs), otherCpuDuringSweepS: medOther(sweeps),
      sequentialRoundsS: refs.map((r) => round(r.wallS, 3)), sweepRoundsS: sweeps.map((r) => round(r.wallS, 3)),
      peakRssBytes: peakRssBytes(), targets, pass: targets.every((t) => t.pass),
    };
  },
};

/** Wall seconds, this process's CPU seconds and other processes' CPU seconds of one timed call. */
interface Timed {
  wallS: number;
  cpuS: number;
  /** null where /proc/stat is missing */
  otherCpuS: number | null;
}

async function timeIt(f: () => Promise<unknown>): Promise<Timed> {
  const busy0 = machineBusyS();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = cpuSecondsSince(cpu0);
  const busy1 = machineBusyS();
  return { wallS, cpuS, otherCpuS: busy0 !== null && busy1 !== null ? Math.max(0, busy1 - busy0 - cpuS) : null };
}

const liveLoadgen: BenchCase = {
  name: 'live-loadgen',
  title: `live load generator alone: ${LOADGEN_CASE.users.toLocaleString('en-US')} users at the study's pace against a minimal push server`,
  run: async () => (await import('./live.ts')).runLoadgenCase(),
};

const liveLoadgenPaths: BenchCase = {
  name: 'live-loadgen-paths',
  title: `live load generator alone, making the client paths itself (--client-network loadgen): ${LOADGEN_CASE.users.toLocaleString('en-US')} users at the study's pace, each region at its aws-2016 RTT to Ireland`,
  run: async () => (await import('./live.ts')).runLoadgenCase(true),
};

const liveProxy: BenchCase = {
  name: 'live-proxy',
  title: `live latency proxy alone: ${PROXY_CASE.perSecond.toLocaleString('en-US')} messages/s over ${PROXY_CASE.connections} connections at ${PROXY_CASE.rttMs} ms RTT`,
  run: async () => (await import('./live.ts')).runProxyCase(),
};

const liveServer: BenchCase = {
  name: 'live-server',
  title: `live server process alone (local Redis and MySQL): ${SERVER_CASE.users.toLocaleString('en-US')} users at time scale ${SERVER_CASE.timeScale}, an update every ${SERVER_CASE.windowMs} ms, blocking and batched`,
  run: async () => (await import('./live.ts')).runServerCase(),
};

/** Every case, in the order `npm run bench` runs them. */
export const CASES: readonly BenchCase[] = [webtier, thesisBaseline, proposed1, sustained, sweep2core, kernelHold, liveLoadgen, liveLoadgenPaths, liveProxy, liveServer];

/**
 * CPU seconds (user + system) this process spent since `start`. On a machine shared with other
 * work this is steadier than wall time; the targets are still judged on wall time.
 */
function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
