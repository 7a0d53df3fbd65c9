import type { Report } from '../model/report.ts';

/** A confidence interval of a figure over replications: lower and upper bound, and its level (0.95). */
export interface Interval {
  lo: number;
  hi: number;
  level: number;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function at(o: unknown, ...keys: string[]): unknown {
  let v = o;
  for (const k of keys) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/**
 * The interval of one figure when the Report holds replications (`extra.ci`, written by
 * `sim run --replications`: `{ level, regions: { <id>: { connected, failed, handshake: { <stat> }, ... } },
 * global: {...}, counts: { <key> } }` with intervals `{ mean, lo, hi, n }`). Null when the Report
 * has none for that figure, or its bounds are unknown (fewer than two replications had it).
 * @param path keys under `extra.ci`: `['global', 'request', 'p98']`, `['regions', 'eu-west-1', 'connected']`, `['counts', 'redisHits']`
 */
export function intervalOf(report: Report, path: readonly string[]): Interval | null {
  const ci = report.extra?.ci;
  const level = num(at(ci, 'level'));
  const iv = at(ci, ...path);
  const lo = num(at(iv, 'lo'));
  const hi = num(at(iv, 'hi'));
  return level !== null && lo !== null && hi !== null ? { lo, hi, level } : null;
}
