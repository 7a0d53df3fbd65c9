import { describe, expect, it } from 'vitest';
import { ReleaseErrors } from '../../../live/proxy/releaseErrors.ts';

describe('ReleaseErrors (each chunk: write time − due time)', () => {
  it('gives the quantiles of the signed and of the absolute error, to a 10 µs bucket', () => {
    const e = new ReleaseErrors();
    // 98 chunks 0.205 ms late, one 0.405 ms early, one 3.005 ms late (off the bucket edges)
    for (let k = 0; k < 98; k++) e.record(0.205);
    e.record(-0.405);
    e.record(3.005);
    expect(e.count).toBe(100);
    expect(e.quantile(0.01)).toBeCloseTo(-0.4, 6);
    expect(e.quantile(0.5)).toBeCloseTo(0.21, 6);
    expect(e.quantile(1)).toBeCloseTo(3.01, 6);
    expect(e.absQuantile(0.5)).toBeCloseTo(0.21, 6);
    expect(e.absQuantile(0.99)).toBeCloseTo(0.41, 6); // the early chunk counts by its size
    expect(e.absQuantile(1)).toBeCloseTo(3.01, 6);
  });

  it('counts large errors in 1 ms buckets up to 10 s', () => {
    const e = new ReleaseErrors();
    e.record(150.3);
    e.record(20_000);
    expect(e.quantile(0.5)).toBe(151);
    expect(e.absQuantile(1)).toBe(10_000);
  });

  it('takes a window by subtracting an earlier copy', () => {
    const e = new ReleaseErrors();
    e.record(5);
    const before = e.copy();
    e.record(0.055);
    e.record(0.055);
    const w = e.since(before);
    expect(w.count).toBe(2);
    expect(w.absQuantile(1)).toBeCloseTo(0.06, 6);
    expect(new ReleaseErrors().absQuantile(0.99)).toBeNaN();
  });
});
