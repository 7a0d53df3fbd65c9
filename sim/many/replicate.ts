import { invalid } from '../../model/errors.ts';
import type { Report, ReplicationCi } from '../../model/report.ts';
import type { SimInput } from '../input.ts';
import { combineReplications } from './aggregate.ts';
import { defaultWorkers, poolRunner } from './pool.ts';
import type { CellRunner, ManyProgress } from './runner.ts';
import { replicationSeeds } from './seeds.ts';

/** Most replications one command may ask for (each is a full run). */
export const MAX_REPLICATIONS = 1000;

export interface ReplicateOptions {
  /** where to run the cells; default a local pool of `workers` threads, closed at the end */
  runner?: CellRunner;
  /** threads of the default pool (default: all cores) */
  workers?: number;
  onProgress?: (p: ManyProgress) => void;
}

/** The inputs of n replications: the same input with seeds derived from input.seed (seeds.ts). */
export function replicationInputs(input: SimInput, n: number): SimInput[] {
  return replicationSeeds(input.seed, n).map((seed) => ({ ...input, seed }));
}

/**
 * Runs n independent seeded replications of one input (replication 0 uses input.seed itself,
 * the others seeds derived from it) and returns one Report whose figures are the means over
 * the replications, with their 95% confidence intervals in `report.extra.ci`
 * (shape: {@link ReplicationCi} in model/report.ts).
 * @throws UserError CONFIG_INVALID when n is not an integer in 1..MAX_REPLICATIONS
 */
export async function replicate(input: SimInput, n: number, opts: ReplicateOptions = {}): Promise<Report> {
  if (!Number.isInteger(n) || n < 1 || n > MAX_REPLICATIONS) throw invalid('--replications', n, `must be an integer from 1 to ${MAX_REPLICATIONS}`);
  const inputs = replicationInputs(input, n);
  const runner = opts.runner ?? poolRunner(Math.min(n, opts.workers ?? defaultWorkers()));
  try {
    const texts = await runner.run(inputs, opts.onProgress);
    const reports = texts.map((t) => JSON.parse(t) as Report);
    return combineReplications(reports, inputs.map((i) => i.seed));
  } finally {
    if (!opts.runner) await runner.close();
  }
}
