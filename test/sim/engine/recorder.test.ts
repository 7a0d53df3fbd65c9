import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../../sim/engine/recorder.ts';
import { Stream } from '../../../sim/engine/random.ts';
import { PERCENTILE_KEYS, type Summary } from '../../../model/report.ts';

const Q: Record<string, number> = {
  p50: 0.5, p66: 0.66, p75: 0.75, p80: 0.8, p90: 0.9, p95: 0.95, p98: 0.98, p99: 0.99,
};

/** nearest-rank percentile of sorted values */
function exactPercentile(sorted: number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}

function exactMoments(xs: number[]): { mean: number; stddev: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length;
  return { mean, stddev: Math.sqrt(v) };
}

function expectAgainstExact(s: Summary, xs: number[]): void {
  const sorted = [...xs].sort((a, b) => a - b);
  const { mean, stddev } = exactMoments(xs);
  expect(s.count).toBe(xs.length);
  expect(s.min).toBe(sorted[0]);
  expect(s.max).toBe(sorted[sorted.length - 1]);
  expect(Math.abs(s.mean! - mean) / mean).toBeLessThan(1e-9);
  expect(Math.abs(s.stddev! - stddev) / stddev).toBeLessThan(1e-9);
  for (const key of PERCENTILE_KEYS) {
    const exact = exactPercentile(sorted, Q[key]);
    const got = s[key]!;
    expect(Math.abs(got - exact) / exact, `${key}: got ${got}, exact ${exact}`).toBeLessThanOrEqual(0.01);
  }
  expect(s.median).toBe(s.p50);
}

describe('LatencyRecorder', () => {
  it('reports all-null figures and count 0 when empty', () => {
    const s = new LatencyRecorder().summary();
    expect(s.count).toBe(0);
    for (const [k, v] of Object.entries(s)) if (k !== 'count') expect(v, k).toBeNull();
  });

  it('matches exact sorted percentiles of uniform samples within 1 %', () => {
    const rng = new Stream('uniform');
    const xs = Array.from({ length: 50_000 }, () => rng.uniform(10, 500));
    const r = new LatencyRecorder();
    for (const x of xs) r.record(x);
    expectAgainstExact(r.summary(), xs);
  });

  it('matches exact sorted percentiles of exponential samples within 1 %', () => {
    const rng = new Stream('exp');
    const xs = Array.from({ length: 50_000 }, () => rng.exp(101.9));
    const r = new LatencyRecorder();
    for (const x of xs) r.record(x);
    expectAgainstExact(r.summary(), xs);
  });

  it('keeps 1 % over the whole range 0.001 ms .. 1e9 ms (log-uniform samples)', () => {
    const rng = new Stream('wide');
    const xs = Array.from({ length: 20_000 }, () => 10 ** rng.uniform(-3, 9));
    xs.push(0.001, 1e9);
    const r = new LatencyRecorder();
    for (const x of xs) r.record(x);
    expectAgainstExact(r.summary(), xs);
    // every single value in range is reported within 1 % when it is the only sample
    for (const x of [0.001, 0.0017, 1, 3.3, 1023.9, 1024, 7.77e5, 1e9]) {
      const one = new LatencyRecorder();
      one.record(x);
      one.record(x * 1.000001);
      expect(Math.abs(one.quantile(0.5)! - x) / x).toBeLessThanOrEqual(0.01);
    }
  });

  it('clamps percentiles to the exact min and max outside the histogram range', () => {
    const r = new LatencyRecorder();
    r.record(0);
    r.record(0);
    r.record(5e9);
    const s = r.summary();
    expect(s.p50).toBe(0);
    expect(s.p99).toBe(5e9);
    expect(s.min).toBe(0);
    expect(s.max).toBe(5e9);
  });

  it('merge equals recording everything in one recorder', () => {
    const rng = new Stream('merge');
    const all = new LatencyRecorder();
    const parts = [new LatencyRecorder(), new LatencyRecorder(), new LatencyRecorder()];
    for (let i = 0; i < 30_000; i++) {
      const x = i % 3 === 0 ? rng.exp(50) : rng.uniform(1, 2000) * (i % 3);
      all.record(x);
      parts[i % 3].record(x);
    }
    const merged = new LatencyRecorder();
    for (const p of parts) merged.merge(p);
    merged.merge(new LatencyRecorder()); // merging an empty recorder changes nothing
    const a = all.summary();
    const m = merged.summary();
    expect(m.mean!).toBeCloseTo(a.mean!, 9);
    expect(m.stddev!).toBeCloseTo(a.stddev!, 9);
    expect({ ...m, mean: 0, stddev: 0 }).toEqual({ ...a, mean: 0, stddev: 0 });
  });

  it('a weighted sample equals that many repeated samples', () => {
    const rng = new Stream('weighted');
    const weighted = new LatencyRecorder();
    const repeated = new LatencyRecorder();
    for (let i = 0; i < 5_000; i++) {
      const x = rng.exp(200);
      const w = 1 + rng.int(7);
      weighted.recordWeighted(x, w);
      for (let j = 0; j < w; j++) repeated.record(x);
    }
    const a = repeated.summary();
    const b = weighted.summary();
    expect(b.count).toBe(a.count);
    expect(b.mean!).toBeCloseTo(a.mean!, 9);
    expect(b.stddev!).toBeCloseTo(a.stddev!, 9);
    expect({ ...b, mean: 0, stddev: 0 }).toEqual({ ...a, mean: 0, stddev: 0 });
  });

  it('refuses NaN latencies and non-positive weights', () => {
    const r = new LatencyRecorder();
    expect(() => r.record(NaN)).toThrow(/recorder invariant violated/);
    expect(() => r.recordWeighted(1, 0)).toThrow(/weight/);
    expect(() => r.recordWeighted(1, Infinity)).toThrow(/weight/);
  });

  it('reset forgets every sample', () => {
    const r = new LatencyRecorder();
    r.record(3);
    r.reset();
    expect(r.summary().count).toBe(0);
    r.record(7);
    expect(r.summary().p99).toBe(7);
  });
});
