import { describe, expect, it } from 'vitest';
import { builtInArchitecture } from '../../../model/architecture.ts';
import { mergeParams } from '../../../model/params.ts';
import { THESIS_SCENARIO } from '../../../model/workload.ts';
import type { SimInput } from '../../../sim/input.ts';
import { costKey, runLargestFirst, type CellRunner, type ManyProgress } from '../../../sim/many/runner.ts';

const params = mergeParams({}, 'test');
/** a cell of kind `kind` (its architecture's name) with `users` users; work is proportional to users */
const cell = (kind: string, users: number, seed = 1): SimInput => ({
  arch: { ...builtInArchitecture('baseline'), name: kind },
  scenario: { ...THESIS_SCENARIO, users, rampPerS: users / 20 },
  params,
  seed,
});
const nameOf = (i: SimInput): string => `${i.arch.name}${i.scenario.users}`;

/**
 * A runner on a virtual clock: a cell takes msOf(cell) virtual ms; `drive` finishes running cells
 * one at a time in order of their end, letting the caller react (start the next cell) in between.
 */
function virtualRunner(slots: number, msOf: (i: SimInput) => number, fails: (i: SimInput) => boolean = () => false) {
  let now = 0;
  const running: { end: number; settle: () => void }[] = [];
  const started: { cell: string; atMs: number }[] = [];
  const calls: string[][] = [];
  const runner: CellRunner = {
    kind: 'pool',
    slots,
    run(inputs) {
      calls.push(inputs.map(nameOf));
      return Promise.all(inputs.map((input) => new Promise<string>((resolve, reject) => {
        started.push({ cell: nameOf(input), atMs: now });
        running.push({ end: now + msOf(input), settle: () => (fails(input) ? reject(new Error(`${nameOf(input)} failed`)) : resolve(`report of ${nameOf(input)}`)) });
      })));
    },
    async close() {},
  };
  async function drive<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    work.then(() => { settled = true; }, () => { settled = true; });
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (settled) return work;
      if (!running.length) throw new Error('virtual runner stalled: nothing running and the work is not settled');
      running.sort((a, b) => a.end - b.end);
      const first = running.shift()!;
      now = first.end;
      first.settle();
    }
  }
  return { runner, started, calls, drive, nowMs: () => now };
}

describe('costKey', () => {
  it('ignores users, ramp and seed, and tells driver modes and architectures apart', () => {
    expect(costKey(cell('a', 500))).toBe(costKey(cell('a', 1000, 7)));
    expect(costKey(cell('a', 500))).not.toBe(costKey(cell('b', 500)));
    const batched = { ...cell('a', 500), arch: { ...cell('a', 500).arch, dbMode: 'batched' as const } };
    expect(costKey(batched)).not.toBe(costKey(cell('a', 500)));
  });
});

describe('runLargestFirst', () => {
  // a sweep-like grid: six kinds of cell × 500 and 1,000 users, in the sweep's order (kind, then
  // users ascending); kinds cost 0.5 to 3 virtual ms per user, which the scheduler is not told
  const msPerUser: Record<string, number> = { a: 2, b: 2, c: 0.5, d: 2, e: 1, f: 3 };
  const grid = Object.keys(msPerUser).flatMap((k) => [cell(k, 500), cell(k, 1000)]);
  const msOf = (i: SimInput): number => msPerUser[i.arch.name] * i.scenario.users;

  it('on two slots, orders what is left by the cost measured on finished cells of the same kind', async () => {
    const v = virtualRunner(2, msOf);
    const seen: ManyProgress[] = [];
    const texts = await v.drive(runLargestFirst(v.runner, grid, (p) => seen.push(p), v.nowMs));
    expect(texts).toEqual(grid.map((i) => `report of ${nameOf(i)}`));
    expect(v.started.map((s) => s.cell)).toEqual([
      // by work alone until kinds have finished; f1000 is costed at the highest rate seen (2)
      'a1000', 'b1000', 'c1000', 'd1000', 'e1000', 'f1000',
      // f1000 still running: f500 is costed like a500 (rate 2) and waits its turn by index
      'a500', 'b500', 'd500',
      // f1000 finished at 6.5 s (rate 3): f500 is now the largest left, before e500 and c500
      'f500', 'e500', 'c500',
    ]);
    // the makespan: 8,000 virtual ms for 15,750 ms of work on two slots (by work alone, f500
    // would start last, at 7,000, and end at 8,500)
    expect(v.nowMs()).toBe(8000);
    expect(seen.at(-1)).toEqual({ total: 12, done: 12, running: 0, failed: 0, retried: 0 });
    expect(Math.max(...seen.map((p) => p.running))).toBe(2);
  });

  it('hands every cell over at once, in order of work, to a runner with unbounded slots', async () => {
    const v = virtualRunner(Number.POSITIVE_INFINITY, msOf);
    const texts = await v.drive(runLargestFirst(v.runner, grid, undefined, v.nowMs));
    expect(v.calls).toHaveLength(1);
    expect(v.calls[0].slice(0, 6)).toEqual(['a1000', 'b1000', 'c1000', 'd1000', 'e1000', 'f1000']);
    expect(texts).toEqual(grid.map((i) => `report of ${nameOf(i)}`));
  });

  it('after a failure starts no further cell, lets the running one finish, and throws the failure', async () => {
    const v = virtualRunner(2, msOf, (i) => nameOf(i) === 'c1000');
    const seen: ManyProgress[] = [];
    await expect(v.drive(runLargestFirst(v.runner, grid, (p) => seen.push(p), v.nowMs))).rejects.toThrow('c1000 failed');
    // c1000 fails at 2,500 while d1000 runs (to 4,000): nothing else starts
    expect(v.started.map((s) => s.cell)).toEqual(['a1000', 'b1000', 'c1000', 'd1000']);
    expect(seen.at(-1)).toEqual({ total: 12, done: 3, running: 0, failed: 1, retried: 0 });
  });
});
