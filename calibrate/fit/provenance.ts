import type { Architecture } from '../../model/architecture.ts';
import { DEFAULT_PARAMS } from '../../model/params.ts';
import type { CalibrateOptions } from './calibrate.ts';
import type { DirectEstimates } from './direct.ts';
import { FIT_TAIL_REQUESTS, type Evaluation, type Evaluator } from './evaluate.ts';
import { regionSummaries } from './hash.ts';
import { HINGE_MARGIN, HINGE_WEIGHT, meanCpuPercent } from './loss.ts';
import type { MeasuredRun } from './measured.ts';
import { PARAMS_FILE_FORMAT, type ParamsProvenance } from './params-file.ts';
import { COMPASS_MIN_STEP, COMPASS_STEP, SCAN_LEVELS, SCAN_PASSES } from './scan.ts';
import { TRUST_DELTA0, TRUST_FD_STEP } from './trust.ts';
import { clampUnit, fromUnit, getPath, roundSig, type FitDimension } from './space.ts';
import { liveMachineNote, workloadOf } from './workload.ts';

/**
 * The last step of `sim calibrate`: what params.json says of a fit (its provenance), with the
 * fitted values beside their priors, the simulated server CPU beside the measured one, and the
 * findings, each also logged.
 */

/** A fitted value within this share of its range from an end sits at a bound (a finding). */
export const AT_BOUND_SHARE = 0.01;
/** Simulated CPU further than this share from the measured one is reported as a finding. */
export const CPU_FINDING_SHARE = 0.25;

/** What the search did and reached, as the provenance records it. */
export interface FitRecord {
  dims: readonly FitDimension[];
  /** the best point, in the unit cube */
  u: readonly number[];
  priorLoss: number;
  /** the best point's evaluation on the shortened scenarios */
  best: Evaluation;
  /** the evaluation whose Reports give the simulated CPU: at the measured length when confirmed, else `best` */
  final: Evaluation;
  fullLoss: number | null;
  evals: number;
  scanEvals: number;
  /** evaluations of the trust region (null: not run) */
  trustEvals: number | null;
  /** seconds of load of the scouting pass, null when every pass ran at the fit length */
  scoutLoadS: number | null;
  population: number;
  /** CMA-ES sampling step (unit cube) and generations run */
  sigma0: number;
  generations: number;
  stop: string;
}

type Fitted = ReturnType<typeof fittedValues>;
type Cpu = NonNullable<ParamsProvenance['cpu']>;

/** The provenance of a fit; logs the parameter table, the CPU comparison and the findings. */
export function fitProvenance(runs: readonly MeasuredRun[], archs: readonly Architecture[], opts: CalibrateOptions, direct: DirectEstimates, ev: Evaluator, rec: FitRecord): ParamsProvenance {
  const fitted = fittedValues(rec.dims, rec.u);
  const cpu = runs.map((r, i) => ({ input: r.spec, simulated: roundOrNull(meanCpuPercent(rec.final.reports[i])), measured: roundOrNull(meanCpuPercent(r.report)) }));
  const findings = findingsOf(fitted, cpu, runs);
  for (const line of parameterTable(fitted)) opts.log(line);
  cpu.forEach((c, i) => opts.log(`server CPU (${c.input}): simulated ${c.simulated ?? '—'} %, measured ${c.measured ?? '—'} %${opts.confirm ? ' (at the measured length)' : ' (shortened run)'}${runs[i].report.kind === 'live' ? ', not comparable: a live run\'s CPU is of its own capped processes' : ''}`));
  runs.forEach((r, i) => {
    const machine = liveMachineNote(r, archs[i]);
    if (machine !== null) opts.log(`${r.spec}: ${machine}`);
  });
  for (const f of findings) opts.log(`finding: ${f}`);
  return {
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
      prior: round6(rec.priorLoss),
      fit: round6(rec.best.loss),
      fullLength: rec.fullLoss === null ? null : round6(rec.fullLoss),
      terms: rec.best.terms,
    },
    evaluation: evaluationRecord(runs, opts, ev, rec),
    fitted,
    cpu,
    findings,
    estimated: {
      rttMatrixMs: 'client region -> server region, from request and handshake medians, then corrected by measured minus simulated medians',
      ...(direct.base.lossMatrix ? { lossMatrix: 'client region -> server region, per-message loss from the share of the region\'s handshakes beyond median + half the first-sample RTO (calibrate/fit/pathloss.ts); only where that share is at least 1 %' } : {}),
      ...(direct.missEstimate !== null ? { redisMissProbability: 'keyspace misses / (hits + misses) of the measured counters' } : {}),
      rtt: direct.estimates.map((e) => ({ anchor: e.anchor, requestServerMs: e.requestServerMs, handshakeServerMs: e.handshakeServerMs, detail: e.detail })),
      stalls: opts.start
        ? { start: null, note: 'not used: the fit started from the given start parameters' }
        : { start: direct.stalls, note: `the fit's start for loopPause*, from the request tail (calibrate/fit/stalls.ts): ${direct.stallsReason}` },
    },
    architectureSpecific: [],
    notes: [
      'Nothing here is specific to an architecture: the RTT matrix is per region pair, costs are per message, per operation or per socket.',
      ...runs.filter((r) => r.subset).map((r) => r.hash.files.some((f) => !f.path.startsWith('clients/'))
        ? `Region subset of ${r.spec}: only the selected regions' client reports were read, with the run's server-side files (--with-server-files); its counters were compared per user of the whole run (measured.ts serverCountUsers).`
        : `Region subset of ${r.spec}: only the selected regions' client reports were read and hashed; the run's server-side files were not used.`),
    ],
  };
}

