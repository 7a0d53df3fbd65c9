import { z } from 'zod';
import { UserError, invalid } from './errors.ts';
import { CLIENT_REGION_IDS, REGION_ID_RULE, isRegionId } from './regions.ts';
import { parseWith } from './schema.ts';

/**
 * The benchmark workload of SYSTEM.md §2, held constant across architectures: who connects,
 * how fast, from where, and what each user does. Plain data with documented defaults.
 */
export interface Scenario {
  /** total users that connect */
  users: number;
  /** new connections per second over all regions (thesis: 15 machines × 8 regions × 1/s) */
  rampPerS: number;
  /** seconds of load after the ramp ends (thesis: exactly 90 minutes); the run is ramp + this */
  durationS: number;
  /** share of users per client region; sums to 1 */
  regionMix: Record<string, number>;
  /** think after `list games`, uniform seconds */
  firstThinkS: [number, number];
  /** think before each prediction, uniform seconds, restarted when the confirmation arrives */
  predictThinkS: [number, number];
  /** prediction pools users predict into (one game, one pool in the benchmark) */
  pools: number;
  /**
   * How the handshake's TCP and TLS round trips cross the network. Absent: as packets on the
   * client's path, six one-ways each with its jitter and loss (the study's clients). A number n:
   * as `sim live` emulates them, its proxy holding the upgrade request for n fixed round trips
   * (no jitter, no loss; docs/live.md), so only the upgrade's two one-ways are packets.
   */
  emulatedSetupRtts?: number;
  /**
   * The server processes write their fan-outs on their event loops (`sim live`'s Node.js
   * servers): a handler that meets a fan-out waits for its end, as `broadcastLockHandoff` 0,
   * whatever the parameters say. Absent: a broadcast thread beside the loop (the study's Tornado).
   */
  fanOutOnLoop?: boolean;
  /**
   * Every server process of the run shares one machine of this many cores (`sim live` runs them
   * all on its host: the Report's `extra.live.machine.cores`): a fan-out waits for a free core
   * as well as for its own process, so updates that reach many processes at once are written
   * `hostCores` at a time. Absent: each process has a core of its own (the study's instances had
   * more cores than processes, SYSTEM.md §3).
   */
  hostCores?: number;
}

/**
 * The cores a run's server processes share (Scenario.hostCores), or null when each has a core
 * of its own: no machine named, or at least as many cores as processes.
 */
export function sharedHostCores(scenario: Pick<Scenario, 'hostCores'>, processes: number): number | null {
  return scenario.hostCores !== undefined && scenario.hostCores < processes ? scenario.hostCores : null;
}

/** The thesis benchmark: 24,000 users at 120/s from 8 regions, 200 s ramp + 90 min. */
export const THESIS_SCENARIO: Readonly<Scenario> = Object.freeze({
  users: 24_000,
  rampPerS: 120,
  durationS: 5_400,
  regionMix: Object.freeze(Object.fromEntries(CLIENT_REGION_IDS.map((r) => [r, 1 / 8]))) as Record<string, number>,
  firstThinkS: [1, 15] as [number, number],
  predictThinkS: [1, 30] as [number, number],
  pools: 1,
});


/** Seconds the benchmark's connection ramp lasted (24,000 users at 120/s); the default ramp rate keeps it at any user count. */
export const RAMP_S = THESIS_SCENARIO.users / THESIS_SCENARIO.rampPerS;

/**
 * Region mixes by name. `uniform`: the same number from each of the 8 client regions (the
 * benchmark). `ucl-final`: a Champions League final audience (SYSTEM.md §2): Spain and the rest
 * of Europe 65% (served from Ireland), South America 20%, North America 5% (3/1/1 over
 * N. Virginia, N. California, Oregon), Asia 9% (even over Tokyo and Singapore), Australia 1%.
 */
export const REGION_MIXES: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  uniform: THESIS_SCENARIO.regionMix,
  'ucl-final': {
    'eu-west-1': 0.65,
    'sa-east-1': 0.2,
    'us-east-1': 0.03,
    'us-west-1': 0.01,
    'us-west-2': 0.01,
    'ap-northeast-1': 0.045,
    'ap-southeast-1': 0.045,
    'ap-southeast-2': 0.01,
  },
};

const mixSchema = z.record(
  z.string().refine(isRegionId, REGION_ID_RULE),
  z.number().nonnegative('must be a share >= 0'),
);

/**
 * Validates a region mix given as data (weights per region id; any positive total, normalised
 * to 1). Throws UserError naming the region and the rule.
 */
export function parseRegionMix(data: unknown, where: string): Record<string, number> {
  const mix = parseWith(mixSchema, data, where);
  const total = Object.values(mix).reduce((s, w) => s + w, 0);
  if (!(total > 0)) throw invalid('region mix', mix, `must give at least one region a positive share in ${where}`);
  return Object.fromEntries(Object.entries(mix).filter(([, w]) => w > 0).map(([r, w]) => [r, w / total]));
}

/** A named region mix. @throws UserError CONFIG_UNKNOWN */
export function namedRegionMix(name: string): Record<string, number> {
  const mix = REGION_MIXES[name];
  if (!mix) throw new UserError('CONFIG_UNKNOWN', `--regions must be one of ${Object.keys(REGION_MIXES).join(', ')} or a path to a JSON file of region shares (got ${JSON.stringify(name)})`);
  return { ...mix };
}

/**
 * Splits `users` over regions by largest remainder, so the counts are integers that sum to
 * `users` and follow the shares as closely as possible. Regions in the mix's key order.
 */
export function usersPerRegion(users: number, mix: Record<string, number>): Record<string, number> {
  const entries = Object.entries(mix);
  const exact = entries.map(([r, w]) => [r, users * w] as const);
  const out: Record<string, number> = Object.fromEntries(exact.map(([r, x]) => [r, Math.floor(x)]));
  let left = users - Object.values(out).reduce((s, n) => s + n, 0);
  const byRemainder = [...exact].sort((a, b) => (b[1] - Math.floor(b[1])) - (a[1] - Math.floor(a[1])) || (a[0] < b[0] ? -1 : 1));
  for (let i = 0; left > 0; i = (i + 1) % byRemainder.length, left--) out[byRemainder[i][0]]++;
  return out;
}
