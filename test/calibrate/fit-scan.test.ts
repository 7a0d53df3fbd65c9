import { describe, expect, it } from 'vitest';
import { coordinateScan, type BatchObjective } from '../../calibrate/fit/scan.ts';

/** A batch objective from a point function, recording the batch sizes. */
function batched(f: (u: number[]) => number, sizes: number[] = []): BatchObjective {
  return async (points) => { sizes.push(points.length); return points.map(f); };
}

describe('coordinateScan', () => {
  it('leaves a plateau that has no slope at the start (a local method would stay)', async () => {
    // flat (1) unless x0 > 0.6 and x1 > 0.6; then a bowl with its minimum at (0.7, 0.9)
    const f = (u: number[]) => (u[0] > 0.6 && u[1] > 0.6 ? (u[0] - 0.7) ** 2 + (u[1] - 0.9) ** 2 : 1);
    const r = await coordinateScan(batched(f), [0.4, 0.4], f([0.4, 0.4]), 100);
    // no single coordinate leaves the plateau: the scan stays, honestly, at the start
    expect(r.value).toBe(1);
    const g = (u: number[]) => (u[0] > 0.6 ? (u[0] - 0.7) ** 2 + (u[1] - 0.9) ** 2 : 1);
    const s = await coordinateScan(batched(g), [0.4, 0.4], g([0.4, 0.4]), 100);
    expect(s.u).toEqual([0.7, 0.9]);
    expect(s.value).toBeCloseTo(0, 12);
  });

  it('evaluates the levels of a coordinate at once and keeps the best before the next coordinate', async () => {
    // x1's best level depends on x0: the second coordinate is scanned from the first's best level
    const f = (u: number[]) => (u[0] - 0.3) ** 2 + (u[1] - (u[0] < 0.4 ? 0.7 : 0.1)) ** 2;
    const sizes: number[] = [];
    const r = await coordinateScan(batched(f, sizes), [0.5, 0.5], f([0.5, 0.5]), 100, [0.1, 0.3, 0.5, 0.7, 0.9], 1);
    expect(sizes).toEqual([4, 4]); // the start's own level is not re-evaluated
    expect(r.u).toEqual([0.3, 0.7]);
    expect(r.evals).toBe(8);
  });

  it('keeps to its budget', async () => {
    let calls = 0;
    const r = await coordinateScan(batched(() => ++calls), [0.5, 0.5, 0.5], 0, 7);
    expect(calls).toBe(7);
    expect(r.evals).toBe(7);
    expect(r.u).toEqual([0.5, 0.5, 0.5]);
  });
});
