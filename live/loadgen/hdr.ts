import * as hdr from 'hdr-histogram-js';
import type { Summary } from '../../model/report.ts';

/**
 * Latency histograms of the live run: HdrHistogram (mergeable, fixed relative precision),
 * recording microseconds with 3 significant digits up to one hour.
 */
export type Histogram = hdr.Histogram;

/** Largest latency a histogram holds, µs (longer values are clamped to it and counted). */
export const HIST_MAX_US = 3_600_000_000;

/** A new, empty latency histogram (µs). */
export function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIST_MAX_US, numberOfSignificantValueDigits: 3, bitBucketSize: 32, autoResize: false, useWebAssembly: false });
}

/** Records a latency in ms (sub-ms kept as µs; negative clock noise recorded as 0). */
export function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(us < 0 ? 0 : us > HIST_MAX_US ? HIST_MAX_US : us);
}

/** Compact text form for sending a histogram between processes. */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** Inverse of encodeHistogram. Throws on a corrupt string. */
export function decodeHistogram(s: string): Histogram {
  const h = hdr.decodeFromCompressedBase64(s, 32, false);
  const out = newHistogram();
  out.add(h);
  return out;
}

/** Merges histograms into a new one. */
export function mergeHistograms(hs: Iterable<Histogram>): Histogram {
  const out = newHistogram();
  for (const h of hs) out.add(h);
  return out;
}

const ms = (us: number) => Math.round(us) / 1000;

/** The Report's Summary (ms) of a histogram; all null but count when it is empty. */
export function summaryOf(h: Histogram): Summary {
  const n = h.totalCount;
  if (n === 0) {
    return { count: 0, min: null, mean: null, stddev: null, median: null, p50: null, p66: null, p75: null, p80: null, p90: null, p95: null, p98: null, p99: null, max: null };
  }
  const p = (q: number) => ms(h.getValueAtPercentile(q));
  // minNonZeroValue ignores zeros; a histogram that holds a 0 has min 0. Max, like the
  // percentiles, is the top of its bucket (within the 3-digit precision), so it survives encoding.
  const min = h.getValueAtPercentile(0) === 0 ? 0 : ms(h.minNonZeroValue);
  return {
    count: n, min, mean: ms(h.mean), stddev: ms(h.stdDeviation), median: p(50),
    p50: p(50), p66: p(66), p75: p(75), p80: p(80), p90: p(90), p95: p(95), p98: p(98), p99: p(99), max: p(100),
  };
}
