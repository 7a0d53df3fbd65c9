import type { Report } from '../../model/report.ts';
import { describeViolation, sloViolations, type SloTerm, type SloViolation } from './slo.ts';

/**
 * The verdict of one run against the objective: SLO terms per client region and globally,
 * plus the share of users that connected (at least `minConnectedShare` per region: a latency
 * percentile over the few users who got in means nothing).
 */
export interface RunVerdict {
  pass: boolean;
  violations: SloViolation[];
  /** per client region with users: whether that region meets everything */
  regionPass: Record<string, boolean>;
}

export function judge(report: Report, slo: readonly SloTerm[], minConnectedShare: number): RunVerdict {
  const violations = sloViolations(report, slo);
  const term = `connected>=${minConnectedShare * 100}%`;
  for (const [region, r] of [...Object.entries(report.regions), ['global', report.global] as const]) {
    const total = r.connected + r.failed;
    if (total === 0) continue;
    const share = r.connected / total;
    if (share < minConnectedShare) {
      violations.push({ region, term, metric: 'handshake', stat: 'max', valueMs: null, limitMs: minConnectedShare, connectedShare: share });
    }
  }
  const regionPass: Record<string, boolean> = {};
  for (const [region, r] of Object.entries(report.regions)) {
    if (r.connected + r.failed === 0) continue;
    regionPass[region] = !violations.some((v) => v.region === region);
  }
  return { pass: violations.length === 0, violations, regionPass };
}

/** The worst violation of a region as a ratio value/limit (Infinity when nothing to measure). */
export function worstRatio(violations: readonly SloViolation[], region: string | null): number {
  let worst = 0;
  for (const v of violations) {
    if (region !== null && v.region !== region) continue;
    const cs = v.connectedShare;
    const ratio = cs !== undefined ? (cs > 0 ? v.limitMs / cs : Infinity) : v.valueMs === null ? Infinity : v.valueMs / v.limitMs;
    worst = Math.max(worst, ratio);
  }
  return worst;
}

/** One line per violation, worst first: `ap-southeast-2 request.p98 = 1,840 ms (limit 500 ms)`. */
export const describe = describeViolation;
