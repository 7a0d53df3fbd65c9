import type { SimInput } from '../input.ts';
import { simulate } from '../run.ts';

/**
 * One cell of a sweep, a replication or a plan: one simulation run, returned as the Report's
 * JSON text. Every way of running cells (in-process loop, worker-thread pool, BullMQ workers on
 * other machines) goes through this one function and hands back this one text, so their
 * results are byte-identical by construction (and tested to be).
 */
export function runCellJson(input: SimInput): string {
  return JSON.stringify(simulate(input).report);
}
