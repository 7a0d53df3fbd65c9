import { UserError } from '../model/errors.ts';
import type { Interval, MinAvgMax, RegionResult, Report, Summary } from '../model/report.ts';
import { formatBytes, formatCount, formatDollarsPerHour, formatMs, formatNumber } from './format.ts';
import { intervalAt } from './intervals.ts';
import type { Tolerances } from './options.ts';

/**
 * The figures a Report can be compared and ranked on, each with a stable key
 * (`request.p98`, `request.median@ap-southeast-2`, `counts.handledRequests`, `cost`,
 * `meters.sec.avg`), a reading function, its tolerance class and which direction is better.
 */
export interface Metric {
  key: string;
  label: string;
  get: (r: Report) => number | null;
  format: (v: number | null) => string;
  /** which tolerance applies to the prediction error; null: shown without a verdict */
  tolerance: keyof Tolerances | null;
  better: 'lower' | 'higher';
  /** the figure's confidence interval when the Report holds replications */
  interval?: (r: Report) => Interval | null;
}

export const LATENCY_KINDS = ['handshake', 'request', 'broadcast'] as const;
export type LatencyKind = (typeof LATENCY_KINDS)[number];

const SUMMARY_STATS = ['count', 'min', 'mean', 'stddev', 'median', 'p50', 'p66', 'p75', 'p80', 'p90', 'p95', 'p98', 'p99', 'max'] as const;
type SummaryStat = (typeof SUMMARY_STATS)[number];

function toleranceOfStat(stat: SummaryStat): keyof Tolerances | null {
  if (stat === 'mean') return 'mean';
  if (stat === 'median' || stat === 'p50') return 'median';
  if (stat === 'p98') return 'p98';
  if (stat === 'count') return 'count';
  return null;
}

function statLabel(stat: SummaryStat): string {
  return stat === 'p98' ? '98th pct' : stat === 'p99' ? '99th pct' : stat;
}

/** The region result a key points at: the global one, or `@<region id>`. */
function scope(r: Report, region: string | null): RegionResult | undefined {
  return region === null ? r.global : r.regions[region];
}

function latencyMetric(kind: LatencyKind, stat: SummaryStat, region: string | null): Metric {
  const where = region === null ? '' : ` @ ${region}`;
  return {
    key: `${kind}.${stat}${region === null ? '' : `@${region}`}`,
    label: `${kind} ${statLabel(stat)}${where}`,
    get: (r) => (scope(r, region)?.[kind] as Summary | undefined)?.[stat] ?? null,
    format: stat === 'count' ? formatCount : formatMs,
    tolerance: toleranceOfStat(stat),
    better: 'lower',
    interval: (r) => intervalAt(r, (ci) => (region === null ? ci.global : ci.regions?.[region])?.[kind]?.[stat]),
  };
}

function userMetric(field: 'connected' | 'failed', region: string | null): Metric {
  return {
    key: `${field}${region === null ? '' : `@${region}`}`,
    label: `${field} users${region === null ? '' : ` @ ${region}`}`,
    get: (r) => scope(r, region)?.[field] ?? null,
    format: formatCount,
    tolerance: 'count',
    better: field === 'connected' ? 'higher' : 'lower',
    interval: (r) => intervalAt(r, (ci) => (region === null ? ci.global : ci.regions?.[region])?.[field]),
  };
}

const COUNT_KEYS = ['handledRequests', 'redisHits', 'redisMisses', 'mysqlQueries', 'broadcasts'] as const;
const METER_MAM = ['crum', 'spm', 'sec'] as const;
const METER_NUM = ['slm', 'ess', 'esr'] as const;

function fixedMetrics(): Metric[] {
  const out: Metric[] = [];
  for (const k of COUNT_KEYS) {
    out.push({ key: `counts.${k}`, label: k, get: (r) => r.counts[k], format: formatCount, tolerance: 'count', better: 'higher', interval: (r) => intervalAt(r, (ci) => ci.counts?.[k]) });
  }
  out.push({ key: 'network.inBytes', label: 'network in', get: (r) => r.network?.inBytes ?? null, format: formatBytes, tolerance: null, better: 'lower' });
  out.push({ key: 'network.outBytes', label: 'network out', get: (r) => r.network?.outBytes ?? null, format: formatBytes, tolerance: null, better: 'lower' });
  out.push({ key: 'cost', label: 'cost per hour', get: (r) => r.cost?.totalHourly ?? null, format: formatDollarsPerHour, tolerance: null, better: 'lower' });
  for (const m of METER_MAM) {
    for (const s of ['min', 'avg', 'max'] as const) {
      out.push({
        key: `meters.${m}.${s}`, label: `${m.toUpperCase()} ${s}`,
        get: (r) => ((r.meters?.[m] ?? null) as MinAvgMax | null)?.[s] ?? null,
        format: formatNumber, tolerance: null, better: 'higher',
      });
    }
  }
  for (const m of METER_NUM) {
    out.push({ key: `meters.${m}`, label: m.toUpperCase(), get: (r) => (r.meters?.[m] ?? null) as number | null, format: formatNumber, tolerance: null, better: 'higher' });
  }
  return out;
}

const FIXED = new Map(fixedMetrics().map((m) => [m.key, m]));

/**
 * Finds a metric by key.
 * @throws UserError CONFIG_INVALID when the key names no metric (the message lists the forms)
 */
export function metricByKey(key: string, flag = '--rank'): Metric {
  const fixed = FIXED.get(key);
  if (fixed) return fixed;
  const [body, region = null] = key.split('@') as [string, string | undefined];
  if (body === 'connected' || body === 'failed') return userMetric(body, region);
  const [kind, stat] = body.split('.');
  if ((LATENCY_KINDS as readonly string[]).includes(kind) && (SUMMARY_STATS as readonly string[]).includes(stat)) {
    return latencyMetric(kind as LatencyKind, stat as SummaryStat, region);
  }
  throw new UserError('CONFIG_INVALID', `${flag} must name a metric such as request.p98, handshake.mean@eu-west-1, failed, cost, counts.handledRequests or meters.sec.avg (got ${JSON.stringify(key)})`);
}

/** The rows of the side-by-side table, global figures first. */
export function globalMetrics(): Metric[] {
  const out: Metric[] = [userMetric('connected', null), userMetric('failed', null)];
  for (const kind of LATENCY_KINDS) for (const stat of ['mean', 'median', 'p98', 'stddev', 'max'] as const) out.push(latencyMetric(kind, stat, null));
  return [...out, ...fixedMetrics().filter((m) => !/\.(min|max)$/.test(m.key))];
}

/** Per-region rows: users and each latency's mean, median and 98th percentile. */
export function regionMetrics(region: string): Metric[] {
  const out: Metric[] = [userMetric('connected', region), userMetric('failed', region)];
  for (const kind of LATENCY_KINDS) for (const stat of ['mean', 'median', 'p98'] as const) out.push(latencyMetric(kind, stat, region));
  return out;
}
