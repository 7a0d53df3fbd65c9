// Over 300 lines: the fit's steps (start, scan with scouting and compass search, CMA-ES, RTT correction) share one search state; moving the steps to their own module is the next split.
import type { Architecture } from '../../model/architecture.ts';
import { DEFAULT_PARAMS, mergeParams } from '../../model/params.ts';
import type { Report } from '../../model/report.ts';
import type { SimInput } from '../../sim/input.ts';
import type { CellRunner } from '../../sim/many/runner.ts';
import { Cmaes } from './cmaes.ts';
import { FIT_DIMENSIONS } from './dimensions.ts';
import { correctMatrix, directEstimates, stripEstimated, type DirectEstimates } from './direct.ts';
import { Evaluator, type Evaluation } from './evaluate.ts';
import type { MeasuredRun } from './measured.ts';
import type { ParamsFile } from './params-file.ts';
import { fitProvenance } from './provenance.ts';
import { COMPASS_MIN_STEP, COMPASS_STEP, compassSearch, coordinateScan, SCAN_LEVELS, SCAN_PASSES, type LocalSearch } from './scan.ts';
import { getPath, overridesAt, resolveDimensions, toUnit, type FitDimension } from './space.ts';
import { trustRegionNeeds, trustRegionSearch } from './trust.ts';
import { correctStalls, onsetFloor, type StallEstimate, type StallParams } from './stalls.ts';
import { workloadOf } from './workload.ts';

/**
 * `sim calibrate`: fits the simulator's unknown parameters to measured runs.
 *
 * 1. Direct estimates, no optimisation: the RTT matrix between client regions and the server
 *    regions they reached, from request and handshake medians (calibrate/fit/rtt.ts); the route
 *    factor over the Leighton prior for pairs not measured; the Redis miss probability from
 *    measured hit/miss counters when present; the event-loop stalls the request tail implies
 *    (calibrate/fit/direct.ts, stalls.ts).
 * 2. A coordinate scan across every range, then a trust region on the loss's terms, a compass
 *    search, then CMA-ES with any budget left (calibrate/fit/scan.ts, trust.ts, cmaes.ts), over FIT_DIMENSIONS in the unit cube, from the
 *    priors with the stalls' estimate (or a given start), each evaluation one simulator run per
 *    measured input on the run's scenario (its users and region mix, the benchmark's ramp, then
 *    the run's load, or `fitLoadS` seconds of it; the scan's first pass `scoutLoadS` seconds)
 *    with the SAME seed every time (common random numbers; calibrate/fit/evaluate.ts),
 *    minimising the log-error loss (calibrate/fit/loss.ts). The evaluations of one coordinate or
 *    generation run at once on the runner given (in this thread, on a pool of worker threads, or
 *    on BullMQ workers on other machines): every runner returns the same Report text for the same
 *    input, so the result does not depend on it.
 * 3. RTT correction: each measured entry moves by the measured-minus-simulated median (the
 *    simulator's jitter shifts medians), kept only when it lowers the loss.
 * 4. One confirmation run at the measured length, whose loss params.json records, with what
 *    the fit did and found (calibrate/fit/provenance.ts).
 */
export type Simulate = (input: SimInput) => Report;

export interface CalibrateOptions {
  /** where simulator runs execute (sim/many: loop, pool or queue); only its texts enter the result */
  runner: Pick<CellRunner, 'run' | 'slots'>;
  /** architecture each measured run ran on */
  archFor: (run: MeasuredRun) => Architecture;
  seed: number;
  /** seconds of load after the ramp in evaluation runs (at most the run's own) */
  fitLoadS: number;
  /**
   * seconds of load of the scouting pass's runs (the first scan pass across every range), when
   * shorter than the fit's; undefined: every pass at the fit length
   */
  scoutLoadS?: number;
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
  /**
   * the local search after the scan: `trust` (the trust region on the loss's terms, then the
   * compass search), `compass` (the compass search alone) or `auto` (default: the trust region
   * when one seed per evaluation resolves every run's tail, see useTrustRegion)
   */
  localSearch?: LocalSearch;
  /** CMA-ES samples per generation (default: CMAES_MIN_POPULATION or its rule, whichever is larger) */
  population?: number;
  /** progress lines (stderr) */
  log: (line: string) => void;
  /** wall clock in ms, for progress display only (never enters the result) */
  nowMs: () => number;
  toolVersion: string;
  command: string;
}

