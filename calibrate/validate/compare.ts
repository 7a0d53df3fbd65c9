import { redisOps } from '../fit/loss.ts';
import type { Report, Summary } from '../../model/report.ts';
import { replicationStats, type ReplicationStats } from './stats.ts';
import { TOLERANCES } from './tolerances.ts';

/**
 * Predicted versus measured, per region and metric, against stated tolerances (issue 5):
 * means 10 %, medians 10 %, 98th percentiles 25 %, connected users 1 %, operation counts 10 %.
 * The error is relative: (predicted − measured) / measured.
 */
export { TOLERANCES } from './tolerances.ts';

export const COMPARED_STATS = ['mean', 'median', 'p98'] as const;
export type ComparedStat = (typeof COMPARED_STATS)[number];
const METRICS = ['handshake', 'request', 'broadcast'] as const;

export interface ComparisonRow {
  /** a region id, `global`, or `counts` */
  scope: string;
  /** handshake | request | broadcast | connected | handledRequests | redisOps | mysqlQueries | updatesPerUser */
  metric: string;
  /** mean | median | p98 | value */
  stat: string;
  /** the prediction (the mean over replications when there are several) */
  predicted: number | null;
  measured: number | null;
  /** (predicted − measured) / measured; null when either side is missing */
  error: number | null;
  tolerance: number;
  /** |error| ≤ tolerance; null when not comparable */
  within: boolean | null;
  /** with 2+ replications: interval and test against the measured value */
  replications?: ReplicationStats;
  /**
   * outside tolerance, but the measured value lies within the simulator's own run-to-run spread
   * (the 95 % prediction interval of one run over the replications): one measured run cannot tell
   * this miss from the spread of runs; absent without replications or within tolerance
   */
  withinSpread?: boolean;
  /**
   * judged against its tolerance and shown, but not counted in the score (scoreRows): the updates
   * each connected user received, a check of the broadcast batching that the targets' 83 figures
   * per run do not include
   */
  informational?: true;
}

export interface CompareOptions {
  /** regions compared (the validation set) */
  regions: readonly string[];
  /**
   * factor applied to predicted counts to put them on the measured run's footing (1 when the
   * simulated and measured runs have the same length and users)
   */
  countScale?: number;
  /**
   * the same factor for the server-side counters (Redis ops, MySQL queries), which count the
   * whole run's users even when only some regions' clients were read (default: countScale)
   */
  serverCountScale?: number;
  /**
   * with several measured runs (repeats): the factor putting each one's counts on the first's
   * footing (its connected users and seconds of load; default 1 each)
   */
  measuredCountScales?: readonly number[];
  /** factor putting a prediction's updates per user on the measured run's seconds of load (default 1) */
  updatesScale?: number;
}

function stat(s: Summary, k: ComparedStat): number | null {
  return k === 'median' ? (s.median ?? s.p50) : s[k];
}

/** The mean of the values, or null when any is missing. */
function meanOf(values: ReadonlyArray<number | null>): number | null {
  const vals = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return vals.length === values.length && vals.length > 0 ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
}

/** One figure: the predictions' mean (over replications) against the measurements' (over repeats). */
function row(scope: string, metric: string, st: string, predictedSamples: Array<number | null>, measuredSamples: Array<number | null>, tolerance: number): ComparisonRow {
  const predicted = meanOf(predictedSamples);
  const measured = meanOf(measuredSamples);
  const error = predicted !== null && measured !== null && measured !== 0 ? (predicted - measured) / measured : null;
  const r: ComparisonRow = { scope, metric, stat: st, predicted, measured, error, tolerance, within: error === null ? null : Math.abs(error) <= tolerance };
  if (predicted !== null && measured !== null && predictedSamples.length >= 2) {
    r.replications = replicationStats(predictedSamples as number[], measured, 0.95, measuredSamples.length);
    if (r.within === false) r.withinSpread = r.replications.measuredInPi;
  }
  return r;
}

