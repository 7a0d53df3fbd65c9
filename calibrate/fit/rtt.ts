import type { Architecture } from '../../model/architecture.ts';
import { median } from '../../model/levels.ts';
import { leightonRttMs, networkMatrix, pathBetween, type NetworkName, type RttMatrix } from '../../model/network.ts';
import { DEFAULT_PARAMS } from '../../model/params.ts';
import { findRegion, greatCircleMiles } from '../../model/regions.ts';
import type { Report } from '../../model/report.ts';

/**
 * The direct estimate of round-trip times between client regions and the server regions they
 * were routed to, from measured medians (SYSTEM.md §6):
 *
 *     request median   ≈ 1 RTT + sReq     (server time of a request)
 *     handshake median ≈ 4 RTT + sHs      (TCP 1, TLS 2, HTTP upgrade 1, plus server work)
 *
 * The server times are anchored on a client region that shares its server's region (its RTT is
 * the Leighton local figure); without one, on the default network's published table when it has
 * every pair (the table is a measurement of the routes: each region's median minus 1 or 4 of its
 * published RTTs reads the server time, and the median over the regions keeps one route that
 * changed since the table was measured from moving it); else they are the intercepts of a
 * regression of the medians on the Leighton prior with one common slope. Each region's RTT is the mean of its two
 * readings. This is an estimate, not an optimisation; calibration later corrects each entry by
 * the simulated-minus-measured median (the simulator's jitter shifts medians a little).
 */
export interface RttEstimate {
  /** rttMs[clientRegion][serverRegion] */
  matrix: RttMatrix;
  /**
   * geometric mean of estimate / Leighton prior over the non-local pairs: a diagnostic (how much
   * longer the measured routes are than the distance prior), logged, not a parameter; pairs not
   * measured take the network's published table (model/network.ts)
   */
  routeFactor: number;
  /** request server time, ms */
  requestServerMs: number;
  /** handshake server work, ms */
  handshakeServerMs: number;
  /** how the server times were found */
  anchor: 'local-region' | 'network-table' | 'regression';
  /** per client region: the server region, prior, the two readings and the estimate (ms) */
  detail: Array<{ region: string; serverRegion: string; priorMs: number; fromRequestMs: number; fromHandshakeMs: number; rttMs: number }>;
}

/** Smallest RTT the estimate may give (ms): the Leighton "local" figure. */
export const MIN_RTT_MS = 1;

/**
 * The server region each client region reaches: the single endpoint's region, or for
 * latency-based routing the server region nearest by the default network's published RTTs (as
 * the simulator routes a run without a calibrated matrix; the Leighton prior for pairs outside
 * the table).
 */
export function serverRegionFor(arch: Architecture, clientRegion: string): string {
  if (arch.routing.mode === 'single') {
    const endpoint = arch.routing.endpoint;
    const g = arch.servers.find((s) => s.id === endpoint);
    if (!g) throw new Error(`architecture invariant violated: no server group ${endpoint}`);
    return g.region;
  }
  return arch.servers
    .map((g) => ({ region: g.region, rtt: networkRttMs(clientRegion, g.region) }))
    .sort((a, b) => a.rtt - b.rtt || (a.region < b.region ? -1 : 1))[0].region;
}

/** RTT between two regions under the default network (ms). */
function networkRttMs(a: string, b: string): number {
  const ra = findRegion(a);
  const rb = findRegion(b);
  if (!ra || !rb) throw new Error(`unknown region ${ra ? b : a}`);
  return pathBetween(ra, rb, { network: DEFAULT_PARAMS.network }).rttMs;
}

/** Leighton prior RTT between two regions (ms). */
export function priorRttMs(a: string, b: string): number {
  const ra = findRegion(a);
  const rb = findRegion(b);
  if (!ra || !rb) throw new Error(`unknown region ${ra ? b : a}`);
  return leightonRttMs(a === b ? 0 : greatCircleMiles(ra, rb));
}

/**
 * Estimates the RTT matrix from a measured report's per-region request and handshake medians.
 * Regions without both medians are skipped. Returns null when no region has them.
 */
export function estimateRtt(meas: Report, arch: Architecture, regions: readonly string[], network: NetworkName = DEFAULT_PARAMS.network): RttEstimate | null {
  const rows = regions.flatMap((region) => {
    const r = meas.regions[region];
    const req = r?.request.median ?? r?.request.p50 ?? null;
    const hs = r?.handshake.median ?? r?.handshake.p50 ?? null;
    if (req === null || hs === null || !(req > 0) || !(hs > 0)) return [];
    const serverRegion = serverRegionFor(arch, region);
    return [{ region, serverRegion, prior: priorRttMs(region, serverRegion), req, hs }];
  });
  if (rows.length === 0) return null;

  let sReq: number;
  let sHs: number;
  let anchor: RttEstimate['anchor'];
  const local = rows.filter((r) => r.region === r.serverRegion);
  const table = networkMatrix(network);
  const published = (r: (typeof rows)[number]) => table?.[r.region]?.[r.serverRegion] ?? table?.[r.serverRegion]?.[r.region];
  if (local.length > 0) {
    anchor = 'local-region';
    sReq = mean(local.map((r) => r.req - r.prior));
    sHs = mean(local.map((r) => r.hs - 4 * r.prior));
  } else if (rows.every((r) => published(r) !== undefined)) {
    anchor = 'network-table';
    sReq = Math.max(0, median(rows.map((r) => r.req - published(r)!))!);
    sHs = Math.max(0, median(rows.map((r) => r.hs - 4 * published(r)!))!);
  } else {
    // common slope over (prior, req) and (prior, hs/4); intercepts are the server times
    anchor = 'regression';
    const xBar = mean(rows.map((r) => r.prior));
    const reqBar = mean(rows.map((r) => r.req));
    const hsBar = mean(rows.map((r) => r.hs / 4));
    let sxy = 0;
    let sxx = 0;
    for (const r of rows) {
      const dx = r.prior - xBar;
      sxy += dx * (r.req - reqBar) + dx * (r.hs / 4 - hsBar);
      sxx += 2 * dx * dx;
    }
    const slope = sxx > 0 ? sxy / sxx : 1;
    sReq = Math.max(0, reqBar - slope * xBar);
    sHs = Math.max(0, 4 * (hsBar - slope * xBar));
  }

  const matrix: RttMatrix = {};
  const detail: RttEstimate['detail'] = [];
  const ratios: number[] = [];
  for (const r of rows) {
    const fromRequestMs = r.req - sReq;
    const fromHandshakeMs = (r.hs - sHs) / 4;
    const rttMs = Math.max(MIN_RTT_MS, (fromRequestMs + fromHandshakeMs) / 2);
    (matrix[r.region] ??= {})[r.serverRegion] = round3(rttMs);
    detail.push({ region: r.region, serverRegion: r.serverRegion, priorMs: round3(r.prior), fromRequestMs: round3(fromRequestMs), fromHandshakeMs: round3(fromHandshakeMs), rttMs: round3(rttMs) });
    if (r.region !== r.serverRegion) ratios.push(rttMs / r.prior);
  }
  const routeFactor = ratios.length ? Math.exp(mean(ratios.map(Math.log))) : 1;
  return { matrix, routeFactor: round3(Math.max(1, routeFactor)), requestServerMs: round3(sReq), handshakeServerMs: round3(sHs), anchor, detail };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
