import type { SimInput } from '../input.ts';

/** Where a batch of cells stands, for the progress line on stderr. */
export interface ManyProgress {
  total: number;
  done: number;
  running: number;
  /** cells that failed for good (no attempts left) */
  failed: number;
  /** attempts that failed or stalled and were put back to run again (queue only) */
  retried: number;
}

/**
 * Runs simulation cells somewhere: in this process, on a pool of worker threads, or on BullMQ
 * workers. Resolves to each input's Report JSON text, in input order. Rejects if a cell fails
 * for good.
 */
export interface CellRunner {
  readonly kind: 'loop' | 'pool' | 'queue';
  /** cells that can run at the same time (for planning batch sizes) */
  readonly slots: number;
  run(inputs: readonly SimInput[], onProgress?: (p: ManyProgress) => void): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Runs `start(item)` for every item at once and waits for all of them to settle, counting each
 * as done or failed in `p` and calling `report` after each (and `settled(item)` just before it).
 * Waiting for all means no cell keeps running after a failure is reported. Resolves to the
 * texts in item order, or rejects with the first failure's reason passed through `wrap`.
 */
export async function settleCounted<T>(
  items: readonly T[],
  start: (item: T) => Promise<string>,
  p: ManyProgress,
  report: () => void,
  options: { settled?: (item: T) => void; wrap?: (reason: unknown) => unknown } = {},
): Promise<string[]> {
  const results = await Promise.allSettled(items.map(async (item) => {
    try {
      const text = await start(item);
      p.done++;
      return text;
    } catch (err) {
      p.failed++;
      throw err;
    } finally {
      options.settled?.(item);
      report();
    }
  }));
  const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) throw options.wrap ? options.wrap(bad.reason) : bad.reason;
  return results.map((r) => (r as PromiseFulfilledResult<string>).value);
}

/** Runs cells one after the other in this thread: the reference the others must match byte for byte. */
export async function loopRunner(): Promise<CellRunner> {
  const { runCellJson } = await import('./cell.ts');
  return {
    kind: 'loop',
    slots: 1,
    async run(inputs, onProgress) {
      const out: string[] = [];
      const p: ManyProgress = { total: inputs.length, done: 0, running: 0, failed: 0, retried: 0 };
      for (const input of inputs) {
        p.running = 1;
        onProgress?.({ ...p });
        out.push(runCellJson(input));
        p.done++;
        p.running = 0;
        onProgress?.({ ...p });
      }
      return out;
    },
    async close() {},
  };
}

/** Rough work of a cell: simulated user-seconds (users × (ramp + load)). */
export function cellWork(input: SimInput): number {
  const s = input.scenario;
  return s.users * (s.users / s.rampPerS + s.durationS);
}

/**
 * Runs cells largest first (so the long ones do not start last and leave cores idle at the
 * end: longest-processing-time-first scheduling), returning results in input order.
 */
export async function runLargestFirst(runner: CellRunner, inputs: readonly SimInput[], onProgress?: (p: ManyProgress) => void): Promise<string[]> {
  const order = inputs.map((_, i) => i).sort((a, b) => cellWork(inputs[b]) - cellWork(inputs[a]) || a - b);
  const texts = await runner.run(order.map((i) => inputs[i]), onProgress);
  const out: string[] = new Array(inputs.length);
  order.forEach((i, k) => { out[i] = texts[k]; });
  return out;
}
