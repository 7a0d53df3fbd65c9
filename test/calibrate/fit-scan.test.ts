import { describe, expect, it } from 'vitest';
import { compassSearch, coordinateScan, type BatchObjective } from '../../calibrate/fit/scan.ts';

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

  it('a compass search refines between the global levels and halves a step that finds nothing better', async () => {
    // minimum at 0.58 along x0; x1 already at its minimum (0.5)
    const f = (u: number[]) => (u[0] - 0.58) ** 2 + (u[1] - 0.5) ** 2;
    const global = await coordinateScan(batched(f), [0.1, 0.5], f([0.1, 0.5]), 100, [0.1, 0.3, 0.5, 0.7, 0.9], 1);
    expect(global.u).toEqual([0.5, 0.5]);
    const sizes: number[] = [];
    const r = await compassSearch(batched(f, sizes), global.u, global.value, 1000, 0.1, 0.01);
    expect(Math.abs(r.u[0] - 0.58)).toBeLessThanOrEqual(0.01); // within the smallest step
    expect(r.u[1]).toBe(0.5);
    expect(r.value).toBeLessThan(1e-4);
    expect(sizes.every((n) => n === 2)).toBe(true); // the two sides of a coordinate at once
    expect(r.steps.every((st) => st < 0.01)).toBe(true); // stopped because every step is below the floor
  });

  it('a compass search keeps to its budget and stays in the cube', async () => {
    const seen: number[][] = [];
    const f = (u: number[]) => { seen.push(u); return -u[0] - u[1]; }; // best at the corner (1, 1)
    const r = await compassSearch(batched(f), [0.95, 0.05], f([0.95, 0.05]), 9, 0.1, 0.01);
    expect(r.evals).toBe(9);
    expect(seen.flat().every((x) => x >= 0 && x <= 1)).toBe(true);
  });
});
