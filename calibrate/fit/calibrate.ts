import type { Architecture } from '../../model/architecture.ts';
import type { RttMatrix } from '../../model/network.ts';
import { DEFAULT_PARAMS, mergeParams, type Params } from '../../model/params.ts';
import type { Report } from '../../model/report.ts';
import type { SimInput } from '../../sim/input.ts';
import { FIT_DIMENSIONS } from './dimensions.ts';
import { HINGE_MARGIN, HINGE_WEIGHT, loadSeconds, loss, type LossResult } from './loss.ts';
import type { MeasuredRun } from './measured.ts';
import { nelderMead } from './nelder-mead.ts';
import { coordinateScan, SCAN_LEVELS, SCAN_PASSES } from './scan.ts';
import { PARAMS_FILE_FORMAT, type ParamsFile, type ParamsProvenance } from './params-file.ts';
import { estimateRtt, type RttEstimate } from './rtt.ts';
import { fromUnit, overridesAt, resolveDimensions, roundSig, toUnit, type FitDimension } from './space.ts';
import { rampSecondsOf, workloadOf } from './workload.ts';

/**
 * `sim calibrate`: fits the simulator's unknown parameters to measured runs.
 *
 * 1. Direct estimates, no optimisation: the RTT matrix between client regions and the server
 *    regions they reached, from request and handshake medians (calibrate/fit/rtt.ts); the route
 *    factor over the Leighton prior for pairs not measured; the Redis miss probability from
 *    measured hit/miss counters when present.
 * 2. Nelder–Mead over FIT_DIMENSIONS in the unit cube, each evaluation one simulator run per
 *    measured input on a shortened scenario (the run's users and region mix, the benchmark's ramp,
 *    `fitLoadS` seconds of load instead of the run's) with the SAME seed every time (common random
 *    numbers), minimising the log-error loss (calibrate/fit/loss.ts).
 * 3. RTT correction: each measured entry moves by the measured-minus-simulated median (the
 *    simulator's jitter shifts medians), kept only when it lowers the loss.
 * 4. One confirmation run at the measured length, whose loss params.json records.
 */
export type Simulate = (input: SimInput) => Report;

export interface CalibrateOptions {
  simulate: Simulate;
  /** architecture each measured run ran on */
  archFor: (run: MeasuredRun) => Architecture;
  seed: number;
  /** seconds of load after the ramp in evaluation runs */
  fitLoadS: number;
  /** optimiser budget (simulator evaluations) */
  maxEvals: number;
  /** run once at the measured length at the end and record its loss */
  confirm: boolean;
  dims?: readonly FitDimension[];
  /**
   * parameters to start the optimiser from (e.g. an earlier params.json's `params`), instead of
   * the priors: a warm start after a model change. The RTT matrix is still estimated afresh. The
   * file it came from and the SHA-256 of its bytes go into the provenance (an input of the fit).
   */
  start?: { overrides: Record<string, unknown>; path: string; sha256: string };
  /** progress lines (stderr) */
  log: (line: string) => void;
  /** wall clock in ms, for progress display only (never enters the result) */
  nowMs: () => number;
  toolVersion: string;
  command: string;
}

/** Optimiser stages: share of the evaluation budget and initial simplex edge (unit cube). */
export const OPTIMISER_STAGES: ReadonlyArray<readonly [number, number]> = [[0.6, 0.15], [0.4, 0.06]];
/** Share of the evaluation budget the coordinate scan may use before the simplex stages. */
export const SCAN_SHARE = 0.45;
/** RTT correction passes after the optimiser. */
export const RTT_CORRECTION_PASSES = 2;
/** Smallest RTT a correction may set (ms). */
const MIN_CORRECTED_RTT_MS = 0.05;

interface Evaluation {
  loss: number;
  terms: number;
  perRun: LossResult[];
  reports: Report[];
}

/**
 * Runs the calibration. Deterministic for the same inputs and options (the wall clock only
 * feeds the progress lines).
 * @throws UserError when a measured input has nothing to fit (no region with medians).
 */