/**
 * Initial CMA-ES step size in the unit cube, around the scan's best point: a cloud over about a
 * twentieth of every range, so that coordinates the scan moved one at a time are now moved
 * together (from the priors on the thesis baseline, 960 evaluations: loss 0.029 with 0.05
 * against 0.064 with 0.15, whose wider cloud spent most generations shrinking).
 */
export const CMAES_SIGMA0 = 0.05;
/** Fewest samples per generation: a larger population searches more globally (Hansen 2016, §B.2). */
export const CMAES_MIN_POPULATION = 16;
/** CMA-ES stops early when its cloud is narrower than this along every coordinate (unit cube). */
export const CMAES_MIN_SPREAD = 1e-3;
/**
 * Trials per coordinate kept from the trust region for the compass search after it: one pass, each
 * coordinate at ± its step. On the thesis run with the counters (2026-12-07, draws per entity) the
 * trust region spent the whole budget and stopped at loss 0.0102, where moving the loss factor
 * alone to the committed file's earlier value gave 0.0046.
 */
export const COMPASS_RESERVE = 2;
/** RTT correction passes after the optimiser. */
export const RTT_CORRECTION_PASSES = 2;
/** Stall correction passes at the start (one brings the thesis baseline's request tail within its tolerance). */
export const STALL_CORRECTION_PASSES = 2;
const STALL_KEYS = ['loopPauseEveryMessages', 'loopPauseMedianMs', 'loopPauseSigma', 'loopPauseOnsetMessages'] as const;

/**
 * Runs the calibration. Deterministic for the same inputs and options, whatever the runner (the
 * wall clock only feeds the progress lines).
 * @throws UserError when a measured input has nothing to fit (no region with medians).
 */
export async function calibrate(runs: readonly MeasuredRun[], opts: CalibrateOptions): Promise<ParamsFile> {
  const t0 = opts.nowMs();
  const archs = runs.map((r) => opts.archFor(r));
  // 1. direct estimates
  const direct = directEstimates(runs, archs, opts.log);
  const resolved = resolveDimensions(opts.dims ?? FIT_DIMENSIONS, DEFAULT_PARAMS);
  if (resolved.dropped.length) opts.log(`not fitted (the simulator has no such parameter): ${resolved.dropped.join(', ')}`);
  // servers that write their fan-outs on their loops (sim live's) have no interpreter lock to hand off
  const lockless = runs.every((r) => workloadOf(r).fanOutOnLoop === true);
  const dims = lockless ? resolved.dims.filter((d) => d.path !== 'broadcastLockHandoff') : resolved.dims;
  if (lockless && dims.length < resolved.dims.length) opts.log('not fitted (every run\'s servers write their fan-outs on their event loops, as sim live\'s do: no interpreter lock): broadcastLockHandoff');
  const ev = new Evaluator(runs, archs, opts);
  const { search, priorLoss } = await startSearch(ev, dims, direct, opts);

  // 2. a coordinate scan across every range (scan.ts; each pass's trials run together), then
  // CMA-ES from its best point, with common random numbers (same seed at every evaluation); a
  // generation's evaluations run together. The best point evaluated is kept (its loss is exact:
  // the same seed gives the same value again).
  search.t0 = opts.nowMs();
  search.evals0 = search.evals;
  const { scanEvals, scoutLoadS, trustEvals } = await scanStep(search);
  const cmaes = await cmaesStep(search);

  // 3. RTT correction at the optimum (the point as evaluated: raised to the floors)
  search.u = floored(search, search.u);
  const atOptimum = await ev.one(overridesOf(search, search.u));
  const best = await correctRtt(search, atOptimum, RTT_CORRECTION_PASSES, (pass, loss) => `RTT correction pass ${pass + 1}: loss ${loss.toFixed(4)}`);
  const params = overridesOf(search, search.u);
  opts.log(`fit done: loss ${best.loss.toFixed(4)} after ${search.evals} evaluations (${cmaes.stop}) in ${((opts.nowMs() - t0) / 1000).toFixed(1)} s`);

  // 4. confirmation at the measured length
  let fullLoss: number | null = null;
  let final = best;
  if (opts.confirm) {
    // when the evaluations ran the measured scenario, the fit's loss is the measured length's
    if (ev.shortened) {
      opts.log('confirmation run at the measured length...');
      final = await ev.one(params, true);
    }
    fullLoss = final.loss;
    opts.log(`loss at the measured length: ${fullLoss.toFixed(4)}`);
  }
  const record = { dims, u: search.u, priorLoss, best, final, fullLoss, evals: search.evals, scanEvals, scoutLoadS, trustEvals, sigma0: CMAES_SIGMA0, ...cmaes };
  return { params, provenance: fitProvenance(runs, archs, opts, direct, ev, record) };
}

