import { describe, expect, it } from 'vitest';
import { coordinateScan } from '../../calibrate/fit/scan.ts';

describe('coordinateScan', () => {
  it('leaves a plateau that has no slope at the start (a local method would stay)', () => {
    // flat (1) unless x0 > 0.6 and x1 > 0.6; then a bowl with its minimum at (0.7, 0.9)
    const f = (u: number[]) => (u[0] > 0.6 && u[1] > 0.6 ? (u[0] - 0.7) ** 2 + (u[1] - 0.9) ** 2 : 1);
    const r = coordinateScan(f, [0.4, 0.4], f([0.4, 0.4]), 100);
    // pass 1: x0 alone cannot leave the plateau (x1 = 0.4); x1 -> any level keeps it flat; pass 2 has
    // the same view, so the scan needs both coordinates: it stays, honestly, at the start
    expect(r.value).toBe(1);
    const g = (u: number[]) => (u[0] > 0.6 ? (u[0] - 0.7) ** 2 + (u[1] - 0.9) ** 2 : 1);
    const s = coordinateScan(g, [0.4, 0.4], g([0.4, 0.4]), 100);
    expect(s.u).toEqual([0.7, 0.9]);
    expect(s.value).toBeCloseTo(0, 12);
  });
  it('keeps to its budget', () => {
    let calls = 0;
    const r = coordinateScan(() => ++calls, [0.5, 0.5, 0.5], 0, 7);
    expect(calls).toBe(7);
    expect(r.evals).toBe(7);
    expect(r.u).toEqual([0.5, 0.5, 0.5]);
  });
});
