import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { SimInput } from '../input.ts';
import { settleCounted, type CellRunner, type ManyProgress } from './runner.ts';

/** Heap limit of one worker thread: a 10^6-user run needs a few GB (runner brief: ≤ 4 GB). */
export const WORKER_HEAP_MB = 6144;

/** Threads of the local pool when the user does not say: every core the machine offers. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * A pool of worker threads (piscina) that runs cells on every core of this machine. Each
 * thread loads the simulator once (sim/many/worker.mjs registers the TypeScript loader) and
 * then runs cells one at a time; the cell text comes back by structured clone, unchanged.
 */
export function poolRunner(workers: number = defaultWorkers()): CellRunner {
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`pool invariant violated: workers must be a positive integer (got ${workers})`);
  const pool = new Piscina({
    filename: new URL('./worker.mjs', import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    // one cell per thread at a time: a cell is CPU-bound, a second one would only share the core
    concurrentTasksPerWorker: 1,
    // cells start in the order given: by default piscina moves a queued task it could not place
    // to the back of its queue each time a thread frees (a 12-cell sweep handed over at once,
    // largest first, started its two longest cells last). runLargestFirst hands cells over as
    // threads free up; replications and plain run() calls still hand over many at once
    stricterFIFO: true,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  return {
    kind: 'pool',
    slots: workers,
    async run(inputs: readonly SimInput[], onProgress?: (p: ManyProgress) => void) {
      const p: ManyProgress = { total: inputs.length, done: 0, running: 0, failed: 0, retried: 0 };
      const report = (): void => onProgress?.({ ...p, running: Math.min(workers, p.total - p.done - p.failed) });
      report();
      return settleCounted(inputs, async (input) => (await pool.run(input)) as string, p, report);
    },
    async close() {
      await pool.destroy();
    },
  };
}