/** The loopPause* overrides of a stall estimate (none without one). */
function stallOverrides(stalls: StallEstimate | null): Record<string, unknown> {
  if (!stalls) return {};
  const { basis: _b, ...overrides } = stalls;
  return overrides;
}

/** The search's state, passed through its steps. */
interface Search {
  ev: Evaluator;
  dims: readonly FitDimension[];
  opts: CalibrateOptions;
  /** overrides not searched: the direct estimates (the RTT matrix as corrected so far), a warm start's other parameters */
  base: Record<string, unknown>;
  /** per dimension, the lowest unit coordinate the data allow (0 but for the stalls' onset: stalls.ts onsetFloor) */
  floors: number[];
  /** the best point evaluated (unit cube), its loss, the evaluations the scan and CMA-ES spent */
  u: number[];
  loss: number;
  evals: number;
  /** wall clock (ms) and evaluations when the current pace began (the scan, then the first pass at the fit length), for the ETA only */
  t0: number;
  evals0: number;
}

/** The parameter overrides at a point of the unit cube (raised to the floors). */
function overridesOf(s: Search, u: readonly number[]): Record<string, unknown> {
  return overridesAt(s.base, s.dims, floored(s, u), DEFAULT_PARAMS);
}

/** A point raised to the search's floors. */
function floored(s: Pick<Search, 'floors'>, u: readonly number[]): number[] {
  return u.map((x, i) => Math.max(x, s.floors[i]));
}

/**
 * The start point: the given start parameters, or the priors with the stalls the request tail
 * implies; with the direct estimates and one median correction of the RTT matrix where it lowers
 * the loss; also the loss at the priors.
 */
async function startSearch(ev: Evaluator, dims: readonly FitDimension[], direct: DirectEstimates, opts: CalibrateOptions): Promise<{ search: Search; priorLoss: number }> {
  const estimated = direct.base;
  const startOverrides = opts.start ? stripEstimated(opts.start.overrides) : stallOverrides(direct.stalls);
  const startParams = mergeParams(startOverrides, 'the start parameters') as unknown as Record<string, unknown>;
  const u0 = dims.map((d) => toUnit(startParams[d.path] as number, d));
  if (opts.start) opts.log(`starting from the given parameters instead of the priors`);
  // a warm start keeps its other parameters (those not fitted now) in the result
  // the stalls' onset: no earlier than the ramp's end when the ramp's handshakes show no stall
  const floor = onsetFloor(direct.stalls);
  const floors = dims.map((d) => (d.path === 'loopPauseOnsetMessages' && floor > d.lo ? toUnit(floor, d) : 0));
  if (floors.some((f) => f > 0)) opts.log(`stalls' onset: at least ${floor} messages (the ramp's handshakes show no stall)`);
  const search: Search = { ev, dims, opts, base: { ...startOverrides, ...structuredClone(estimated) }, floors, u: u0, loss: NaN, evals: 0, t0: 0, evals0: 0 };
  const [priorEval, startEval] = await ev.all([{}, overridesOf(search, u0)]);
  opts.log(`loss at the priors: ${priorEval.loss.toFixed(4)}`);
  opts.log(`loss with the estimated RTT matrix: ${startEval.loss.toFixed(4)}`);
  let start = await correctRtt(search, startEval, 1, (_pass, loss) => `loss after the median correction of the RTT matrix: ${loss.toFixed(4)}`);
  if (!opts.start && direct.stalls) start = await correctStallsStep(search, start, STALL_CORRECTION_PASSES);
  search.loss = start.loss;
  return { search, priorLoss: priorEval.loss };
}

/**
 * Up to `passes` corrections of the stalls at the current point on the simulator's own reading
 * of its tail (stalls.ts `correctStalls`), each kept only when it lowers the loss.
 */
async function correctStallsStep(s: Search, current: Evaluation, passes: number): Promise<Evaluation> {
  for (let pass = 0; pass < passes; pass++) {
    const at = overridesOf(s, s.u);
    const given = Object.fromEntries(STALL_KEYS.map((k) => [k, Number(getPath(mergeParams(at, 'the stall correction'), k))])) as unknown as StallParams;
    const next = correctStalls(given, current.reports, s.ev.runs);
    if (!next) break;
    const u = [...s.u];
    const base = { ...s.base };
    for (const k of STALL_KEYS) {
      const i = s.dims.findIndex((d) => d.path === k);
      if (i >= 0) u[i] = toUnit(next[k], s.dims[i]);
      else base[k] = next[k];
    }
    const tried = await s.ev.one(overridesAt(base, s.dims, u, DEFAULT_PARAMS));
    if (!(tried.loss < current.loss)) break;
    s.u = u;
    s.base = base;
    current = tried;
    s.opts.log(`loss after correcting the stalls on the simulator's reading of its tail (${next.loopPauseMedianMs} ms, sigma ${next.loopPauseSigma}, every ${next.loopPauseEveryMessages} messages): ${current.loss.toFixed(4)}`);
  }
  return current;
}

