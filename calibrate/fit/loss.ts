import type { Counts, Report, Summary } from '../../model/report.ts';
import { TOLERANCES } from '../validate/tolerances.ts';

/**
 * The calibration loss: a weighted mean of (Huber-robust) squared log errors, ln(predicted /
 * measured), over per-region latency statistics, connected users, operation counts and CPU. Log
 * errors make a 10 % miss on a 7 ms median weigh as much as a 10 % miss on a 1,269 ms mean, which
 * is what "within 10 %" means.
 *
 * Robust: beyond HUBER_DELTA (a factor 1.25) a term grows linearly, not quadratically, so that a
 * statistic the model cannot reach (a mechanism it lacks) does not drag every other figure away
 * from where the model can match them.
 */

/** Statistics compared per region and latency metric, with their weights. */
export const STAT_WEIGHTS: Readonly<Record<'mean' | 'median' | 'p90' | 'p98', number>> = Object.freeze({
  mean: 1,
  median: 1,
  p90: 0.5,
  p98: 1,
});
export const METRICS = ['handshake', 'request', 'broadcast'] as const;
export type Metric = (typeof METRICS)[number];

/**
 * Tolerance of each statistic in the check (means and medians 10 %, p98 25 %; p90 has
 * none stated and is treated like the other tail). A log error enters the loss in units of its
 * tolerance relative to the tightest (10 %): a 20 % miss on a p98 (inside its 25 %) costs what an
 * 8 % miss on a mean costs. Without it the fit trades a mean out of its 10 % for a p98 that was
 * already well inside its 25 %.
 */
export const STAT_TOLERANCE: Readonly<Record<keyof typeof STAT_WEIGHTS, number>> = Object.freeze({
  mean: TOLERANCES.mean,
  median: TOLERANCES.median,
  p90: TOLERANCES.p98,
  p98: TOLERANCES.p98,
});
/** Whether the check judges a statistic (p90 is fitted but has no stated tolerance, so no hinge). */
const statChecked = (stat: keyof typeof STAT_WEIGHTS): boolean => Object.hasOwn(TOLERANCES, stat);
/** Tolerance of the connected share and of the operation counts in the check. */
export const CONNECTED_TOLERANCE = TOLERANCES.connected;
export const COUNT_TOLERANCE = TOLERANCES.counts;
/** The tightest tolerance: errors are scaled by REFERENCE_TOLERANCE / tolerance. */
export const REFERENCE_TOLERANCE = 0.1;

/** Weight of connected users per region: the tolerance there is 1 %, so it weighs more. */
export const CONNECTED_WEIGHT = 4;
/** Weight of each operation-count rate (handled requests, Redis ops, MySQL queries). */
export const COUNT_WEIGHT = 1;
/**
 * Weight of mean server CPU utilisation, when both sides have it. One term against ~100 latency
 * terms, so it weighs like a region's connected share: otherwise a fit can buy a latency mean by
 * queueing on an overloaded loop (busy time the measured CPU says the servers did not have).
 */
export const CPU_WEIGHT = 4;
/**
 * Squared log error charged when the prediction has no value (or zero) where the measurement
 * has one: as bad as a factor e^4 ≈ 55 off.
 */
export const MISSING_PENALTY = 16;
/** Log error beyond which a term grows linearly (ln 1.25: the widest tolerance of the issue). */
export const HUBER_DELTA = Math.log(1.25);
/**
 * The check a calibration is judged by counts figures within tolerance, not a sum of squares: a
 * fit that halves every small error while pushing one figure out of its tolerance scores lower
 * but passes fewer. So a term also pays HINGE_WEIGHT × (its scaled log error beyond the band)²,
 * where the band is the term's tolerance times HINGE_MARGIN (relative: a p98 predicted between
 * 0.8 and 1.2 of the measured one pays nothing extra). The margin leaves room for the difference
 * between the shortened single-seed evaluations and the full-length check.
 */
export const HINGE_WEIGHT = 10;
export const HINGE_MARGIN = 0.8;

/** Huber's function of a log error: e² inside ±δ, δ·(2|e| − δ) outside (continuous, with its slope). */
export function huber(e: number, delta = HUBER_DELTA): number {
  const a = Math.abs(e);
  return a <= delta ? a * a : delta * (2 * a - delta);
}

