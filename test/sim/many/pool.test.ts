import { afterAll, describe, expect, it } from 'vitest';
import { builtInArchitecture } from '../../../model/architecture.ts';
import { mergeParams } from '../../../model/params.ts';
import type { Report } from '../../../model/report.ts';
import { THESIS_SCENARIO } from '../../../model/workload.ts';
import type { SimInput } from '../../../sim/input.ts';
import { poolRunner } from '../../../sim/many/pool.ts';
import { halfWidth, intervalOf } from '../../../sim/many/ci.ts';
import { replicate, replicationInputs } from '../../../sim/many/replicate.ts';
import { loopRunner, type ManyProgress } from '../../../sim/many/runner.ts';
import { runSweep, type SweepSpec } from '../../../sim/many/sweep.ts';
import { simulate } from '../../../sim/run.ts';

const params = mergeParams({}, 'test');
const input = (arch: string, users: number, seed = 1, dbMode?: 'batched'): SimInput => {
  const a = builtInArchitecture(arch);
  return { arch: dbMode ? { ...a, dbMode } : a, scenario: { ...THESIS_SCENARIO, users, rampPerS: users / 20, durationS: 60 }, params, seed };
};

describe('worker-thread pool', () => {
  const pool = poolRunner(2);
  afterAll(() => pool.close());

  it('gives byte-identical reports to a plain in-process loop, in input order, with progress', async () => {
    const inputs = [input('baseline', 400), input('proposed1', 300), input('proposed1', 300, 7, 'batched'), input('proposed2', 200, 3)];
    const seen: ManyProgress[] = [];
    const fromPool = await pool.run(inputs, (p) => seen.push(p));
    const loop = await loopRunner();
    const fromLoop = await loop.run(inputs);
    expect(fromPool).toEqual(fromLoop);
    expect(fromPool[0]).toBe(JSON.stringify(simulate(inputs[0]).report));
    expect(seen.at(-1)).toMatchObject({ total: 4, done: 4, failed: 0, running: 0 });
    expect(new Set(fromPool).size).toBe(4);
  });

  it('runs a sweep (cells handed over as threads free up, largest first) with the same reports and capacity as the loop', async () => {
    const spec: SweepSpec = {
      archs: [builtInArchitecture('baseline'), builtInArchitecture('proposed1')],
      users: [200, 400],
      dbModes: ['blocking', 'batched'],
      replications: 1,
      scenario: { ...THESIS_SCENARIO, durationS: 60 },
      rampPerS: 20,
      params,
      seed: 3,
    };
    const seen: ManyProgress[] = [];
    const fromPool = await runSweep(spec, pool, (p) => seen.push(p));
    const fromLoop = await runSweep(spec, await loopRunner());
    expect(fromPool.cells.map((c) => JSON.stringify(c.report))).toEqual(fromLoop.cells.map((c) => JSON.stringify(c.report)));
    expect(fromPool.capacity).toEqual(fromLoop.capacity);
    expect(seen.at(-1)).toEqual({ total: 8, done: 8, running: 0, failed: 0, retried: 0 });
    expect(Math.max(...seen.map((p) => p.running))).toBe(2);
  });

  it('reports a failing cell as a failure', async () => {
    const bad = { ...input('baseline', 100), scenario: { ...input('baseline', 100).scenario, regionMix: { 'nowhere-1': 1 } } };
    await expect(pool.run([bad])).rejects.toThrow();
  });
});

describe('replicate()', () => {
  it('with one replication is the plain run plus its (empty) intervals', async () => {
    const i = input('baseline', 300);
    const r = await replicate(i, 1, { workers: 1 });
    const plain = simulate(i).report;
    expect(r.global).toEqual(plain.global);
    expect(r.counts).toEqual(plain.counts);
    const ci = r.extra!.ci!;
    expect(ci.replications).toBe(1);
    expect(ci.global.request.mean).toMatchObject({ n: 1, lo: null });
  });

  it('property: confidence intervals shrink as replications grow (24 replications: 8 groups of 3 vs 2 groups of 12)', async () => {
    const i = input('proposed1', 200, 11, 'batched');
    const pool = poolRunner(2);
    try {
      const reports = (await pool.run(replicationInputs(i, 24))).map((t) => JSON.parse(t) as Report);
      const figures: Record<string, (r: Report) => number | null> = {
        'request.mean': (r) => r.global.request.mean,
        'handshake.mean': (r) => r.global.handshake.mean,
        'broadcast.mean': (r) => r.global.broadcast.mean,
        handledRequests: (r) => r.counts.handledRequests,
      };
      // disjoint groups, so each width is an independent draw; averaging over groups steadies the comparison
      const meanHalf = (size: number, figure: (r: Report) => number | null): number => {
        const groups = Array.from({ length: reports.length / size }, (_, g) => reports.slice(g * size, (g + 1) * size));
        return groups.reduce((sum, grp) => sum + halfWidth(intervalOf(grp.map(figure)))!, 0) / groups.length;
      };
      for (const [name, figure] of Object.entries(figures)) {
        expect(meanHalf(12, figure), name).toBeLessThan(meanHalf(3, figure));
      }
      // and replicate() reports exactly these intervals for its own replications
      const many = await replicate(i, 12, { runner: pool });
      const ci = many.extra!.ci!;
      const direct = intervalOf(reports.slice(0, 12).map(figures['request.mean']));
      expect(ci.global.request.mean).toMatchObject({ lo: direct.lo, hi: direct.hi, n: 12 });
      expect(many.global.request.mean).toBeCloseTo(direct.mean!, 9);
      expect(many.seed).toBe(11);
    } finally {
      await pool.close();
    }
  });
});
