import { firstSampleRtoMs, HANDSHAKE_MESSAGES } from '../../model/network.ts';
import { PERCENTILE_KEYS, type Report, type Summary } from '../../model/report.ts';
import type { MeasuredRun } from './measured.ts';
import type { RttEstimate } from './rtt.ts';
import { roundSig } from './space.ts';

/**
 * Packet loss per path, read from a region's handshake tail. A wss handshake is a chain of
 * HANDSHAKE_MESSAGES messages before its socket opens; one lost message makes it wait a
 * retransmission timeout (the SYN's initial 1 s, or the first-sample RTO of 3 RTT, at least RTT +
 * 200 ms, for the TLS flights and the upgrade: model/network.ts), far beyond the spread of the
 * rest. So the share q of a region's handshakes beyond median + half that RTO is the share that
 * lost a message, and a message is lost with probability 1 − (1 − q)^(1/HANDSHAKE_MESSAGES).
 *
 * Read from the quantiles a Report keeps (p50 … p99), interpolating the level where the
 * threshold falls; a share under 1 % lies beyond the p99 and is not resolved: such a path keeps
 * the Leighton prior × `lossFactor` (the fit's). On the 2015 baseline only São Paulo's tail is
 * resolved (p95 817 ms, p98 1,266 ms against a median of 783 ms and a threshold of ~1,070 ms:
 * about 3 % of its handshakes waited an RTO, ~0.5 % of messages lost), while Sydney, twice as
 * far, shows none: loss is a property of the route, not of its length. A live run that injected
 * no loss has none to read.
 */

/** Smallest share of handshakes read as loss: beyond the p99 the quantiles say nothing. */
export const MIN_RESOLVED_SHARE = 0.01;

const LEVELS: Record<(typeof PERCENTILE_KEYS)[number], number> = { p50: 0.5, p66: 0.66, p75: 0.75, p80: 0.8, p90: 0.9, p95: 0.95, p98: 0.98, p99: 0.99 };

/** Share of the samples above `x`, interpolated between the summary's quantiles; null when x is beyond the p99 or the quantiles are missing. */
export function shareAbove(s: Summary, x: number): number | null {
  let prev: { level: number; value: number } | null = null;
  for (const k of PERCENTILE_KEYS) {
    const value = s[k];
    if (value === null) return null;
    const level = LEVELS[k];
    if (value >= x) {
      if (!prev) return 1 - level;
      const f = value === prev.value ? 1 : (x - prev.value) / (value - prev.value);
      return 1 - (prev.level + f * (level - prev.level));
    }
    prev = { level, value };
  }
  return null;
}

/** One path's reading. */
export interface PathLoss {
  region: string;
  serverRegion: string;
  /** median + half the RTO a lost message costs, ms */
  thresholdMs: number;
  /** share of the region's handshakes beyond it */
  share: number;
  /** per-message loss it implies */
  loss: number;
}

/** Whether a measured run can show loss at all (a live run that injected none cannot). */
function lossPossible(report: Report): boolean {
  const p = report.params as Record<string, unknown> | null;
  return !(report.kind === 'live' && p?.loss === false);
}

/** The paths whose handshake tail resolves a loss, for one run and its RTT estimate. */
export function estimatePathLoss(run: MeasuredRun, rtt: RttEstimate): PathLoss[] {
  if (!lossPossible(run.report)) return [];
  const out: PathLoss[] = [];
  for (const d of rtt.detail) {
    const hs = run.report.regions[d.region]?.handshake;
    const median = hs?.median ?? hs?.p50 ?? null;
    if (!hs || median === null || hs.count === 0) continue;
    const thresholdMs = median + firstSampleRtoMs(d.rttMs) / 2;
    const share = shareAbove(hs, thresholdMs);
    if (share === null || share < MIN_RESOLVED_SHARE) continue;
    const loss = roundSig(1 - (1 - share) ** (1 / HANDSHAKE_MESSAGES), 3);
    out.push({ region: d.region, serverRegion: d.serverRegion, thresholdMs: roundSig(thresholdMs, 4), share: roundSig(share, 3), loss });
  }
  return out;
}
