import aws2016 from '../data/aws-rtt-2016/rtt.json' with { type: 'json' };
import { greatCircleMiles, type Region } from './regions.ts';

/**
 * Network locality prior (Leighton 2008, SYSTEM.md §4): round-trip time and typical packet loss
 * as a function of great-circle distance. Anchors are interpolated linearly; past the last anchor
 * the last segment's slope continues. Real routes are slower than this table: published
 * inter-region tables (NETWORKS) and calibrated matrices come first, the prior is the fallback.
 */
export interface LeightonAnchor {
  miles: number;
  rttMs: number;
  loss: number;
}

/** Anchors: "local" <100 mi, "regional" 500–1,000 mi (midpoint 750), "cross-continent" ~3,000, "multi-continent" ~6,000. */
export const LEIGHTON_TABLE: readonly LeightonAnchor[] = [
  { miles: 0, rttMs: 1, loss: 0.006 },
  { miles: 100, rttMs: 1, loss: 0.006 },
  { miles: 750, rttMs: 15, loss: 0.007 },
  { miles: 3000, rttMs: 50, loss: 0.01 },
  { miles: 6000, rttMs: 100, loss: 0.014 },
];

/** Largest loss the extrapolation may reach (a sanity cap, not a Leighton figure). */
const MAX_LOSS = 0.03;

function interpolate(miles: number, key: 'rttMs' | 'loss', table: readonly LeightonAnchor[]): number {
  if (!(miles >= 0)) throw new RangeError(`distance must be >= 0 miles (got ${miles})`);
  for (let i = 1; i < table.length; i++) {
    const a = table[i - 1];
    const b = table[i];
    if (miles <= b.miles) return a[key] + ((b[key] - a[key]) * (miles - a.miles)) / (b.miles - a.miles);
  }
  const a = table[table.length - 2];
  const b = table[table.length - 1];
  return b[key] + ((b[key] - a[key]) * (miles - b.miles)) / (b.miles - a.miles);
}

/** Leighton prior RTT in ms for a distance in miles. */
export function leightonRttMs(miles: number, table: readonly LeightonAnchor[] = LEIGHTON_TABLE): number {
  return interpolate(miles, 'rttMs', table);
}

/** Leighton prior packet-loss probability (0..1) for a distance in miles. */
export function leightonLoss(miles: number, table: readonly LeightonAnchor[] = LEIGHTON_TABLE): number {
  return Math.min(MAX_LOSS, interpolate(miles, 'loss', table));
}

/** A measured (or calibrated) RTT matrix: rttMs[from][to], symmetric use is the caller's choice. */
export type RttMatrix = Record<string, Record<string, number>>;

/**
 * Named networks: published all-pairs RTT tables between regions, used for every pair without a
 * calibrated measurement. `aws-2016`: average RTTs between EC2 instances in 10 AWS regions, the
 * nearest published figures to the 2015 study (data/aws-rtt-2016/README.md); this module is the
 * one reader of that file. `leighton`: no table, the distance prior alone.
 */
export const NETWORKS = ['aws-2016', 'leighton'] as const;
export type NetworkName = (typeof NETWORKS)[number];

/** Checks the shipped table once: every row and column a region of the list, numbers >= 0. */
function networkTable(data: { regions: string[]; rttMs: Record<string, Record<string, number>> }, name: string): RttMatrix {
  for (const a of data.regions) {
    for (const b of data.regions) {
      const v = data.rttMs[a]?.[b];
      if (typeof v !== 'number' || !(v >= 0)) throw new Error(`network ${name}: rttMs.${a}.${b} must be a number >= 0 (got ${String(v)})`);
    }
  }
  return data.rttMs;
}

const NETWORK_TABLES: Readonly<Record<NetworkName, RttMatrix | null>> = {
  'aws-2016': networkTable(aws2016, 'aws-2016'),
  leighton: null,
};

/** The table of a named network (null: the Leighton prior alone). */
export function networkMatrix(name: NetworkName): RttMatrix | null {
  return NETWORK_TABLES[name];
}

export interface PathModel {
  /** base round-trip time, ms */
  rttMs: number;
  /**
   * where the RTT comes from: a measured (calibrated) matrix, estimated against the simulator's
   * own delays; or a network figure (a published table, the Leighton prior) of what a round trip
   * typically takes
   */
  source?: 'measured' | 'network';
  /** packet-loss probability per message (each loss costs one retransmission timeout) */
  loss: number;
}

/**
 * The path between two regions, its RTT from the first that has the pair (either direction):
 * the measured (calibrated) matrix; the named network's table between two different regions (a
 * table's diagonal is not a path: inside a region the Leighton local figure applies); the
 * Leighton prior. The loss is always Leighton's for the distance.
 */
export function pathBetween(a: Region, b: Region, opts: { matrix?: RttMatrix; network?: NetworkName } = {}): PathModel {
  const miles = a.id === b.id ? 0 : greatCircleMiles(a, b);
  const measured = opts.matrix?.[a.id]?.[b.id] ?? opts.matrix?.[b.id]?.[a.id];
  const table = a.id !== b.id && opts.network ? NETWORK_TABLES[opts.network] : null;
  const published = table?.[a.id]?.[b.id] ?? table?.[b.id]?.[a.id];
  const rttMs = measured ?? published ?? leightonRttMs(miles);
  return { rttMs, loss: leightonLoss(miles), source: measured !== undefined ? 'measured' : 'network' };
}

/**
 * Messages of a wss handshake, each of which can be lost: SYN, SYN-ACK, the four TLS flights
 * (ClientHello, server flight, client key exchange, server Finished), the upgrade request and
 * its 101 answer (sim/runner/system.ts draws one network leg for each).
 */
export const HANDSHAKE_MESSAGES = 8;

/** Linux's floor on a retransmission timeout (TCP_RTO_MIN), ms. */
export const RTO_MIN_MS = 200;

/**
 * TCP retransmission timeout in ms for a path (RFC 6298 with Linux's 200 ms floor):
 * RTO = max(200, SRTT + 4·RTTVAR), with RTTVAR taken as the jitter.
 */
export function retransmissionTimeoutMs(rttMs: number, jitterMs: number): number {
  return Math.max(RTO_MIN_MS, rttMs + 4 * jitterMs);
}

/**
 * TCP retransmission timeout in ms of a connection's first data (the TLS handshake and the
 * upgrade), when its only RTT sample R is the SYN exchange's: RFC 6298 §2.2 sets SRTT = R,
 * RTTVAR = R/2, RTO = SRTT + 4·RTTVAR = 3R; Linux (tcp_rtt_estimator, "make sure rto = 3*rtt")
 * floors the variance term at TCP_RTO_MIN: R + max(2R, 200 ms). São Paulo's 193 ms path: 579 ms
 * (against ~210 ms once the connection's variance has settled).
 */
export function firstSampleRtoMs(rttMs: number): number {
  return rttMs + Math.max(2 * rttMs, RTO_MIN_MS);
}
