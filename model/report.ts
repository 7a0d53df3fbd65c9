/**
 * The Report: the one contract between the simulator, the live run and the importers
 * (PRODUCT.md). Field names are fixed; a figure a source cannot know is `null`, never invented.
 * Latencies are in milliseconds, byte counts in bytes, costs in dollars per hour.
 */

/** Latency summary in ms. `count` is the number of samples; all else is null when count is 0. */
export interface Summary {
  count: number;
  min: number | null;
  mean: number | null;
  stddev: number | null;
  median: number | null;
  p50: number | null;
  p66: number | null;
  p75: number | null;
  p80: number | null;
  p90: number | null;
  p95: number | null;
  p98: number | null;
  p99: number | null;
  max: number | null;
}

export const PERCENTILE_KEYS = ['p50', 'p66', 'p75', 'p80', 'p90', 'p95', 'p98', 'p99'] as const;
export type PercentileKey = (typeof PERCENTILE_KEYS)[number];

export interface MinAvgMax {
  min: number | null;
  avg: number | null;
  max: number | null;
}

export interface RegionResult {
  /** handshakes completed (the socket opened) */
  connected: number;
  /** connections that ended in a socket error (refused, reset, timed out by the kernel) */
  failed: number;
  /**
   * connections launched but neither open nor failed when the run ended (a handshake still
   * waiting when the clients were killed); launched = connected + failed + pending
   */
  pending: number;
  handshake: Summary;
  request: Summary;
  broadcast: Summary;
}

export interface Counts {
  handledRequests: number | null;
  redisHits: number | null;
  redisMisses: number | null;
  mysqlQueries: number | null;
  broadcasts: number | null;
}

export interface InstanceResources {
  name: string;
  region: string;
  type: string;
  cores: number;
  cpu: MinAvgMax;
  memory: MinAvgMax;
  disk: MinAvgMax;
}

export interface ResourceMinute {
  /** minute index from the start of the window */
  t: number;
  cpu: number | null;
  memory: number | null;
  disk: number | null;
}

export interface NetworkMinute {
  t: number;
  inBytes: number | null;
  outBytes: number | null;
}

export interface Meters {
  crum: MinAvgMax | null;
  spm: MinAvgMax | null;
  slm: number | null;
  sec: MinAvgMax | null;
  ess: number | null;
  esr: number | null;
  [extra: string]: MinAvgMax | number | null | undefined;
}

export interface Report {
  kind: 'sim' | 'live' | 'import';
  arch: string;
  users: number;
  seed: number | null;
  durationS: number;
  params: Record<string, unknown> | null;
  regions: Record<string, RegionResult>;
  global: RegionResult;
  counts: Counts;
  resources: { instances: InstanceResources[]; perMinute: ResourceMinute[] } | null;
  network: { inBytes: number | null; outBytes: number | null; perMinute: NetworkMinute[] } | null;
  cost: { hourly: Record<string, number>; totalHourly: number } | null;
  meters: Meters | null;
  /** Plain statements a reader must know (approximations, what was not measured). Optional. */
  notes?: string[];
  /** Where the report came from: tool version, input hashes, command line. Optional. */
  provenance?: Record<string, unknown>;
  /** Extensions owned by one module (replication intervals, live run details, sweep cell, ...). Optional. */
  extra?: ReportExtra;
}

/**
 * A figure over independent replications: the mean of the replications that had it (`n`) and
 * the bounds of its confidence interval (level in {@link ReplicationCi.level}); lo and hi are
 * null when fewer than two replications had the figure, everything but n is null when none had.
 */
export interface Interval {
  mean: number | null;
  lo: number | null;
  hi: number | null;
  n: number;
}

/** Intervals of one region's figures; a stat key is any numeric Summary field (count, mean, p98, ...). */
export interface RegionCi {
  connected: Interval;
  failed: Interval;
  handshake: Record<string, Interval>;
  request: Record<string, Interval>;
  broadcast: Record<string, Interval>;
}

/** `extra.ci` of a Report whose figures are means over replications (`sim run --replications`, `sim sweep`). */
export interface ReplicationCi {
  /** coverage of every interval, 0.95 */
  level: number;
  replications: number;
  /** the seed of each replication, in replication order */
  seeds: number[];
  regions: Record<string, RegionCi>;
  global: RegionCi;
  counts: Record<string, Interval>;
}

/**
 * `extra.live` of a live run: what only a real run can tell (message integrity, the uncorrected
 * request latency, the load generator's own health). Counts are over the whole run.
 */
export interface LiveExtra {
  integrity: unknown;
  published: number;
  slowConsumers: number;
  serverErrors: number;
  restarts: number;
  /** per region: request latency without the coordinated-omission correction (ms) */
  requestUncorrected: Record<string, Summary>;
  requestSeries: Record<string, unknown>;
  clientErrors: Record<string, unknown>;
  reconnects: number;
  loadgen: LiveGeneratorHealth;
  processes: unknown;
  proxyLatenessMeanMs: number | null;
  /** the live run owns this record: later fields need no change here */
  [key: string]: unknown;
}

/** `extra.live.loadgen` of a live Report. */
export interface LiveGeneratorHealth {
  generators: number;
  messagesPerSecond: number;
  lagLimitMs: number;
  loopLagP99MaxMs: number;
  loopLagP99MedianMs: number;
  loopLagMaxMs: number;
  /** generator-seconds whose lag p99 passed the limit (summed over generators) */
  secondsOverLimit: number;
  /** generator-seconds observed (summed over generators, like secondsOverLimit) */
  seconds: number;
  /** the generator's lag passed the limit in some second: it may have been the bottleneck */
  bottleneck: boolean;
  warnings: string[];
}

/** The generator health a live Report carries, or null (not a live Report, or written before it was recorded). */
export function liveGeneratorHealth(r: Report): LiveGeneratorHealth | null {
  const h = r.extra?.live?.loadgen as Partial<LiveGeneratorHealth> | undefined;
  return r.kind === 'live' && h && typeof h.bottleneck === 'boolean' ? (h as LiveGeneratorHealth) : null;
}

/** The extensions of a Report: `ci` and `live` are typed; other modules' keys (dbMode, import, validation, ...) are free-form. */
export interface ReportExtra {
  ci?: ReplicationCi;
  live?: LiveExtra;
  [key: string]: unknown;
}

export const NULL_SUMMARY: Readonly<Summary> = Object.freeze({
  count: 0, min: null, mean: null, stddev: null, median: null, p50: null, p66: null, p75: null,
  p80: null, p90: null, p95: null, p98: null, p99: null, max: null,
});

export function emptySummary(): Summary {
  return { ...NULL_SUMMARY };
}
