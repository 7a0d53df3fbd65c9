import seedrandom from 'seedrandom';
import { LoopDelayMonitor } from '../loopdelay.ts';
import { bytesOf, startLagTicker } from './ticker.ts';
import { decodeHistogram, encodeHistogram, mergeHistograms, newHistogram, summaryOf, type Histogram } from './hdr.ts';
import { VirtualUser, type RegionRecorder, type RunControl, type UserPath, type UserScenario } from './vuser.ts';
import type { ClientPathSpec } from './clientpath.ts';
import { checkLink, checkSetupRtts } from '../proxy/proxy.ts';
import { SEED_POOL } from '../server/store.ts';

/**
 * Where the users of one client region connect: a latency proxy standing for their path, or the
 * server itself with `path`, the path the generator then emulates on its own (clientpath.ts).
 */
export interface LoadgenTarget {
  region: string;
  url: string;
  users: number;
  path?: ClientPathSpec;
}

/** What the load generator runs; durations in ms. See LOADGEN_DEFAULTS. */
export interface LoadgenOptions {
  targets: LoadgenTarget[];
  /** whole run from the first connection to the stop signal, ms (ramp included, as in the thesis) */
  durationMs: number;
  /** new connections per second over all regions (thesis: 15 machines × 8 regions × 1/s = 120) */
  rampPerSecond: number;
  /** think times are divided by this (10 = ten times more requests per user per second) */
  timeScale: number;
  seed: string;
  /** mean time between forced disconnects per user, ms (null = none) */
  reconnectMeanMs: number | null;
  /** after the stop, how long unconfirmed predictions may keep retrying, ms */
  drainTimeoutMs: number;
  /** keep the ids of confirmed predictions in the result (for loss checks) */
  collectIds: boolean;
  /** first user id (several load generators use disjoint ranges) */
  userIdBase: number;
  /** width of the request-latency time series buckets, ms */
  seriesBucketMs: number;
  /** progress callback, once a second */
  onTick?: (t: LoadgenTick) => void;
}

/** Documented defaults (SYSTEM.md §2: think uniform(1, 15) s first, then uniform(1, 30) s). */
export const LOADGEN_DEFAULTS = {
  rampPerSecond: 120,
  timeScale: 1,
  seed: 'live',
  reconnectMeanMs: null,
  drainTimeoutMs: 30_000,
  collectIds: false,
  userIdBase: 1,
  seriesBucketMs: 5000,
  thinkFirstMs: [1000, 15_000] as const,
  thinkLoopMs: [1000, 30_000] as const,
  /** the study's client: one attempt, a socket error is a failure, no connect timeout (SYSTEM.md §2) */
  maxConnectAttempts: 1,
} as const;

/** Own event-loop lag (p99 over a second) above which the generator, not the server, may be the bottleneck, ms. */
export const LOADGEN_LAG_LIMIT_MS = 10;

/** Progress once a second: elapsed ms, users connected, requests sent, predictions confirmed, own loop lag. */
export interface LoadgenTick {
  elapsedMs: number;
  connected: number;
  requests: number;
  confirmed: number;
  /** messages sent and received so far (a request and its answer are two, a pushed update one) */
  messages: number;
  loopP99Ms: number;
  /** bytes the users' sockets sent and read so far, when the generator emulates their paths */
  bytes?: { up: number; down: number };
}

/** One region's results, histograms encoded (JSON-safe and mergeable across generators). */
export interface LoadgenRegionResult {
  region: string;
  users: number;
  connected: number;
  failed: number;
  /** handshakes launched but neither open nor failed when the run ended: killed mid-handshake */
  pending: number;
  reconnects: number;
  requests: number;
  confirmed: number;
  confirmedDuplicate: number;
  abandoned: number;
  broadcastsReceived: number;
  errors: Record<string, number>;
  handshake: string;
  request: string;
  requestRaw: string;
  broadcast: string;
  /** request latency by completion time: [bucket start s, count, mean ms, max ms] */
  series: [number, number, number, number][];
}

/** How one generator process kept up: its own event-loop lag per second, message rate. */
export interface GeneratorHealth {
  loopLagP99Ms: number[];
  loopLagMaxMs: number;
  messagesPerSecond: number;
  /** seconds whose lag p99 exceeded LOADGEN_LAG_LIMIT_MS */
  secondsOverLimit: number;
}

/** Everything one generator measured; JSON-safe, histograms encoded so results merge exactly. */
export interface LoadgenResult {
  startedAtMs: number;
  durationMs: number;
  timeScale: number;
  regions: LoadgenRegionResult[];
  /** event-loop lag of the generator per second: p99 ms */
  loopLagP99Ms: number[];
  loopLagMaxMs: number;
  /** messages sent + received per second at the generator, averaged over the load phase */
  messagesPerSecond: number;
  warnings: string[];
  /** each generator's health when several were merged (merge.ts) */
  generators?: GeneratorHealth[];
  confirmedIds?: string[];
  abandonedIds?: string[];
}

