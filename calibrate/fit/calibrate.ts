import type { Architecture } from '../../model/architecture.ts';
import type { RttMatrix } from '../../model/network.ts';
import { DEFAULT_PARAMS, mergeParams, type Params } from '../../model/params.ts';
import type { Report } from '../../model/report.ts';
import type { SimInput } from '../../sim/input.ts';
import type { CellRunner } from '../../sim/many/runner.ts';
import { FIT_DIMENSIONS } from './dimensions.ts';
import { regionSummaries } from './hash.ts';
import { HINGE_MARGIN, HINGE_WEIGHT, loadSeconds, loss, meanCpuPercent, type LossResult } from './loss.ts';
import type { MeasuredRun } from './measured.ts';
import { Cmaes } from './cmaes.ts';
import { coordinateScan, SCAN_LEVELS, SCAN_PASSES } from './scan.ts';
import { PARAMS_FILE_FORMAT, type ParamsFile, type ParamsProvenance } from './params-file.ts';
import { estimateRtt, type RttEstimate } from './rtt.ts';
import { clampUnit, fromUnit, getPath, overridesAt, resolveDimensions, roundSig, toUnit, type FitDimension } from './space.ts';
import { rampSecondsOf, workloadOf } from './workload.ts';

/**
 * `sim calibrate`: fits the simulator's unknown parameters to measured runs.
 *
 * 1. Direct estimates, no optimisation: the RTT matrix between client regions and the server
 *    regions they reached, from request and handshake medians (calibrate/fit/rtt.ts); the route
 *    factor over the Leighton prior for pairs not measured; the Redis miss probability from
 *    measured hit/miss counters when present.
 * 2. CMA-ES (calibrate/fit/cmaes.ts) over FIT_DIMENSIONS in the unit cube, from the priors, each
 *    evaluation one simulator run per measured input on a shortened scenario (the run's users and
 *    region mix, the benchmark's ramp, `fitLoadS` seconds of load instead of the run's) with the
 *    SAME seed every time (common random numbers), minimising the log-error loss
 *    (calibrate/fit/loss.ts). The evaluations of one generation run at once on the runner given
 *    (in this thread, on a pool of worker threads, or on BullMQ workers on other machines): every
 *    runner returns the same Report text for the same input, so the result does not depend on it.
 * 3. RTT correction: each measured entry moves by the measured-minus-simulated median (the
 *    simulator's jitter shifts medians), kept only when it lowers the loss.
 * 4. One confirmation run at the measured length, whose loss params.json records.
 */
export type Simulate = (input: SimInput) => Report;

export interface CalibrateOptions {
  /** where simulator runs execute (sim/many: loop, pool or queue); only its texts enter the result */
  runner: Pick<CellRunner, 'run' | 'slots'>;
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
  /** CMA-ES samples per generation (default: CMAES_MIN_POPULATION or its rule, whichever is larger) */
  population?: number;
  /** progress lines (stderr) */
  log: (line: string) => void;
  /** wall clock in ms, for progress display only (never enters the result) */
  nowMs: () => number;
  toolVersion: string;
  command: string;
}

/** Share of the evaluation budget the coordinate scan may use before CMA-ES. */
export const SCAN_SHARE = 0.3;
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
/** A fitted value within this share of its range from an end sits at a bound (a finding). */
export const AT_BOUND_SHARE = 0.01;
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
 * Runs the calibration. Deterministic for the same inputs and options, whatever the runner (the
 * wall clock only feeds the progress lines).
 * @throws UserError when a measured input has nothing to fit (no region with medians).
 */
