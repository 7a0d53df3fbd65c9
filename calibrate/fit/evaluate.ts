import type { Architecture } from '../../model/architecture.ts';
import { mergeParams, type Params } from '../../model/params.ts';
import type { Report } from '../../model/report.ts';
import type { Scenario } from '../../model/workload.ts';
import type { SimInput } from '../../sim/input.ts';
import type { CellRunner } from '../../sim/many/runner.ts';
import { loadSeconds, loss, termCost, termQuadratic, type LossResult } from './loss.ts';
import type { TermModel } from './trust.ts';
import { serverCountUsers, type MeasuredRun } from './measured.ts';
import { paramsAsRun, rampSecondsOf, workloadOf } from './workload.ts';

/**
 * Requests beyond the p98 that each region of an evaluation should hold. The request tail is what
 * the event-loop stalls (loopPause*) are fitted to, and a tail quantile rests on the samples
 * beyond it: a p98 over 830 requests (a region of a one-minute live run) rests on 17, so one
 * seed's handful of stalls decides it and the fit settles on that seed's draws (a stall every
 * 2,000 messages fits three stalls, and predicts seconds-long tails on other seeds). An
 * evaluation of such a run simulates it with several seeds and takes the mean of their losses.
 */
export const FIT_TAIL_REQUESTS = 50;
/** Most seeds per evaluation of one run (a cap on the cost of very short runs). */
export const MAX_FIT_REPLICATIONS = 8;
const TAIL_SHARE = 0.02;

/**
 * Seeds per evaluation of a measured run: enough that the smallest compared region holds
 * FIT_TAIL_REQUESTS requests beyond its p98 over all of them (at `loadShare` of the measured
 * load), at most MAX_FIT_REPLICATIONS; 1 when the run has no request counts.
 */
export function fitReplications(run: MeasuredRun, loadShare = 1): number {
  const counts = run.regions.map((r) => run.report.regions[r]?.request?.count ?? 0).filter((n) => n > 0);
  if (!counts.length) return 1;
  const perSeed = Math.min(...counts) * Math.min(1, loadShare) * TAIL_SHARE;
  return Math.min(MAX_FIT_REPLICATIONS, Math.max(1, Math.ceil(FIT_TAIL_REQUESTS / perSeed)));
}

/** One parameter set's loss over all measured runs, with each run's loss and simulated Report. */
export interface Evaluation {
  /** mean of the runs' losses (each the mean over its seeds), weighted by their number of terms */
  loss: number;
  terms: number;
  /** each run's loss at the first seed */
  perRun: LossResult[];
  /** each run's simulated Report at the first seed */
  reports: Report[];
  /** every term's log error, over the runs and their seeds, in the order of Evaluator.termModels */
  errors: (number | null)[];
}

/**
 * The measured runs as the fit evaluates them: each on its architecture, on a shortened scenario
 * (the run's users and region mix, its ramp, then `fitLoadS` seconds of load, or the run's own
 * length if shorter) or at the measured length, always with the same seeds (common random
 * numbers): the given seed, and for a run too short for its request tail the next ones
 * (fitReplications).
 */
export class Evaluator {
  /** the shortened scenario of each run */
  readonly fitScenarios: Scenario[];
  /** the ramp of each run (s) */
  readonly ramps: number[];
  /** seeds per evaluation of each run (seed, seed + 1, ...; fitReplications) */
  readonly replications: number[];
  private readonly fitLoad: number[];
  private models: TermModel[] | undefined;
  private readonly measuredLoad: number[];
  /** the users each run's server counters count (measured.ts serverCountUsers) */
  private readonly serverUsers: number[];

  constructor(
    readonly runs: readonly MeasuredRun[],
    readonly archs: readonly Architecture[],
    private readonly opts: { runner: Pick<CellRunner, 'run'>; seed: number; fitLoadS: number },
  ) {
    this.fitScenarios = runs.map((r) => workloadOf(r, Math.min(opts.fitLoadS, workloadOf(r).durationS)));
    this.ramps = runs.map((r) => rampSecondsOf(r));
    this.fitLoad = this.ramps.map((rampS, i) => loadSeconds(this.fitScenarios[i].durationS + rampS, rampS));
    this.measuredLoad = runs.map((r, i) => loadSeconds(r.report.durationS, this.ramps[i]));
    this.serverUsers = runs.map((r) => serverCountUsers(r));
    this.replications = runs.map((r, i) => fitReplications(r, this.fitLoad[i] / this.measuredLoad[i]));
  }

  /** Whether any run's evaluation scenario is shorter than the measured run. */
  get shortened(): boolean {
    return this.fitScenarios.some((sc, i) => sc.durationS < workloadOf(this.runs[i]).durationS);
  }

  /** Evaluates parameter sets together (one batch on the runner), in order; `full`: at the measured length. */
  async all(candidates: ReadonlyArray<Record<string, unknown>>, full = false): Promise<Evaluation[]> {
    const { runs, archs } = this;
    const inputs: SimInput[] = [];
    const at: { run: number; seed: number }[] = [];
    runs.forEach((_r, i) => { for (let k = 0; k < this.replications[i]; k++) at.push({ run: i, seed: this.opts.seed + k }); });
    for (const overrides of candidates) {
      const params: Params = mergeParams(overrides, 'calibration candidate');
      for (const { run: i, seed } of at) inputs.push({ arch: archs[i], scenario: full ? workloadOf(runs[i]) : this.fitScenarios[i], params: paramsAsRun(params, runs[i], archs[i]), seed });
    }
    const texts = await this.opts.runner.run(inputs);
    return candidates.map((_, c) => {
      const reports: Report[] = [];
      const perRun: LossResult[] = [];
      let terms = 0;
      let sum = 0;
      const errors: (number | null)[] = [];
      const models: TermModel[] = [];
      at.forEach(({ run: i, seed }, j) => {
        const rep = JSON.parse(texts[c * at.length + j]) as Report;
        const l = loss(rep, runs[i].report, {
          regions: runs[i].regions,
          predictedLoadS: full ? loadSeconds(rep.durationS, this.ramps[i]) : this.fitLoad[i],
          measuredLoadS: this.measuredLoad[i],
          measuredServerUsers: this.serverUsers[i],
        });
        if (seed === this.opts.seed) { reports.push(rep); perRun.push(l); }
        // each run weighs by its terms, whatever its number of seeds
        terms += l.terms.length / this.replications[i];
        sum += (l.loss * l.terms.length) / this.replications[i];
        const runWeight = l.terms.reduce((w, t) => w + t.weight, 0);
        for (const t of l.terms) {
          errors.push(t.logError);
          models.push({ weight: (t.weight * l.terms.length) / this.replications[i] / Math.max(1e-300, runWeight), cost: (e) => termCost(t, e), quadraticAt: (e) => termQuadratic(t, e) });
        }
      });
      const total = Math.max(1, terms);
      this.models ??= models.map((m) => ({ ...m, weight: m.weight / total }));
      return { loss: sum / total, terms: Math.round(terms), perRun, reports, errors };
    });
  }

  /**
   * The terms of an evaluation's `errors` with their weights in its loss (the loss is
   * Σ weight · cost(error)); known once anything has been evaluated.
   */
  get termModels(): TermModel[] {
    if (!this.models) throw new Error('termModels: nothing evaluated yet');
    return this.models;
  }

  /** Evaluates one parameter set. */
  async one(overrides: Record<string, unknown>, full = false): Promise<Evaluation> {
    return (await this.all([overrides], full))[0];
  }
}