export function calibrate(runs: readonly MeasuredRun[], opts: CalibrateOptions): ParamsFile {
  const t0 = opts.nowMs();
  const archs = runs.map((r) => opts.archFor(r));

  // 1. direct estimates
  const estimates: RttEstimate[] = [];
  const matrix: RttMatrix = {};
  runs.forEach((run, i) => {
    const est = estimateRtt(run.report, archs[i], run.regions);
    if (!est) return;
    estimates.push(est);
    for (const [from, row] of Object.entries(est.matrix)) for (const [to, ms] of Object.entries(row)) (matrix[from] ??= {})[to] = ms;
  });
  // pairs not measured take the network's published table (model/network.ts)
  const base: Record<string, unknown> = { rttMatrixMs: matrix };
  const missEstimate = redisMissEstimate(runs);
  if (missEstimate !== null) base.redisMissProbability = missEstimate;
  for (const e of estimates) {
    opts.log(`RTT from medians (${e.anchor}): ${e.detail.map((d) => `${d.region}→${d.serverRegion} ${d.rttMs.toFixed(1)} ms`).join(', ')}; route factor ${e.routeFactor}`);
  }

  const { dims, dropped } = resolveDimensions(opts.dims ?? FIT_DIMENSIONS, DEFAULT_PARAMS);
  if (dropped.length) opts.log(`not fitted (the simulator has no such parameter): ${dropped.join(', ')}`);

  // a run shorter than fitLoadS is evaluated at its own length
  const fitScenarios = runs.map((r) => workloadOf(r, Math.min(opts.fitLoadS, workloadOf(r).durationS)));
  const ramps = runs.map((r) => rampSecondsOf(r));
  const fitLoad = ramps.map((rampS, i) => loadSeconds(fitScenarios[i].durationS + rampS, rampS));
  const measuredLoad = runs.map((r, i) => loadSeconds(r.report.durationS, ramps[i]));
  let evals = 0;
  const evaluate = (overrides: Record<string, unknown>, full = false): Evaluation => {
    const params: Params = mergeParams(overrides, 'calibration candidate');
    const reports = runs.map((run, i) => opts.simulate({ arch: archs[i], scenario: full ? workloadOf(run) : fitScenarios[i], params, seed: opts.seed }));
    const perRun = reports.map((rep, i) => loss(rep, runs[i].report, {
      regions: runs[i].regions,
      predictedLoadS: full ? loadSeconds(rep.durationS, ramps[i]) : fitLoad[i],
      measuredLoadS: measuredLoad[i],
    }));
    const terms = perRun.reduce((s, l) => s + l.terms.length, 0);
    const total = perRun.reduce((s, l) => s + l.loss * l.terms.length, 0) / Math.max(1, terms);
    return { loss: total, terms, perRun, reports };
  };

  const priorEval = evaluate({});
  opts.log(`loss at the priors: ${priorEval.loss.toFixed(4)}`);
  const startOverrides = stripEstimated(opts.start?.overrides ?? {});
  const startParams = mergeParams(startOverrides, 'the start parameters') as unknown as Record<string, unknown>;
  const u0 = dims.map((d) => toUnit(startParams[d.path] as number, d));
  if (opts.start) opts.log(`starting from the given parameters instead of the priors`);
  // a warm start keeps its other parameters (those not fitted now) in the result
  let bestBase = { ...startOverrides, ...structuredClone(base) };
  let startEval = evaluate(overridesAt(bestBase, dims, u0, DEFAULT_PARAMS));
  opts.log(`loss with the estimated RTT matrix: ${startEval.loss.toFixed(4)}`);
  const corrected = correctMatrix(bestBase, startEval.reports, runs, archs);
  const startCorrected = evaluate(overridesAt(corrected, dims, u0, DEFAULT_PARAMS));
  if (startCorrected.loss < startEval.loss) {
    bestBase = corrected;
    startEval = startCorrected;
    opts.log(`loss after the median correction of the RTT matrix: ${startEval.loss.toFixed(4)}`);
  }

  // 2. the optimiser, with common random numbers (same seed at every evaluation): a coordinate
  // scan (scan.ts) finds the basin, then Nelder-Mead, restarted once from its best point with a
  // smaller simplex (a restart escapes a collapsed simplex)
  let bestLoss = startEval.loss;
  let bestU = u0;
  const tFit = opts.nowMs();
  const stops: string[] = [];
  const scanBudget = Math.floor(opts.maxEvals * SCAN_SHARE);
  const scan = coordinateScan((u) => {
    evals++;
    const value = evaluate(overridesAt(bestBase, dims, u, DEFAULT_PARAMS)).loss;
    const perEval = (opts.nowMs() - tFit) / 1000 / evals;
    opts.log(`scan ${evals}/${opts.maxEvals} loss ${value.toFixed(4)} best ${Math.min(bestLoss, value).toFixed(4)} (${perEval.toFixed(2)} s/eval)`);
    if (value < bestLoss) bestLoss = value;
    return value;
  }, bestU, bestLoss, scanBudget);
  bestU = scan.u;
  bestLoss = scan.value;
  for (const [share, step] of OPTIMISER_STAGES) {
    const budget = Math.max(dims.length + 2, Math.floor((opts.maxEvals - scan.evals) * share));
    const done = evals;
    const result = nelderMead((u) => {
      evals++;
      return evaluate(overridesAt(bestBase, dims, u, DEFAULT_PARAMS)).loss;
    }, bestU, {
      // step inwards from a coordinate near the top of its range
      step: bestU.map((u) => (u > 0.5 ? -step : step)),
      maxEvals: Math.min(budget, opts.maxEvals - done),
      fTol: 1e-5,
      xTol: 1e-3,
      onEval: (n, x, fx) => {
        if (fx < bestLoss) {
          bestLoss = fx;
          bestU = x.map((u) => Math.min(1, Math.max(0, u)));
        }
        const total = done + n;
        const perEval = (opts.nowMs() - tFit) / 1000 / total;
        opts.log(`eval ${total}/${opts.maxEvals} loss ${fx.toFixed(4)} best ${bestLoss.toFixed(4)} (${perEval.toFixed(2)} s/eval, ETA ${Math.ceil(perEval * (opts.maxEvals - total))} s)`);
      },
    });
    stops.push(result.stop);
    if (evals >= opts.maxEvals) break;
  }
  let best = evaluate(overridesAt(bestBase, dims, bestU, DEFAULT_PARAMS));

  // 3. RTT correction at the optimum
  for (let pass = 0; pass < RTT_CORRECTION_PASSES; pass++) {
    const nextBase = correctMatrix(bestBase, best.reports, runs, archs);
    const next = evaluate(overridesAt(nextBase, dims, bestU, DEFAULT_PARAMS));
    if (!(next.loss < best.loss)) break;
    bestBase = nextBase;
    best = next;
    opts.log(`RTT correction pass ${pass + 1}: loss ${best.loss.toFixed(4)}`);
  }
  const params = overridesAt(bestBase, dims, bestU, DEFAULT_PARAMS);
  opts.log(`fit done: loss ${best.loss.toFixed(4)} after ${evals} evaluations (${stops.join(', ')}) in ${((opts.nowMs() - t0) / 1000).toFixed(1)} s`);

  // 4. confirmation at the measured length
  let fullLoss: number | null = null;
  if (opts.confirm) {
    opts.log('confirmation run at the measured length...');
    fullLoss = evaluate(params, true).loss;
    opts.log(`loss at the measured length: ${fullLoss.toFixed(4)}`);
  }

  const provenance: ParamsProvenance = {
    format: PARAMS_FILE_FORMAT,
    tool: 'sim',
    version: opts.toolVersion,
    command: opts.command,
    seed: opts.seed,
    start: opts.start ? { path: opts.start.path, sha256: opts.start.sha256 } : null,
    inputs: runs.map((r, i) => ({
      path: r.spec,
      sha256: r.hash.sha256,
      arch: archs[i].name,
      regions: r.regions,
      subset: r.subset,
      files: r.hash.files,
      fingerprints: r.fingerprints,
      derivedFrom: r.derivedFrom,
    })),
    loss: {
      definition: `weighted mean of Huber-robust squared ln(predicted/measured), each in units of its tolerance (means and medians ×1, p90 and p98 ×0.4: 10 % against 25 %; quadratic within ln 1.25, linear beyond), plus ${HINGE_WEIGHT} × the squared scaled log error beyond ${HINGE_MARGIN} of each figure's check tolerance (a hinge: the check counts figures within tolerance) over per-region mean, median, p90 and p98 of handshake, request and broadcast latency, connected share, and count rates (calibrate/fit/loss.ts)`,
      prior: round6(priorEval.loss),
      fit: round6(best.loss),
      fullLength: fullLoss === null ? null : round6(fullLoss),
      terms: best.terms,
    },
    evaluation: {
      loadS: Math.max(...fitScenarios.map((s) => s.durationS)),
      rampS: ramps[0],
      note: `evaluations ran a shortened scenario: the measured users and region mix, the run's ramp (${ramps.map((r) => `${roundSig(r, 4)} s`).join(', ')}), then ${fitScenarios.map((s) => `${s.durationS} s`).join(', ')} of load (at most ${opts.fitLoadS} s) instead of the measured run's ${runs.map((r) => `${workloadOf(r).durationS} s`).join(', ')}; ${opts.confirm ? 'the final parameters were checked once at the measured length (loss.fullLength)' : 'no run at the measured length was made'}`,
      evaluations: evals,
      optimiser: `coordinate scan (${SCAN_PASSES} passes over ${SCAN_LEVELS.join(', ')} of each range, ${scan.evals} evaluations), then Nelder-Mead in the unit cube of the fitted ranges from ${opts.start ? 'given start parameters' : 'the priors'}, restarted once from its best point (${OPTIMISER_STAGES.map(([sh, st]) => `${Math.round(sh * 100)}% of the budget, simplex edge ${st}`).join('; ')}); stops: ${stops.join(', ')}`,
    },
    fitted: dims.map((d, i) => ({ path: d.path, value: roundSig(fromUnit(bestU[i], d), 6), lo: d.lo, hi: d.hi, log: d.log, meaning: d.meaning, scales: d.scales ?? [] })),
    estimated: {
      rttMatrixMs: 'client region -> server region, from request and handshake medians, then corrected by measured minus simulated medians',
      ...(missEstimate !== null ? { redisMissProbability: 'keyspace misses / (hits + misses) of the measured counters' } : {}),
      rtt: estimates.map((e) => ({ anchor: e.anchor, requestServerMs: e.requestServerMs, handshakeServerMs: e.handshakeServerMs, detail: e.detail })),
    },
    architectureSpecific: [],
    notes: [
      'Nothing here is specific to an architecture: the RTT matrix is per region pair, costs are per message, per operation or per socket.',
      ...(runs.some((r) => r.subset) ? ['Region subsets: only the selected regions\' client reports were read and hashed; the run\'s server-side files were not used.'] : []),
    ],
  };
  return { params, provenance };
}

/** The start parameters without what calibration estimates directly. */
function stripEstimated(p: Record<string, unknown>): Record<string, unknown> {
  const { rttMatrixMs: _m, routeFactor: _f, redisMissProbability: _r, ...rest } = p;
  return rest;
}

function round6(x: number): number {
  return roundSig(x, 6);
}

/** keyspace misses / (hits + misses) over runs that measured them, or null. */
function redisMissEstimate(runs: readonly MeasuredRun[]): number | null {
  let hits = 0;
  let misses = 0;
  for (const r of runs) {
    if (r.report.counts.redisHits === null || r.report.counts.redisMisses === null) continue;
    hits += r.report.counts.redisHits;
    misses += r.report.counts.redisMisses;
  }
  return hits + misses > 0 ? roundSig(misses / (hits + misses), 4) : null;
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