/** Interleaves the regions' users so the ramp brings every region up at the same pace. */
function schedule(targets: LoadgenTarget[]): { t: LoadgenTarget; k: number }[] {
  const out: { t: LoadgenTarget; k: number }[] = [];
  const max = Math.max(0, ...targets.map((t) => t.users));
  for (let k = 0; k < max; k++) for (const t of targets) if (k < t.users) out.push({ t, k });
  return out;
}

function check(o: LoadgenOptions): void {
  if (!o.targets.length) throw new RangeError('targets must not be empty');
  for (const t of o.targets) if (!(Number.isInteger(t.users) && t.users >= 0)) throw new RangeError(`targets.${t.region}.users must be an integer >= 0 (got ${t.users})`);
  if (!(o.durationMs > 0)) throw new RangeError(`durationMs must be > 0 (got ${o.durationMs})`);
  if (!(o.rampPerSecond > 0)) throw new RangeError(`rampPerSecond must be > 0 (got ${o.rampPerSecond})`);
  if (!(o.timeScale > 0)) throw new RangeError(`timeScale must be > 0 (got ${o.timeScale})`);
  for (const t of o.targets) {
    if (!t.path) continue;
    checkLink(t.path.up, `targets.${t.region}.path.up`);
    checkLink(t.path.down, `targets.${t.region}.path.down`);
    checkSetupRtts(t.path.setupRtts, `targets.${t.region}.path.setupRtts`);
  }
}

/** The study's scenario at this run's time scale, on the seeded pool. */
function scenarioOf(opts: LoadgenOptions): UserScenario {
  return {
    gameId: SEED_POOL.gameId, poolId: SEED_POOL.id, outcomes: SEED_POOL.outcomes,
    thinkFirstMs: [LOADGEN_DEFAULTS.thinkFirstMs[0] / opts.timeScale, LOADGEN_DEFAULTS.thinkFirstMs[1] / opts.timeScale],
    thinkLoopMs: [LOADGEN_DEFAULTS.thinkLoopMs[0] / opts.timeScale, LOADGEN_DEFAULTS.thinkLoopMs[1] / opts.timeScale],
    reconnectMeanMs: opts.reconnectMeanMs, seriesBucketMs: opts.seriesBucketMs, maxConnectAttempts: LOADGEN_DEFAULTS.maxConnectAttempts,
  };
}

/** One empty recorder per client region of the targets. */
function recordersOf(targets: LoadgenOptions['targets']): Map<string, RegionRecorder> {
  const recs = new Map<string, RegionRecorder>();
  for (const t of targets) {
    recs.set(t.region, {
      region: t.region, handshake: newHistogram(), request: newHistogram(), requestRaw: newHistogram(), broadcast: newHistogram(),
      connected: 0, failed: 0, pending: 0, reconnects: 0, requests: 0, errors: {}, confirmed: 0, confirmedDuplicate: 0, abandoned: 0, broadcastsReceived: 0, series: new Map(),
    });
  }
  return recs;
}

/**
 * The raw result of a finished run: per region its counts and encoded histograms, the
 * generator's own lag and throughput over the load phase (`loadS`, counts `before` the drain),
 * and the warnings.
 */
function resultOf(
  opts: LoadgenOptions, recs: Map<string, RegionRecorder>, ctl: RunControl,
  run: { startedAtMs: number; loadS: number; before: { requests: number; received: number }; lagP99: number[]; lagMax: number },
): LoadgenResult {
  const { startedAtMs, loadS, before, lagP99, lagMax } = run;
  // each request is two messages (request, answer), each received broadcast one
  const messagesPerSecond = (2 * before.requests + before.received) / loadS;
  const warnings: string[] = [];
  const over = lagP99.filter((x) => x > LOADGEN_LAG_LIMIT_MS).length;
  if (over > 0) warnings.push(lagWarning(over, lagP99.length));
  const regions: LoadgenRegionResult[] = [];
  for (const [, r] of recs) {
    const t = opts.targets.find((x) => x.region === r.region)!;
    if (r.abandoned) warnings.push(`${r.region}: ${r.abandoned} predictions were never confirmed before the drain deadline`);
    regions.push({
      region: r.region, users: t.users, connected: r.connected, failed: r.failed, pending: r.pending, reconnects: r.reconnects, requests: r.requests,
      confirmed: r.confirmed, confirmedDuplicate: r.confirmedDuplicate, abandoned: r.abandoned, broadcastsReceived: r.broadcastsReceived, errors: r.errors,
      handshake: encodeHistogram(r.handshake), request: encodeHistogram(r.request), requestRaw: encodeHistogram(r.requestRaw), broadcast: encodeHistogram(r.broadcast),
      series: [...r.series.entries()].sort((a, b) => a[0] - b[0]).map(([b, [n, sum, max]]) => [(b * opts.seriesBucketMs) / 1000, n, sum / n, max]),
    });
  }
  return {
    startedAtMs, durationMs: opts.durationMs, timeScale: opts.timeScale, regions, loopLagP99Ms: lagP99, loopLagMaxMs: lagMax, messagesPerSecond, warnings,
    ...(opts.collectIds ? { confirmedIds: ctl.confirmedIds, abandonedIds: ctl.abandonedIds } : {}),
  };
}