export async function calibrate(runs: readonly MeasuredRun[], opts: CalibrateOptions): Promise<ParamsFile> {
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
  /** Evaluates parameter sets together (one batch on the runner), in order. */
  const evaluateAll = async (candidates: ReadonlyArray<Record<string, unknown>>, full = false): Promise<Evaluation[]> => {
    const inputs: SimInput[] = [];
    for (const overrides of candidates) {
      const params: Params = mergeParams(overrides, 'calibration candidate');
      runs.forEach((run, i) => inputs.push({ arch: archs[i], scenario: full ? workloadOf(run) : fitScenarios[i], params, seed: opts.seed }));
    }
    const texts = await opts.runner.run(inputs);
    return candidates.map((_, c) => {
      const reports = runs.map((_r, i) => JSON.parse(texts[c * runs.length + i]) as Report);
      const perRun = reports.map((rep, i) => loss(rep, runs[i].report, {
        regions: runs[i].regions,
        predictedLoadS: full ? loadSeconds(rep.durationS, ramps[i]) : fitLoad[i],
        measuredLoadS: measuredLoad[i],
      }));
      const terms = perRun.reduce((s, l) => s + l.terms.length, 0);
      const total = perRun.reduce((s, l) => s + l.loss * l.terms.length, 0) / Math.max(1, terms);
      return { loss: total, terms, perRun, reports };
    });
  };
  const evaluate = async (overrides: Record<string, unknown>, full = false): Promise<Evaluation> => (await evaluateAll([overrides], full))[0];

  const startOverrides = stripEstimated(opts.start?.overrides ?? {});
  const startParams = mergeParams(startOverrides, 'the start parameters') as unknown as Record<string, unknown>;
  const u0 = dims.map((d) => toUnit(startParams[d.path] as number, d));
  if (opts.start) opts.log(`starting from the given parameters instead of the priors`);
  // a warm start keeps its other parameters (those not fitted now) in the result
  let bestBase = { ...startOverrides, ...structuredClone(base) };
  let [priorEval, startEval] = await evaluateAll([{}, overridesAt(bestBase, dims, u0, DEFAULT_PARAMS)]);
  opts.log(`loss at the priors: ${priorEval.loss.toFixed(4)}`);
  opts.log(`loss with the estimated RTT matrix: ${startEval.loss.toFixed(4)}`);
  const corrected = correctMatrix(bestBase, startEval.reports, runs, archs);
  const startCorrected = await evaluate(overridesAt(corrected, dims, u0, DEFAULT_PARAMS));
  if (startCorrected.loss < startEval.loss) {
    bestBase = corrected;
    startEval = startCorrected;
    opts.log(`loss after the median correction of the RTT matrix: ${startEval.loss.toFixed(4)}`);
  }

  // 2. a coordinate scan across every range (scan.ts; each pass's trials run together), then
  // CMA-ES from its best point, with common random numbers (same seed at every evaluation); a
  // generation's evaluations run together. The best point evaluated is kept (its loss is exact:
  // the same seed gives the same value again).
  let bestLoss = startEval.loss;
  let bestU = u0;
  const tFit = opts.nowMs();
  const progress = (what: string): void => {
    const perEval = (opts.nowMs() - tFit) / 1000 / Math.max(1, evals);
    opts.log(`${evals}/${opts.maxEvals} evaluations, best loss ${bestLoss.toFixed(4)} (${what}), ${perEval.toFixed(2)} s per evaluation, ETA ${formatEta(perEval * (opts.maxEvals - evals))}`);
  };
  const scanBudget = Math.floor(opts.maxEvals * SCAN_SHARE);
  let scanned = 0;
  const scan = await coordinateScan(async (points) => {
    const values = (await evaluateAll(points.map((u) => overridesAt(bestBase, dims, u, DEFAULT_PARAMS)))).map((r) => r.loss);
    evals += points.length;
    values.forEach((v, k) => {
      if (v < bestLoss) {
        bestLoss = v;
        bestU = points[k];
      }
    });
    scanned++;
    progress(`scan pass ${Math.floor((scanned - 1) / dims.length) + 1}, coordinate ${((scanned - 1) % dims.length) + 1} of ${dims.length}`);
    return values;
  }, bestU, bestLoss, scanBudget);
  bestU = scan.u;
  bestLoss = scan.value;
  const population = opts.population ?? Math.max(CMAES_MIN_POPULATION, 4 + Math.floor(3 * Math.log(dims.length)));
  const es = new Cmaes({ mean: bestU, sigma: CMAES_SIGMA0, seed: `calibrate-${opts.seed}`, lambda: population });
  let stop = 'maxEvals';
  while (evals + population <= opts.maxEvals) {
    const generation = es.ask();
    const results = await evaluateAll(generation.map((s) => overridesAt(bestBase, dims, s.u, DEFAULT_PARAMS)));
    evals += population;
    const values = results.map((r) => r.loss);
    values.forEach((v, k) => {
      if (v < bestLoss) {
        bestLoss = v;
        bestU = generation[k].u;
      }
    });
    es.tell(generation, values);
    progress(`CMA-ES generation ${es.generation}: best ${Math.min(...values).toFixed(4)}, step ${es.sigma.toFixed(3)}`);
    if (es.spread() < CMAES_MIN_SPREAD) { stop = 'converged'; break; }
  }
  let best = await evaluate(overridesAt(bestBase, dims, bestU, DEFAULT_PARAMS));

  // 3. RTT correction at the optimum
  for (let pass = 0; pass < RTT_CORRECTION_PASSES; pass++) {
    const nextBase = correctMatrix(bestBase, best.reports, runs, archs);
    const next = await evaluate(overridesAt(nextBase, dims, bestU, DEFAULT_PARAMS));
    if (!(next.loss < best.loss)) break;
    bestBase = nextBase;
    best = next;
    opts.log(`RTT correction pass ${pass + 1}: loss ${best.loss.toFixed(4)}`);
  }
  const params = overridesAt(bestBase, dims, bestU, DEFAULT_PARAMS);
  opts.log(`fit done: loss ${best.loss.toFixed(4)} after ${evals} evaluations (${stop}) in ${((opts.nowMs() - t0) / 1000).toFixed(1)} s`);

  // 4. confirmation at the measured length
  let fullLoss: number | null = null;
  let final = best;
  if (opts.confirm) {
    opts.log('confirmation run at the measured length...');
    final = await evaluate(params, true);
    fullLoss = final.loss;
    opts.log(`loss at the measured length: ${fullLoss.toFixed(4)}`);
  }

  const fitted = dims.map((d, i) => {
    const u = clampUnit(bestU[i]);
    const atBound = u <= AT_BOUND_SHARE ? 'lo' as const : u >= 1 - AT_BOUND_SHARE ? 'hi' as const : null;
    return { path: d.path, value: roundSig(fromUnit(u, d), 6), prior: getPath(DEFAULT_PARAMS, d.path) as number, lo: d.lo, hi: d.hi, log: d.log, atBound, meaning: d.meaning, scales: d.scales ?? [] };
  });
  const cpu = runs.map((r, i) => ({ input: r.spec, simulated: roundOrNull(meanCpuPercent(final.reports[i])), measured: roundOrNull(meanCpuPercent(r.report)) }));
  const findings = [
    ...fitted.filter((f) => f.atBound).map((f) => {
      const where = `${f.path} = ${f.value} sits at the ${f.atBound === 'lo' ? 'lower' : 'upper'} bound of its range [${f.lo}, ${f.hi}] (prior ${f.prior})`;
      // a prior beyond the bound it sits at: the mechanism off, as the prior has it
      const priorBeyond = f.atBound === 'lo' ? f.prior <= f.lo : f.prior >= f.hi;
      return priorBeyond
        ? `${where}: the fit leaves the mechanism (nearly) off, as its prior does; the data do not ask for it`
        : `${where}: the data push it beyond what the range allows, or it stands in for a mechanism the model lacks; not a value to trust`;
    }),
    // a live run's CPU is of its own capped processes, not comparable (calibrate/fit/loss.ts)
    ...cpu.filter((c, i) => runs[i].report.kind !== 'live' && c.simulated !== null && c.measured !== null && Math.abs(c.simulated - c.measured) > CPU_FINDING_SHARE * c.measured)
      .map((c) => `${c.input}: simulated server CPU ${c.simulated} % against ${c.measured} % measured`),
  ];
  for (const line of parameterTable(fitted)) opts.log(line);
  cpu.forEach((c, i) => opts.log(`server CPU (${c.input}): simulated ${c.simulated ?? '—'} %, measured ${c.measured ?? '—'} %${opts.confirm ? ' (at the measured length)' : ' (shortened run)'}${runs[i].report.kind === 'live' ? ', not comparable: a live run\'s CPU is of its own capped processes' : ''}`));
  for (const f of findings) opts.log(`finding: ${f}`);

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
      summaries: regionSummaries(r.report, r.regions),
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
      optimiser: `from ${opts.start ? 'given start parameters' : 'the priors'}, in the unit cube of the fitted ranges: a coordinate scan (${SCAN_PASSES} passes over ${SCAN_LEVELS.join(', ')} of each range, the levels of each coordinate evaluated at once, ${scan.evals} evaluations), then CMA-ES from its best point (step ${CMAES_SIGMA0}, ${population} samples per generation, ${es.generation} generations, sampling seed "calibrate-${opts.seed}"; samples outside the cube evaluated at its surface), the best point evaluated kept; stop: ${stop}`,
    },
    fitted,
    cpu,
    findings,
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

/** Simulated CPU further than this share from the measured one is reported as a finding. */
export const CPU_FINDING_SHARE = 0.25;

/** Fitted parameters beside their priors and ranges, one line each, for the progress log. */
export function parameterTable(fitted: ParamsProvenance['fitted']): string[] {
  const rows = fitted.map((f) => [f.path, String(f.value), String(f.prior ?? '—'), `[${f.lo}, ${f.hi}]${f.log ? ' log' : ''}`, f.atBound ? `AT ${f.atBound === 'lo' ? 'LOWER' : 'UPPER'} BOUND` : '']);
  const head = ['parameter', 'fitted', 'prior', 'range', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

function formatEta(s: number): string {
  const t = Math.max(0, Math.round(s));
  return t >= 60 ? `${Math.floor(t / 60)} min ${t % 60} s` : `${t} s`;
}

function roundOrNull(x: number | null): number | null {
  return x === null ? null : roundSig(x, 4);
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
