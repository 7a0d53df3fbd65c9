import { CLIENT_REGION_IDS } from '../../model/regions.ts';
import { emptySummary, type Report, type Summary } from '../../model/report.ts';

/** A summary with the given count, mean and median; other percentiles spread from the median. */
export function summary(count: number, mean: number, median: number, p98 = median * 4): Summary {
  return {
    ...emptySummary(), count, min: median / 3, mean, stddev: mean, median, p50: median,
    p66: median * 1.2, p75: median * 1.4, p80: median * 1.6, p90: median * 2.5, p95: median * 3,
    p98, p99: p98 * 1.3, max: p98 * 5,
  };
}

/**
 * A report whose region r has request median rttMs[r] + reqServerMs and handshake median
 * 4·rttMs[r] + hsServerMs; means 1.5× the medians, broadcast mean 300 ms.
 */
export function syntheticReport(rttMs: Record<string, number>, reqServerMs = 6, hsServerMs = 12, kind: Report['kind'] = 'import'): Report {
  const regions: Report['regions'] = {};
  for (const [r, rtt] of Object.entries(rttMs)) {
    const req = rtt + reqServerMs;
    const hs = 4 * rtt + hsServerMs;
    regions[r] = {
      connected: 3000, failed: 0, pending: 0,
      handshake: summary(3000, hs * 1.5, hs), request: summary(1_000_000, req * 1.5, req), broadcast: summary(5_000_000, 300, 250),
    };
  }
  return {
    kind, arch: 'baseline', users: 3000 * Object.keys(rttMs).length, seed: null, durationS: 5600, params: null, regions,
    global: { connected: 3000 * Object.keys(rttMs).length, failed: 0, pending: 0, handshake: emptySummary(), request: emptySummary(), broadcast: emptySummary() },
    counts: { handledRequests: 1_000_000 * Object.keys(rttMs).length, redisHits: null, redisMisses: null, mysqlQueries: null, broadcasts: null },
    resources: null, network: null, cost: null, meters: null,
  };
}

/** RTTs (ms) to Ireland used by the synthetic tests: roughly the thesis's medians minus 6 ms. */
export const TRUE_RTT_MS: Record<string, number> = Object.fromEntries(
  CLIENT_REGION_IDS.map((r, i) => [r, [1, 77, 140, 158, 192, 198, 215, 313][i]]),
);
