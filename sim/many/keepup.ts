import type { Report } from '../../model/report.ts';
import type { Scenario } from '../../model/workload.ts';

/**
 * When does an architecture "keep up" with a load? All three must hold:
 *  1. connected: at least {@link KeepUpRule.minConnectedShare} of the users completed their
 *     handshake (a saturated loop stalls upgrades until they time out);
 *  2. latency: the global request p98 is at most {@link KeepUpRule.maxRequestP98Ms};
 *  3. no growing backlog: handled requests are at least {@link KeepUpRule.minServedShare} of
 *     what the connected users would ask for if every answer were instant. The workload is a
 *     closed loop (a user thinks again only once its confirmation arrives), so a backlog that
 *     grows does not pile up requests without bound: it shows as users asking less and less
 *     often. With think times of U(1,30) s (mean 15.5 s) a share of 0.9 allows a mean wait of
 *     about 1.7 s per request; a collapsing server serves far less.
 */
export interface KeepUpRule {
  minConnectedShare: number;
  maxRequestP98Ms: number;
  minServedShare: number;
}

export const DEFAULT_KEEP_UP: Readonly<KeepUpRule> = Object.freeze({
  minConnectedShare: 0.99,
  maxRequestP98Ms: 1000,
  minServedShare: 0.9,
});

/** Points of the numerical integral over connection times in {@link offeredRequests}. */
const OFFER_STEPS = 1000;

/**
 * Requests the connected users of a scenario would send with instant answers: per user 1
 * (list games), then, after the mean first think, 2 (join game, list pools), then one
 * prediction per mean prediction think until the end of the run. Users connect evenly over the
 * ramp (users / rampPerS seconds); the run ends at ramp + durationS.
 */
export function offeredRequests(scenario: Scenario, connectedUsers: number): number {
  const rampS = scenario.users / scenario.rampPerS;
  const endS = rampS + scenario.durationS;
  const firstS = (scenario.firstThinkS[0] + scenario.firstThinkS[1]) / 2;
  const thinkS = (scenario.predictThinkS[0] + scenario.predictThinkS[1]) / 2;
  let perUser = 0;
  for (let i = 0; i < OFFER_STEPS; i++) {
    const t = ((i + 0.5) / OFFER_STEPS) * rampS;
    const left = endS - t - firstS;
    perUser += 1 + (left > 0 ? 2 + left / thinkS : 0);
  }
  return (perUser / OFFER_STEPS) * connectedUsers;
}

/** Whether a report keeps up, the figures behind the verdict, and the reasons when it does not. */
export interface KeepUpVerdict {
  keepsUp: boolean;
  connectedShare: number;
  requestP98Ms: number | null;
  servedShare: number | null;
  reasons: string[];
}

export function keepUpVerdict(report: Report, scenario: Scenario, rule: KeepUpRule = DEFAULT_KEEP_UP): KeepUpVerdict {
  const reasons: string[] = [];
  const connectedShare = report.global.connected / report.users;
  if (!(connectedShare >= rule.minConnectedShare)) reasons.push(`only ${(connectedShare * 100).toFixed(1)}% connected (< ${rule.minConnectedShare * 100}%)`);
  const p98 = report.global.request.p98;
  if (p98 === null) reasons.push('no request answered');
  else if (p98 > rule.maxRequestP98Ms) reasons.push(`request p98 ${Math.round(p98)} ms > ${rule.maxRequestP98Ms} ms`);
  const handled = report.counts.handledRequests;
  const offered = offeredRequests(scenario, report.global.connected);
  const servedShare = handled === null || offered <= 0 ? null : handled / offered;
  if (servedShare !== null && servedShare < rule.minServedShare) {
    reasons.push(`backlog grows: served ${(servedShare * 100).toFixed(0)}% of the requests users would send with instant answers (< ${rule.minServedShare * 100}%)`);
  }
  return { keepsUp: reasons.length === 0, connectedShare, requestP98Ms: p98, servedShare, reasons };
}