export interface LossTerm {
  /** e.g. `us-east-1.request.p98`, `counts.mysqlQueries`, `cpu.avg` */
  key: string;
  predicted: number | null;
  measured: number;
  /** ln(predicted / measured), null when the prediction is missing */
  logError: number | null;
  weight: number;
  /** factor on the log error in the loss (REFERENCE_TOLERANCE / the statistic's tolerance; 1 when none) */
  scale: number;
  /** relative tolerance of the figure in the check (0.1 = within 10 %), null when the check has none */
  tolerance: number | null;
}

export interface LossOptions {
  /** client regions compared (the calibration set) */
  regions: readonly string[];
  /**
   * Seconds of load each report's counts were collected over, to compare counts as rates when the
   * simulation is shorter than the measured run (ramp counted at half weight).
   */
  predictedLoadS: number;
  measuredLoadS: number;
  /**
   * connected users whose work the measured server-side counters (Redis ops, MySQL queries)
   * count, when not the measured report's own connected users: the whole run's for a region
   * subset (measured.ts serverCountUsers)
   */
  measuredServerUsers?: number;
  /** include CPU and counts terms; default true */
  useCounts?: boolean;
  useCpu?: boolean;
}

export interface LossResult {
  loss: number;
  terms: LossTerm[];
}

function term(key: string, predicted: number | null | undefined, measured: number | null | undefined, weight: number, tolerance: number | null, scale = 1): LossTerm | null {
  if (measured === null || measured === undefined || !(measured > 0) || weight <= 0) return null;
  const p = predicted ?? null;
  const logError = p !== null && p > 0 && Number.isFinite(p) ? Math.log(p / measured) : null;
  return { key, predicted: p, measured, logError, weight, scale, tolerance };
}

function statValue(s: Summary, stat: keyof typeof STAT_WEIGHTS): number | null {
  return stat === 'median' ? (s.median ?? s.p50) : s[stat];
}

/** Total operations of a kind in a Counts record, or null when unknown. */
export function redisOps(c: Counts): number | null {
  return c.redisHits === null || c.redisMisses === null ? null : c.redisHits + c.redisMisses;
}

/** Core-weighted mean CPU % over the instances of a report that have CPU figures. */
export function meanCpuPercent(r: Report): number | null {
  const inst = r.resources?.instances.filter((i) => i.cpu.avg !== null) ?? [];
  const cores = inst.reduce((s, i) => s + i.cores, 0);
  if (cores === 0) return null;
  return inst.reduce((s, i) => s + i.cores * (i.cpu.avg as number), 0) / cores;
}

/** All terms comparing a prediction with a measurement (terms the measurement lacks are left out). */
export function lossTerms(pred: Report, meas: Report, opts: LossOptions): LossTerm[] {
  const terms: Array<LossTerm | null> = [];
  for (const region of opts.regions) {
    const m = meas.regions[region];
    if (!m) continue;
    const p = pred.regions[region];
    for (const metric of METRICS) {
      for (const stat of Object.keys(STAT_WEIGHTS) as Array<keyof typeof STAT_WEIGHTS>) {
        if (m[metric].count === 0) continue;
        terms.push(term(`${region}.${metric}.${stat}`, p ? statValue(p[metric], stat) : null, statValue(m[metric], stat), STAT_WEIGHTS[stat], statChecked(stat) ? STAT_TOLERANCE[stat] : null, REFERENCE_TOLERANCE / STAT_TOLERANCE[stat]));
      }
    }
    // shares, so that a shorter or smaller simulated scenario compares like with like
    const mShare = m.connected / Math.max(1, m.connected + m.failed);
    const pShare = p ? p.connected / Math.max(1, p.connected + p.failed) : null;
    terms.push(term(`${region}.connected`, pShare, mShare, CONNECTED_WEIGHT, CONNECTED_TOLERANCE));
  }
  if (opts.useCounts !== false) {
    const pr = 1 / opts.predictedLoadS;
    const mr = 1 / opts.measuredLoadS;
    const scale = (x: number | null, k: number) => (x === null ? null : x * k);
    const pUsers = pred.global.connected || 1;
    const mUsers = meas.global.connected || 1;
    const mServerUsers = opts.measuredServerUsers || mUsers;
    // per connected user per second of load: independent of the scenario's length and size
    terms.push(term('counts.handledRequests', scale(pred.counts.handledRequests, pr / pUsers), scale(meas.counts.handledRequests, mr / mUsers), COUNT_WEIGHT, COUNT_TOLERANCE));
    terms.push(term('counts.redisOps', scale(redisOps(pred.counts), pr / pUsers), scale(redisOps(meas.counts), mr / mServerUsers), COUNT_WEIGHT, COUNT_TOLERANCE));
    terms.push(term('counts.mysqlQueries', scale(pred.counts.mysqlQueries, pr / pUsers), scale(meas.counts.mysqlQueries, mr / mServerUsers), COUNT_WEIGHT, COUNT_TOLERANCE));
  }
  // a live run's CPU % is of its own processes' cores (capped to this machine), not of the
  // architecture's instances: not comparable with the simulated instance CPU
  if (opts.useCpu !== false && meas.kind !== 'live') terms.push(term('cpu.avg', meanCpuPercent(pred), meanCpuPercent(meas), CPU_WEIGHT, null));
  return terms.filter((t): t is LossTerm => t !== null);
}

