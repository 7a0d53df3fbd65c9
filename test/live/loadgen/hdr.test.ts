import { describe, expect, it } from 'vitest';
import { decodeHistogram, encodeHistogram, mergeHistograms, newHistogram, recordMs, summaryOf } from '../../../live/loadgen/hdr.ts';

describe('latency histograms', () => {
  it('summarise 1..1000 ms within HDR precision (3 significant digits)', () => {
    const h = newHistogram();
    for (let i = 1; i <= 1000; i++) recordMs(h, i);
    const s = summaryOf(h);
    expect(s.count).toBe(1000);
    expect(s.min).toBeCloseTo(1, 2);
    expect(s.mean!).toBeCloseTo(500.5, 0);
    expect(s.stddev!).toBeCloseTo(288.7, 0);
    for (const [k, q] of [['p50', 500], ['p90', 900], ['p99', 990]] as const) expect(Math.abs(s[k]! - q) / q).toBeLessThan(0.002);
    expect(s.median).toBe(s.p50);
    expect(Math.abs(s.max! - 1000)).toBeLessThan(1);
  });

  it('survive encoding and merge exactly', () => {
    const a = newHistogram();
    const b = newHistogram();
    for (let i = 0; i < 500; i++) recordMs(a, 10 + (i % 7));
    for (let i = 0; i < 300; i++) recordMs(b, 2000 + i);
    const m = mergeHistograms([decodeHistogram(encodeHistogram(a)), decodeHistogram(encodeHistogram(b))]);
    const direct = mergeHistograms([a, b]);
    expect(summaryOf(m)).toEqual(summaryOf(direct));
    expect(summaryOf(m).count).toBe(800);
  });

  it('an empty histogram has count 0 and nulls, never invented figures', () => {
    const s = summaryOf(newHistogram());
    expect(s.count).toBe(0);
    expect(s.mean).toBeNull();
    expect(s.p99).toBeNull();
  });
});