/**
 * Up to `passes` median corrections of the RTT matrix at the current point, each kept (in
 * `s.base`, and logged) only when it lowers the loss; returns the evaluation kept last.
 */
async function correctRtt(s: Search, current: Evaluation, passes: number, line: (pass: number, loss: number) => string): Promise<Evaluation> {
  for (let pass = 0; pass < passes; pass++) {
    const nextBase = correctMatrix(s.base, current.reports, s.ev.runs, s.ev.archs);
    const next = await s.ev.one(overridesAt(nextBase, s.dims, s.u, DEFAULT_PARAMS));
    if (!(next.loss < current.loss)) break;
    s.base = nextBase;
    current = next;
    s.opts.log(line(pass, current.loss));
  }
  return current;
}

/** Keeps the best of the points evaluated (the first of equals, after the point already held). */
function keepBest(s: Search, points: readonly number[][], values: readonly number[]): void {
  values.forEach((v, k) => {
    if (v < s.loss) {
      s.loss = v;
      s.u = points[k];
    }
  });
}

/**
 * One progress line. `costAhead`: how much longer the evaluations still to come take than the
 * current ones (the scouting pass's runs are shorter than the fit's), for the ETA.
 */
function progress(s: Search, what: string, costAhead = 1): void {
  const { opts } = s;
  const perEval = (opts.nowMs() - s.t0) / 1000 / Math.max(1, s.evals - s.evals0);
  opts.log(`${s.evals}/${opts.maxEvals} evaluations, best loss ${s.loss.toFixed(4)} (${what}), ${perEval.toFixed(2)} s per evaluation, ETA ${formatEta(perEval * costAhead * (opts.maxEvals - s.evals))}`);
}

/**
 * The coordinate scan from the start point (scan.ts), within the budget: with a scouting length
 * shorter than the fit's, the first pass across every range runs on the short scenario (it only
 * has to find each coordinate's basin, at a quarter of the cost) and its best point is kept if
 * the fit-length loss agrees; then the remaining passes across every range at the fit length;
 * then a compass search (scan.ts) with the rest of the budget. Returns the evaluations it spent
 * and the scouting length (null when there was no scouting pass).
 */
