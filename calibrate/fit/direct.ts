import type { Architecture } from '../../model/architecture.ts';
import type { RttMatrix } from '../../model/network.ts';
import { anyOps } from '../../model/params.ts';
import type { Report } from '../../model/report.ts';
import type { MeasuredRun } from './measured.ts';
import { estimatePathLoss, type PathLoss } from './pathloss.ts';
import { estimateRtt, type RttEstimate } from './rtt.ts';
import { roundSig } from './space.ts';
import { estimateStalls, type StallEstimate } from './stalls.ts';
import { handlerOpsOf } from './workload.ts';

/**
 * What `sim calibrate` estimates directly, without optimisation: the RTT matrix between client
 * regions and the server regions they reached (from request and handshake medians, rtt.ts), its
 * correction by measured-minus-simulated medians, each path's packet loss where its handshake
 * tail resolves one (pathloss.ts), the Redis miss probability from measured
 * hit/miss counters, and the event-loop stalls the request tail implies (stalls.ts: the fit's
 * start for them, not a fixed value).
 */

/** Smallest RTT a correction may set (ms). */
const MIN_CORRECTED_RTT_MS = 0.05;

/** The direct estimates of a set of measured runs. */
export interface DirectEstimates {
  /** each run's RTT estimate, for the runs that had one */
  estimates: RttEstimate[];
  /** keyspace misses / (hits + misses) of the measured counters, or null where none were measured */
  missEstimate: number | null;
  /** the overrides they make: `rttMatrixMs` (pairs not measured take model/network.ts's table), `lossMatrix` (paths whose handshake tail resolves a loss, pathloss.ts), `redisMissProbability` */
  base: Record<string, unknown>;
  /** the stalls the request tail implies (the start of the `loopPause*` fit), or null and why not */
  stalls: StallEstimate | null;
  stallsReason: string;
}

/** The direct estimates, each RTT estimate logged on one line. */
export function directEstimates(runs: readonly MeasuredRun[], archs: readonly Architecture[], log: (line: string) => void): DirectEstimates {
  const estimates: RttEstimate[] = [];
  const matrix: RttMatrix = {};
  const losses: PathLoss[] = [];
  runs.forEach((run, i) => {
    const est = estimateRtt(run.report, archs[i], run.regions);
    if (!est) return;
    estimates.push(est);
    losses.push(...estimatePathLoss(run, est));
    for (const [from, row] of Object.entries(est.matrix)) for (const [to, ms] of Object.entries(row)) (matrix[from] ??= {})[to] = ms;
  });
  // pairs not measured take the network's published table (model/network.ts)
  const base: Record<string, unknown> = { rttMatrixMs: matrix };
  if (losses.length) {
    const lossMatrix: Record<string, Record<string, number>> = {};
    for (const l of losses) (lossMatrix[l.region] ??= {})[l.serverRegion] = l.loss;
    base.lossMatrix = lossMatrix;
    log(`packet loss from the handshake tail: ${losses.map((l) => `${l.region}→${l.serverRegion} ${(100 * l.loss).toFixed(2)} % of messages (${(100 * l.share).toFixed(1)} % of handshakes beyond ${l.thresholdMs} ms)`).join(', ')}; other paths keep the prior × lossFactor`);
  }
  const missEstimate = redisMissEstimate(runs);
  if (missEstimate !== null) base.redisMissProbability = missEstimate;
  for (const e of estimates) {
    log(`RTT from medians (${e.anchor}): ${e.detail.map((d) => `${d.region}→${d.serverRegion} ${d.rttMs.toFixed(1)} ms`).join(', ')}; route factor ${e.routeFactor}`);
  }
  const { estimate: stalls, reason: stallsReason } = estimateStalls(runs, archs);
  if (stalls) {
    const b = stalls.basis;
    log(`stalls from the request tail (p95/p98/p99 ${b.requestExcessMs.join('/')} ms over the median): ${stalls.loopPauseMedianMs} ms (sigma ${stalls.loopPauseSigma}) every ${stalls.loopPauseEveryMessages} messages per process, the first after ${stalls.loopPauseOnsetMessages} (${stallsReason}); the fit starts there`);
  } else log(`no stall estimate (${stallsReason}): the fit starts from the priors of loopPause*`);
  return { estimates, missEstimate, base, stalls, stallsReason };
}

/**
 * keyspace misses / (hits + misses) over runs that measured them, or null. The misses of a
 * first prediction's account step (params.opsFirstPredict: one per user, the simulator makes
 * them itself) are not a miss probability: a run whose handlers have that step counts one per
 * connected user less (every connected user of such a run predicted; at most its misses).
 */
export function redisMissEstimate(runs: readonly MeasuredRun[]): number | null {
  let reads = 0;
  let misses = 0;
  for (const r of runs) {
    const { redisHits, redisMisses } = r.report.counts;
    if (redisHits === null || redisMisses === null) continue;
    const f = handlerOpsOf(r)?.opsFirstPredict;
    const step = f !== undefined && anyOps(f);
    reads += redisHits + redisMisses;
    misses += redisMisses - (step ? Math.min(redisMisses, r.report.global.connected) : 0);
  }
  return reads > 0 ? roundSig(misses / reads, 4) : null;
}

/** The start parameters without what calibration estimates directly. */
export function stripEstimated(p: Record<string, unknown>): Record<string, unknown> {
  const { rttMatrixMs: _m, lossMatrix: _l, routeFactor: _f, redisMissProbability: _r, ...rest } = p;
  return rest;
}

/**
 * Moves each measured, non-local matrix entry by the measured-minus-simulated median, averaged
 * over request (1 RTT) and handshake (4 RTT).
 */
export function correctMatrix(base: Record<string, unknown>, predicted: readonly Report[], runs: readonly MeasuredRun[], archs: readonly Architecture[]): Record<string, unknown> {
  const out = structuredClone(base);
  const matrix = out.rttMatrixMs as RttMatrix;
  runs.forEach((run, i) => {
    const est = estimateRtt(run.report, archs[i], run.regions);
    for (const d of est?.detail ?? []) {
      if (d.region === d.serverRegion) continue;
      const m = run.report.regions[d.region];
      const p = predicted[i].regions[d.region];
      const mReq = m?.request.median ?? null;
      const pReq = p?.request.median ?? null;
      const mHs = m?.handshake.median ?? null;
      const pHs = p?.handshake.median ?? null;
      if (mReq === null || pReq === null || mHs === null || pHs === null || matrix[d.region]?.[d.serverRegion] === undefined) continue;
      const delta = ((mReq - pReq) + (mHs - pHs) / 4) / 2;
      matrix[d.region][d.serverRegion] = Math.round(Math.max(MIN_CORRECTED_RTT_MS, matrix[d.region][d.serverRegion] + delta) * 1000) / 1000;
    }
  });
  return out;
}
