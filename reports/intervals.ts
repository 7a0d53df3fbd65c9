import type { Interval, ReplicationCi, Report } from '../model/report.ts';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The interval of one figure when the Report holds replications (`extra.ci`, written by
 * `sim run --replications` and `sim sweep`; its shape is {@link ReplicationCi} in
 * model/report.ts), as `pick` finds it. Null when the Report has none for that figure, or its
 * bounds are unknown (fewer than two replications had it). A Report read from a file may carry
 * a partial `extra.ci`: `pick` reads it with optional chaining.
 */
export function intervalAt(report: Report, pick: (ci: ReplicationCi) => Interval | undefined): Interval | null {
  const ci = report.extra?.ci;
  const iv = ci && isNum(ci.level) ? pick(ci) : undefined;
  return iv && isNum(iv.lo) && isNum(iv.hi) ? iv : null;
}

/** Coverage of a Report's intervals (0.95), or null when it holds none. */
export function confidenceLevel(report: Report): number | null {
  const level = report.extra?.ci?.level;
  return isNum(level) ? level : null;
}