async function scanStep(s: Search): Promise<{ scanEvals: number; scoutLoadS: number | null; trustEvals: number | null }> {
  const { opts } = s;
  const n = s.dims.length;
  const start = s.evals;
  // one batch objective for every pass: evaluate together, count, keep the best at the fit
  // length (a scouting value is on another scale), one progress line per batch
  const objective = (ev: Evaluator, label: () => string, costAhead = 1) => async (points: number[][]) => {
    const values = (await ev.all(points.map((p) => overridesOf(s, p)))).map((r) => r.loss);
    s.evals += points.length;
    if (ev === s.ev) keepBest(s, points, values);
    progress(s, label(), costAhead);
    return values;
  };
  const pass = (ev: Evaluator, label: string, u: number[], value: number, costAhead = 1) => {
    let k = 0;
    return coordinateScan(objective(ev, () => `${label}, coordinate ${++k} of ${n}`, costAhead), u, value, opts.maxEvals - s.evals, SCAN_LEVELS, 1);
  };
  let scouted: number | null = null;
  const longest = Math.max(...s.ev.fitScenarios.map((sc) => sc.durationS));
  if (opts.scoutLoadS !== undefined && opts.scoutLoadS < longest && s.evals < opts.maxEvals) {
    const scout = new Evaluator(s.ev.runs, s.ev.archs, { ...opts, fitLoadS: opts.scoutLoadS });
    const at = await scout.one(overridesOf(s, s.u));
    s.evals++;
    const ramp = Math.max(...s.ev.ramps);
    const r = await pass(scout, `scouting pass (${opts.scoutLoadS} s of load)`, s.u, at.loss, (ramp + longest) / (ramp + opts.scoutLoadS));
    scouted = opts.scoutLoadS;
    if (r.u.some((x, i) => x !== s.u[i]) && s.evals < opts.maxEvals) {
      const checked = await s.ev.one(overridesOf(s, r.u));
      s.evals++;
      const kept = checked.loss < s.loss;
      keepBest(s, [r.u], [checked.loss]);
      opts.log(`scouting pass's best point at the fit length: loss ${checked.loss.toFixed(4)} (${kept ? 'kept' : 'not kept'})`);
    }
    // the ETA's pace from here on is the fit length's
    s.t0 = opts.nowMs();
    s.evals0 = s.evals;
  }
  // the scouting pass counts as the first of the passes across every range
  for (let p = scouted === null ? 0 : 1; p < SCAN_PASSES && s.evals < opts.maxEvals; p++) {
    const r = await pass(s.ev, `scan pass ${p + 1}`, s.u, s.loss);
    s.u = r.u;
    s.loss = r.value;
  }
  let trustEvals: number | null = null;
  // the trust region's budget beside its start point's evaluation and one compass pass kept for
  // after it (the linear model misses moves whose effect is a threshold: a loss rate whose
  // retransmissions cross a p98); it runs when that lets it take a step (otherwise the start
  // point's evaluation is the compass's)
  const trustBudget = opts.maxEvals - s.evals - 1 - COMPASS_RESERVE * n;
  if (trustBudget >= trustRegionNeeds(n) && useTrustRegion(opts.localSearch, s.ev.replications)) {
    const at = await s.ev.one(overridesOf(s, s.u));
    s.evals++;
    const f = async (points: number[][]) => {
      const evs = await s.ev.all(points.map((p) => overridesOf(s, p)));
      s.evals += points.length;
      keepBest(s, points, evs.map((e) => e.loss));
      return evs.map((e) => ({ value: e.loss, errors: e.errors }));
    };
    const r = await trustRegionSearch(f, s.ev.termModels, s.u, { value: at.loss, errors: at.errors }, trustBudget, (what) => progress(s, what));
    s.u = r.u;
    s.loss = r.value;
    trustEvals = r.evals + 1;
  }
  if (s.evals < opts.maxEvals) {
    let passNo = 0;
    const r = await compassSearch(objective(s.ev, () => `compass pass ${passNo + 1}`), s.u, s.loss, opts.maxEvals - s.evals, COMPASS_STEP, COMPASS_MIN_STEP, (p) => { passNo = p; });
    s.u = r.u;
    s.loss = r.value;
  }
  return { scanEvals: s.evals - start, scoutLoadS: scouted, trustEvals };
}

/**
 * Whether the trust region runs. `auto`: only when every measured run is evaluated on one seed,
 * i.e. long enough for its own request tail (evaluate.ts fitReplications). The trust region
 * fits the loss's fine structure, and for a run too short for its tail that structure is the
 * sampling noise of a few dozen tail samples: on the three one-minute live baselines it lowered
 * the in-sample loss (2026-12-05: 0.0020 to 0.0004) and predicted the other architectures worse
 * with each of three calibration seeds (docs/calibration.md).
 */
export function useTrustRegion(kind: LocalSearch | undefined, replications: readonly number[]): boolean {
  if (kind === 'trust') return true;
  if (kind === 'compass') return false;
  return replications.every((r) => r === 1);
}

/** CMA-ES from the scan's best point until the budget is spent or the cloud has converged. */
async function cmaesStep(s: Search): Promise<{ population: number; generations: number; stop: string }> {
  const { opts } = s;
  const population = opts.population ?? Math.max(CMAES_MIN_POPULATION, 4 + Math.floor(3 * Math.log(s.dims.length)));
  const es = new Cmaes({ mean: s.u, sigma: CMAES_SIGMA0, seed: `calibrate-${opts.seed}`, lambda: population });
  let stop = 'maxEvals';
  while (s.evals + population <= opts.maxEvals) {
    const generation = es.ask();
    const values = (await s.ev.all(generation.map((g) => overridesOf(s, g.u)))).map((r) => r.loss);
    s.evals += population;
    keepBest(s, generation.map((g) => g.u), values);
    es.tell(generation, values);
    progress(s, `CMA-ES generation ${es.generation}: best ${Math.min(...values).toFixed(4)}, step ${es.sigma.toFixed(3)}`);
    if (es.spread() < CMAES_MIN_SPREAD) { stop = 'converged'; break; }
  }
  return { population, generations: es.generation, stop };
}

function formatEta(s: number): string {
  const t = Math.max(0, Math.round(s));
  return t >= 60 ? `${Math.floor(t / 60)} min ${t % 60} s` : `${t} s`;
}