/**
 * Log error of a term beyond its hinge band (HINGE_MARGIN × its relative tolerance on either
 * side), in the term's scaled units; 0 inside the band or when the term has no tolerance.
 */
export function hingeExcess(t: Pick<LossTerm, 'scale' | 'tolerance' | 'logError'>): number {
  if (t.tolerance === null || t.logError === null) return 0;
  const { lo, hi } = hingeBand(t.tolerance);
  const beyond = t.logError > hi ? t.logError - hi : t.logError < lo ? lo - t.logError : 0;
  return beyond * t.scale;
}

/** The hinge band of a relative tolerance, as log errors. */
function hingeBand(tolerance: number): { lo: number; hi: number } {
  const band = HINGE_MARGIN * tolerance;
  return { lo: Math.log(Math.max(1e-9, 1 - band)), hi: Math.log(1 + band) };
}

/**
 * Weighted mean of Huber-squared log errors, each in units of its tolerance, plus the hinge on
 * errors beyond the band (missing predictions charged MISSING_PENALTY).
 */
export function lossOf(terms: readonly LossTerm[]): number {
  let num = 0;
  let den = 0;
  for (const t of terms) {
    num += t.weight * termCost(t, t.logError);
    den += t.weight;
  }
  return den === 0 ? 0 : num / den;
}

/** A term's cost at a log error (before its weight): Huber plus the hinge; MISSING_PENALTY when missing. */
export function termCost(t: Pick<LossTerm, 'scale' | 'tolerance'>, logError: number | null): number {
  if (logError === null) return MISSING_PENALTY;
  return huber(logError * t.scale) + HINGE_WEIGHT * hingeExcess({ ...t, logError }) ** 2;
}

/**
 * The quadratic pieces Σ curvature·(e − centre)² that stand for a term's cost near a log error e
 * (for a model of the loss over linearised errors, calibrate/fit/trust.ts): Huber's as
 * reweighted least squares (full weight inside ±δ, δ/|e| beyond), the hinge's on the side of the
 * band e lies beyond (none inside it).
 */
export function termQuadratic(t: Pick<LossTerm, 'scale' | 'tolerance'>, e: number): { curvature: number; centre: number }[] {
  const s2 = t.scale * t.scale;
  const a = Math.abs(e * t.scale);
  const pieces = [{ curvature: a <= HUBER_DELTA ? s2 : (s2 * HUBER_DELTA) / a, centre: 0 }];
  if (t.tolerance !== null) {
    const { lo, hi } = hingeBand(t.tolerance);
    if (e > hi) pieces.push({ curvature: HINGE_WEIGHT * s2, centre: hi });
    else if (e < lo) pieces.push({ curvature: HINGE_WEIGHT * s2, centre: lo });
  }
  return pieces;
}

/** Terms and loss in one call. */
export function loss(pred: Report, meas: Report, opts: LossOptions): LossResult {
  const terms = lossTerms(pred, meas, opts);
  return { loss: lossOf(terms), terms };
}

/**
 * Seconds of load a run's counts cover: the load period plus half the ramp (users arrive
 * linearly during the ramp).
 */
export function loadSeconds(durationS: number, rampS: number): number {
  return Math.max(1, durationS - rampS / 2);
}
