import type { Architecture } from '../../model/architecture.ts';
import { mergeParams, type Params } from '../../model/params.ts';
import type { Report } from '../../model/report.ts';
import type { Scenario } from '../../model/workload.ts';
import type { SimInput } from '../../sim/input.ts';
import type { CellRunner } from '../../sim/many/runner.ts';
import { loadSeconds, loss, type LossResult } from './loss.ts';
import type { MeasuredRun } from './measured.ts';
import { paramsAsRun, rampSecondsOf, workloadOf } from './workload.ts';

/** One parameter set's loss over all measured runs, with each run's loss and simulated Report. */
export interface Evaluation {
  /** mean of the runs' losses, weighted by their number of terms */
  loss: number;
  terms: number;
  perRun: LossResult[];
  reports: Report[];
}

/**
 * The measured runs as the fit evaluates them: each on its architecture, on a shortened scenario
 * (the run's users and region mix, its ramp, then `fitLoadS` seconds of load, or the run's own
 * length if shorter) or at the measured length, always with the same seed (common random numbers).
 */
export class Evaluator {
  /** the shortened scenario of each run */
  readonly fitScenarios: Scenario[];
  /** the ramp of each run (s) */
  readonly ramps: number[];
  private readonly fitLoad: number[];
  private readonly measuredLoad: number[];

  constructor(
    readonly runs: readonly MeasuredRun[],
    readonly archs: readonly Architecture[],
    private readonly opts: { runner: Pick<CellRunner, 'run'>; seed: number; fitLoadS: number },
  ) {
    this.fitScenarios = runs.map((r) => workloadOf(r, Math.min(opts.fitLoadS, workloadOf(r).durationS)));
    this.ramps = runs.map((r) => rampSecondsOf(r));
    this.fitLoad = this.ramps.map((rampS, i) => loadSeconds(this.fitScenarios[i].durationS + rampS, rampS));
    this.measuredLoad = runs.map((r, i) => loadSeconds(r.report.durationS, this.ramps[i]));
  }

  /** Whether any run's evaluation scenario is shorter than the measured run. */
  get shortened(): boolean {
    return this.fitScenarios.some((sc, i) => sc.durationS < workloadOf(this.runs[i]).durationS);
  }

  /** Evaluates parameter sets together (one batch on the runner), in order; `full`: at the measured length. */
  async all(candidates: ReadonlyArray<Record<string, unknown>>, full = false): Promise<Evaluation[]> {
    const { runs, archs } = this;
    const inputs: SimInput[] = [];
    for (const overrides of candidates) {
      const params: Params = mergeParams(overrides, 'calibration candidate');
      runs.forEach((run, i) => inputs.push({ arch: archs[i], scenario: full ? workloadOf(run) : this.fitScenarios[i], params: paramsAsRun(params, run, archs[i]), seed: this.opts.seed }));
    }
    const texts = await this.opts.runner.run(inputs);
    return candidates.map((_, c) => {
      const reports = runs.map((_r, i) => JSON.parse(texts[c * runs.length + i]) as Report);
      const perRun = reports.map((rep, i) => loss(rep, runs[i].report, {
        regions: runs[i].regions,
        predictedLoadS: full ? loadSeconds(rep.durationS, this.ramps[i]) : this.fitLoad[i],
        measuredLoadS: this.measuredLoad[i],
      }));
      const terms = perRun.reduce((s, l) => s + l.terms.length, 0);
      const total = perRun.reduce((s, l) => s + l.loss * l.terms.length, 0) / Math.max(1, terms);
      return { loss: total, terms, perRun, reports };
    });
  }

  /** Evaluates one parameter set. */
  async one(overrides: Record<string, unknown>, full = false): Promise<Evaluation> {
    return (await this.all([overrides], full))[0];
  }
}
