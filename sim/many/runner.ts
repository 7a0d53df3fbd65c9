import type { Command } from 'commander';
import { parsePositiveInt } from '../../model/args.ts';
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

/** Adds the flags that choose where cells run (read by {@link runnerFor}): --workers, or --queue and --name. */
export function withRunnerOptions(command: Command): Command {
  return command
    .option('--workers <n>', 'worker threads of the local pool (default: all cores)')
    .option('--queue <redis-url>', 'enqueue the cells on BullMQ at this Redis (redis://host:6379) for `sim worker`s to run, instead of the local pool')
    .option('--name <queue>', 'queue name', 'sim-cells');
}

/** The runner the flags ask for: a BullMQ queue with --queue, else a local pool of --workers threads. */
export async function runnerFor(flags: { queue?: string; name: string; workers?: string }): Promise<CellRunner> {
  if (flags.queue) {
    const { queueRunner } = await import('./queue.ts');
    return queueRunner(flags.queue, flags.name);
  }
  const { defaultWorkers, poolRunner } = await import('./pool.ts');
  return poolRunner(flags.workers ? parsePositiveInt('--workers', flags.workers) : defaultWorkers());
}

/** Rough work of a cell: simulated user-seconds (users × (ramp + load)). */
export function cellWork(input: SimInput): number {
  const s = input.scenario;
  return s.users * (s.users / s.rampPerS + s.durationS);
}

/**
 * What a cell is apart from its size and seed: cells with the same key (architecture, driver
 * mode, parameters, scenario other than users and ramp) cost about the same wall time per unit
 * of {@link cellWork}. The cost of a cell depends on more than its size: at the same users a
 * batched Proposed II cell takes five times as long as a blocking Proposed I cell, whose system
 * collapses and simulates fewer users.
 */
export function costKey(input: SimInput): string {
  const { users: _users, rampPerS: _ramp, ...scenario } = input.scenario;
  return JSON.stringify([input.arch, scenario, input.params]);
}

/**
 * Runs cells largest first, so the long ones do not start last and leave cores idle at the end
 * (longest-processing-time-first scheduling); resolves to the results in input order.
 *
 * "Largest" is estimated: a cell's {@link cellWork} times the wall seconds per unit of work
 * measured on the finished cells of the same {@link costKey}; a cell whose kind has not finished
 * yet is costed at the highest rate seen so far (an unknown cell is not left for the end), and
 * before any cell finished the order is by work alone. On a runner with a few slots (the pool)
 * a cell is handed over only when a slot is free, so each choice uses every rate known by then.
 * On a runner with unbounded slots (the queue) or one slot, or when every cell fits in the
 * slots at once, all cells are handed over at once in the order of work.
 * Wall time (`nowMs`, ms) decides only the order; every result depends on its own input alone.
 * After a failure no further cell starts; the running ones settle, then the first failure is
 * thrown.
 */
export async function runLargestFirst(
  runner: CellRunner,
  inputs: readonly SimInput[],
  onProgress?: (p: ManyProgress) => void,
  nowMs: () => number = () => performance.now(),
): Promise<string[]> {
  const work = inputs.map(cellWork);
  const lanes = runner.slots;
  if (!Number.isFinite(lanes) || lanes <= 1 || lanes >= inputs.length) {
    const order = inputs.map((_, i) => i).sort((a, b) => work[b] - work[a] || a - b);
    const texts = await runner.run(order.map((i) => inputs[i]), onProgress);
    const out: string[] = new Array(inputs.length);
    order.forEach((i, k) => { out[i] = texts[k]; });
    return out;
  }
  const keys = inputs.map(costKey);
  // per key: wall ms and work of its finished cells
  const seen = new Map<string, { ms: number; work: number }>();
  let highestRate = 0;
  const pending = new Set(inputs.map((_, i) => i));
  const out: string[] = new Array(inputs.length);
  const p: ManyProgress = { total: inputs.length, done: 0, running: 0, failed: 0, retried: 0 };
  let failure: { reason: unknown } | null = null;
  const estimate = (i: number): number => {
    const s = seen.get(keys[i]);
    return work[i] * (s ? s.ms / s.work : highestRate || 1);
  };
  const next = (): number | undefined => {
    let best: number | undefined;
    for (const i of pending) if (best === undefined || estimate(i) > estimate(best)) best = i; // ties: lower index (Set keeps insertion order)
    return best;
  };
  const lane = async (): Promise<void> => {
    for (let i = next(); i !== undefined && !failure; i = next()) {
      pending.delete(i);
      p.running++;
      onProgress?.({ ...p });
      const t0 = nowMs();
      try {
        [out[i]] = await runner.run([inputs[i]]);
        const s = seen.get(keys[i]) ?? { ms: 0, work: 0 };
        s.ms += nowMs() - t0;
        s.work += work[i];
        seen.set(keys[i], s);
        highestRate = Math.max(highestRate, s.ms / s.work);
        p.done++;
      } catch (reason) {
        p.failed++;
        failure ??= { reason };
      } finally {
        p.running--;
        onProgress?.({ ...p });
      }
    }
  };
  onProgress?.({ ...p });
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure) throw (failure as { reason: unknown }).reason;
  return out;
}