/** How the evaluations ran and how the optimiser searched. */
function evaluationRecord(runs: readonly MeasuredRun[], opts: CalibrateOptions, ev: Evaluator, rec: FitRecord): ParamsProvenance['evaluation'] {
  const { fitScenarios, ramps } = ev;
  const shortened = ev.shortened;
  return {
    loadS: Math.max(...fitScenarios.map((s) => s.durationS)),
    rampS: ramps[0],
    note: `${shortened ? 'evaluations ran a shortened scenario' : 'evaluations ran the measured scenario'}: the measured users and region mix, the run's ramp (${ramps.map((r) => `${roundSig(r, 4)} s`).join(', ')}), then ${fitScenarios.map((s) => `${s.durationS} s`).join(', ')} of load${shortened ? ` (at most ${opts.fitLoadS} s) instead of the measured run's ${runs.map((r) => `${workloadOf(r).durationS} s`).join(', ')}` : ''}${rec.scoutLoadS !== null ? `; the scouting pass ran ${rec.scoutLoadS} s of load` : ''}; ${opts.confirm ? (shortened ? 'the final parameters were checked once at the measured length (loss.fullLength)' : 'the fit\'s loss is the loss at the measured length (loss.fullLength)') : 'no run at the measured length was made'}; ${replicationNote(ev, opts.seed)}`,
    evaluations: rec.evals,
    optimiser: `from ${opts.start ? 'given start parameters' : 'the priors, loopPause* from the request tail\'s stalls'}, in the unit cube of the fitted ranges: a coordinate scan (${SCAN_PASSES} passes over ${SCAN_LEVELS.join(', ')} of each range${rec.scoutLoadS !== null ? ', the first on the scouting scenario' : ''}, then ${rec.trustEvals !== null ? `a trust region on the loss's terms (${rec.trustEvals} evaluations: Jacobians of the log errors by forward differences of ${TRUST_FD_STEP}, Broyden updates, steps of Δ and Δ/4 from Δ = ${TRUST_DELTA0} evaluated at once), then ` : ''}a compass search with what was left (each coordinate ± its step, from ${COMPASS_STEP}, halved when neither side is better, down to ${COMPASS_MIN_STEP}), the levels of each coordinate evaluated at once, ${rec.scanEvals} evaluations), then CMA-ES from its best point (step ${rec.sigma0}, ${rec.population} samples per generation, ${rec.generations} generations, sampling seed "calibrate-${opts.seed}"; samples outside the cube evaluated at its surface), the best point evaluated kept; stop: ${rec.stop}`,
  };
}

/** The seeds each evaluation ran (fitReplications). */
function replicationNote(ev: Evaluator, seed: number): string {
  const many = ev.replications.some((r) => r > 1);
  if (!many) return `one seed (${seed}) per evaluation`;
  return `seeds per evaluation of each run: ${ev.replications.map((r) => (r > 1 ? `${seed}..${seed + r - 1}` : `${seed}`)).join(', ')} (the loss the mean over them: fewer than ${FIT_TAIL_REQUESTS} requests beyond a region's p98 at one seed)`;
}

/** Each fitted dimension's value beside its prior and range, flagged when it sits at a bound. */
function fittedValues(dims: readonly FitDimension[], u: readonly number[]) {
  return dims.map((d, i) => {
    const x = clampUnit(u[i]);
    const atBound = x <= AT_BOUND_SHARE ? 'lo' as const : x >= 1 - AT_BOUND_SHARE ? 'hi' as const : null;
    return { path: d.path, value: roundSig(fromUnit(x, d), 6), prior: getPath(DEFAULT_PARAMS, d.path) as number, lo: d.lo, hi: d.hi, log: d.log, atBound, meaning: d.meaning, scales: d.scales ?? [] };
  });
}

/** Values at a bound, and simulated server CPU far from the measured one. */
function findingsOf(fitted: Fitted, cpu: Cpu, runs: readonly MeasuredRun[]): string[] {
  return [
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
}

/** Fitted parameters beside their priors and ranges, one line each, for the progress log. */
export function parameterTable(fitted: ParamsProvenance['fitted']): string[] {
  const rows = fitted.map((f) => [f.path, String(f.value), String(f.prior ?? '—'), `[${f.lo}, ${f.hi}]${f.log ? ' log' : ''}`, f.atBound ? `AT ${f.atBound === 'lo' ? 'LOWER' : 'UPPER'} BOUND` : '']);
  const head = ['parameter', 'fitted', 'prior', 'range', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

function roundOrNull(x: number | null): number | null {
  return x === null ? null : roundSig(x, 4);
}

function round6(x: number): number {
  return roundSig(x, 6);
}
