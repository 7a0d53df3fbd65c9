import { describe, expect, it } from 'vitest';
import { fromUnit, getPath, overridesAt, resolveDimensions, setPath, toUnit, type FitDimension } from '../../calibrate/fit/space.ts';

const logDim: FitDimension = { path: 'a.b', lo: 0.01, hi: 100, log: true, meaning: '' };
const linDim: FitDimension = { path: 'c', lo: -5, hi: 5, log: false, meaning: '' };

describe('parameter space', () => {
  it('maps the unit interval onto the range, geometric or linear', () => {
    expect(fromUnit(0, logDim)).toBeCloseTo(0.01, 12);
    expect(fromUnit(0.5, logDim)).toBeCloseTo(1, 12);
    expect(fromUnit(1, logDim)).toBeCloseTo(100, 9);
    expect(fromUnit(0.25, linDim)).toBeCloseTo(-2.5, 12);
  });

  it('clamps outside the unit cube so every point is valid', () => {
    expect(fromUnit(-3, logDim)).toBeCloseTo(0.01, 12);
    expect(fromUnit(7, linDim)).toBe(5);
    expect(toUnit(1e9, logDim)).toBe(1);
  });

  it('toUnit inverts fromUnit', () => {
    for (const u of [0, 0.1, 0.37, 0.9, 1]) {
      expect(toUnit(fromUnit(u, logDim), logDim)).toBeCloseTo(u, 12);
      expect(toUnit(fromUnit(u, linDim), linDim)).toBeCloseTo(u, 12);
    }
  });

  it('sets nested paths without touching the input', () => {
    const base = { a: { b: 1, keep: 2 } };
    const out = setPath(base, 'a.b', 5);
    expect(out).toEqual({ a: { b: 5, keep: 2 } });
    expect(base.a.b).toBe(1);
    expect(getPath(setPath({}, 'x.y.z', 3), 'x.y.z')).toBe(3);
  });

  it('builds overrides from a unit vector, rounded to 6 significant digits', () => {
    const o = overridesAt({ keep: 1 }, [logDim, linDim], [0.5, 1 / 3]);
    expect(o).toEqual({ keep: 1, a: { b: 1 }, c: -1.66667 });
  });

  it('moves a family of parameters in proportion', () => {
    const d: FitDimension = { path: 'x', lo: 0.1, hi: 10, log: true, meaning: '', scales: ['y'] };
    const o = overridesAt({}, [d], [1], { x: 2, y: 3 });
    expect(o).toEqual({ x: 10, y: 15 });
  });

  it('drops dimensions the defaults do not have', () => {
    const r = resolveDimensions([logDim, linDim], { a: { b: 2 } });
    expect(r.dims.map((d) => d.path)).toEqual(['a.b']);
    expect(r.dropped).toEqual(['c']);
  });
});