/** Updates received per connected user over the compared regions (each update a user's client recorded). */
function updatesPerUser(r: Report, regions: readonly string[]): number | null {
  let updates = 0;
  let users = 0;
  for (const id of regions) {
    const x = r.regions[id];
    if (!x) return null;
    updates += x.broadcast.count;
    users += x.connected;
  }
  return users > 0 ? updates / users : null;
}

/** Share of a region's users that connected. */
function connectedShare(r: Report['global'] | undefined): number | null {
  if (!r || r.connected + r.failed === 0) return null;
  return r.connected / (r.connected + r.failed);
}

/**
 * Compares one or more predicted reports (replications of the same scenario, different seeds)
 * with a measured report, or with the mean of several (repeats of one run: the same
 * architecture, users and settings, another load-generator seed), region by region. Each figure
 * is the mean over the predictions against the mean over the measurements. Connected users are
 * compared as the connected share of the region's users. Counts are compared when the
 * measurement has them.
 */
export function compareReports(predicted: readonly Report[], measuredRuns: Report | readonly Report[], opts: CompareOptions): ComparisonRow[] {
  if (predicted.length === 0) throw new Error('compareReports needs at least one predicted report');
  const measured: readonly Report[] = Array.isArray(measuredRuns) ? measuredRuns : [measuredRuns as Report];
  if (measured.length === 0) throw new Error('compareReports needs at least one measured report');
  const rows: ComparisonRow[] = [];
  // the regions every measured run has
  const compared = opts.regions.filter((id) => measured.every((m) => m.regions[id]));
  for (const region of compared) {
    const at = (reports: readonly Report[], get: (r: Report['regions'][string]) => number | null) => reports.map((p) => (p.regions[region] ? get(p.regions[region]) : null));
    for (const metric of METRICS) {
      for (const k of COMPARED_STATS) {
        rows.push(row(region, metric, k, at(predicted, (r) => stat(r[metric], k)), at(measured, (r) => stat(r[metric], k)), TOLERANCES[k]));
      }
    }
    rows.push(row(region, 'connected', 'share', at(predicted, connectedShare), at(measured, connectedShare), TOLERANCES.connected));
  }
  const k = opts.countScale ?? 1;
  const kServer = opts.serverCountScale ?? k;
  const kMeasured = opts.measuredCountScales ?? measured.map(() => 1);
  const scaled = (x: number | null, f: number) => (x === null ? null : x * f);
  const counts: Array<[string, (r: Report) => number | null, number]> = [
    ['handledRequests', (r) => r.counts.handledRequests, k],
    ['redisOps', (r) => redisOps(r.counts), kServer],
    ['mysqlQueries', (r) => r.counts.mysqlQueries, kServer],
  ];
  for (const [name, get, scale] of counts) {
    const mv = measured.map((m, i) => scaled(get(m), kMeasured[i]));
    if (mv.some((v) => v === null)) continue;
    rows.push(row('counts', name, 'value', predicted.map((p) => scaled(get(p), scale)), mv, TOLERANCES.counts));
  }
  // updates per user: a rate per user of the whole run, on the measured run's length (repeats
  // have the same length)
  const perUser = (reports: readonly Report[], scale: number) => reports.map((r) => scaled(updatesPerUser(r, compared), scale));
  const upu = perUser(measured, 1);
  if (compared.length > 0 && upu.every((v) => v !== null && v > 0)) {
    rows.push({ ...row('counts', 'updatesPerUser', 'value', perUser(predicted, opts.updatesScale ?? 1), upu, TOLERANCES.counts), informational: true });
  }
  return rows;
}

/**
 * Rows within tolerance, of the comparable ones; and of those outside it, the ones within the
 * simulator's run-to-run spread. Informational rows are not counted.
 */
export function scoreRows(rows: readonly ComparisonRow[]): { within: number; comparable: number; withinSpread: number } {
  const comparable = rows.filter((r) => r.within !== null && !r.informational);
  return { within: comparable.filter((r) => r.within).length, comparable: comparable.length, withinSpread: comparable.filter((r) => r.withinSpread === true).length };
}