/**
 * Runs the virtual users of the benchmark scenario against the targets and returns what they
 * measured. Stops on its own after `durationMs` (then drains), or early when `signal` aborts.
 * Throws RangeError for invalid options.
 */
export async function runLoadgen(opts: LoadgenOptions, signal?: AbortSignal): Promise<LoadgenResult> {
  check(opts);
  const sc = scenarioOf(opts);
  const recs = recordersOf(opts.targets);
  const t0 = performance.now();
  const ctl: RunControl = { t0, endsAt: t0 + opts.durationMs, stopping: false, aborted: false, collectIds: opts.collectIds, confirmedIds: [], abandonedIds: [] };
  const startedAtMs = Date.now();
  const loop = new LoopDelayMonitor();
  // one draw stream per emulated path, as a proxy has (orchestrate.ts seeds it alike)
  const paths = new Map<string, UserPath>(opts.targets.filter((t) => t.path).map((t) => [t.region, { spec: t.path!, rng: seedrandom(`${opts.seed}/client/${t.region}`), stats: { lost: 0 } }]));
  const users: VirtualUser[] = [];
  const lag = startLagTicker(loop, recs, ctl, opts, () => (paths.size ? bytesOf(users) : undefined));
  const total = lag.total;
  const runs: Promise<void>[] = [];
  const order = schedule(opts.targets);
  for (let i = 0; i < order.length; i++) {
    const { t } = order[i];
    const rng = seedrandom(`${opts.seed}/${t.region}/${order[i].k}`);
    const u = new VirtualUser(opts.userIdBase + i, t.url, recs.get(t.region)!, sc, ctl, rng, paths.get(t.region) ?? null);
    users.push(u);
    runs.push(u.run((i * 1000) / opts.rampPerSecond));
  }

  // The run ends as the study's did: the clients are killed at the run's length, so a handshake
  // still in progress then is neither connected nor failed (pending) and is cut here.
  const stop = () => {
    if (ctl.stopping) return;
    ctl.stopping = true;
    for (const u of users) {
      if (u.handshakePending()) {
        u.region.pending++;
        u.close();
      } else u.interrupt();
    }
  };
  const stopTimer = setTimeout(stop, opts.durationMs);
  const onAbort = () => {
    stop();
    ctl.aborted = true;
    for (const u of users) u.close();
  };
  signal?.addEventListener('abort', onAbort);
  let loadEnd = 0;
  const stopped = new Promise<void>((r) => {
    const check = setInterval(() => {
      if (ctl.stopping) {
        clearInterval(check);
        loadEnd = performance.now();
        r();
      }
    }, 20);
  });
  await stopped;
  const before = total();
  const drained = Promise.all(runs);
  let drainTimer: NodeJS.Timeout | undefined;
  await Promise.race([drained, new Promise<void>((r) => { drainTimer = setTimeout(r, opts.drainTimeoutMs); })]);
  clearTimeout(drainTimer);
  ctl.aborted = true;
  for (const u of users) u.close();
  await drained;
  clearTimeout(stopTimer);
  clearInterval(lag.ticker);
  signal?.removeEventListener('abort', onAbort);
  loop.stop();

  return resultOf(opts, recs, ctl, { startedAtMs, loadS: Math.max(0.001, (loadEnd - ctl.t0) / 1000), before, lagP99: lag.lagP99, lagMax: lag.lagMax() });
}

/** The warning of a generator whose own lag passed the limit in `over` of `seconds` seconds. */
export function lagWarning(over: number, seconds: number): string {
  return `load generator event-loop lag p99 exceeded ${LOADGEN_LAG_LIMIT_MS} ms in ${over} of ${seconds} seconds: latencies may reflect the generator, not the server; use fewer users per generator or more generators`;
}

/** Decoded histograms of a region result (or of several merged). */
export function regionHistograms(rs: LoadgenRegionResult[]): { handshake: Histogram; request: Histogram; requestRaw: Histogram; broadcast: Histogram } {
  return {
    handshake: mergeHistograms(rs.map((r) => decodeHistogram(r.handshake))),
    request: mergeHistograms(rs.map((r) => decodeHistogram(r.request))),
    requestRaw: mergeHistograms(rs.map((r) => decodeHistogram(r.requestRaw))),
    broadcast: mergeHistograms(rs.map((r) => decodeHistogram(r.broadcast))),
  };
}

export { summaryOf };
