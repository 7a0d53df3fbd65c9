import os from 'node:os';
import type { Architecture, DataNode, DbMode, ServerGroup } from '../../model/architecture.ts';
import { pathBetween, retransmissionTimeoutMs, type NetworkName, type RttMatrix } from '../../model/network.ts';
import { DEFAULT_PARAMS } from '../../model/params.ts';
import { CLIENT_REGION_IDS, findRegion } from '../../model/regions.ts';

/**
 * Where the parts of an architecture go on one machine: a server group per architecture group
 * (its processes sharing one port), a latency proxy per client region in front of the group it is
 * routed to, and a latency proxy per remote data path (server group → Redis/MySQL node). Delays
 * come from the same RTT model as the simulator (model/network.ts: a measured matrix, then the
 * named network's published table, then the Leighton prior), so one architecture file drives
 * `sim run` and `sim live run`.
 */
export interface LivePath {
  /** round-trip time to inject, ms (half each way) */
  rttMs: number;
  /** per-chunk loss probability (a loss costs one retransmission timeout) */
  loss: number;
  jitterMs: number;
  rtoMs: number;
}

/** One server group on this machine and how it reaches each of its data nodes. */
export interface PlannedGroup {
  id: string;
  region: string;
  instanceType: string;
  /** processes of all the group's instances, all sharing the group's port */
  processes: number;
  /** data paths of this group: null = co-located (direct connection, no proxy) */
  data: Record<'redisRead' | 'redisWrite' | 'mysqlRead' | 'mysqlWrite', { node: string; region: string; path: LivePath | null }>;
}

/** Where the clients of one region connect, and over what path. */
export interface PlannedRoute {
  clientRegion: string;
  group: string;
  path: LivePath;
}

/** The whole placement of an architecture. */
export interface LivePlan {
  arch: string;
  /** named network of the RTTs without a measured pair */
  network: NetworkName;
  groups: PlannedGroup[];
  routes: PlannedRoute[];
}

/** RTT source and path options of a placement. */
export interface PlanOptions {
  /** measured or calibrated RTT matrix, ms (pairs it has come first) */
  matrix?: RttMatrix;
  /** named network for the other pairs of different regions (default aws-2016, as `sim run`) */
  network?: NetworkName;
  /** jitter as a fraction of the one-way delay (0 = none) */
  jitterFraction: number;
  /** inject loss as retransmission delay */
  loss: boolean;
  /** client regions to place (default: the eight of the benchmark) */
  clientRegions?: readonly string[];
}

/**
 * Round trips a client's proxy holds its first byte for: TCP (1) and a full TLS handshake (2),
 * as the thesis's wss:// clients paid (its handshake latency was about 4 RTT). A Report records
 * it (`params.clientSetupRtts`): the simulator then draws no packets for those legs.
 */
export const CLIENT_SETUP_RTTS = 3;

/**
 * Where `sim live run` makes the clients' paths: `proxy`, a latency proxy per client region between
 * the generators and the servers (proxy.ts); `loadgen`, inside the generators, with the same links
 * and draws (loadgen/clientpath.ts), which spares the proxies' share of the machine.
 */
export type ClientNetwork = 'proxy' | 'loadgen';
export const CLIENT_NETWORKS: readonly ClientNetwork[] = ['proxy', 'loadgen'];

/** The network `sim live run` uses by default: the simulator's own (model/params.ts `network`). */
export const DEFAULT_NETWORK: NetworkName = DEFAULT_PARAMS.network;

/**
 * Server processes per group `sim live run` starts by default with async or batched drivers: one
 * per core of this machine. There a process serves any number of messages at once, so more
 * processes than cores add no capacity, only context switches and per-process work (each its own
 * Redis subscriber, connections, timers and metrics). Blocking groups keep the architecture's
 * count (orchestrate.ts). docs/live.md "Full size on one machine".
 */
export function defaultProcessCap(): number {
  return os.availableParallelism();
}

/**
 * Processes a planned group runs: the architecture's count, capped by `--max-processes` if given,
 * else by the machine's cores unless the drivers block (a blocking process is one loop serving
 * one message at a time, so its count is the group's concurrency). `line` says what was decided
 * when it is not simply the architecture's count on enough cores.
 */
export function processesToRun(g: { id: string; processes: number }, mode: DbMode, maxPerGroup: number | undefined, cores: number): { processes: number; line: string | null } {
  const cap = maxPerGroup ?? (mode === 'blocking' ? g.processes : cores);
  const processes = Math.max(1, Math.min(g.processes, cap));
  if (processes < g.processes) {
    const why = maxPerGroup === undefined ? 'one per core of this machine; --max-processes to change' : `--max-processes ${cap}`;
    return { processes, line: `server group ${g.id}: ${processes} processes instead of the architecture's ${g.processes} (${why})` };
  }
  if (processes > cores && maxPerGroup === undefined) {
    return { processes, line: `server group ${g.id}: the architecture's ${processes} processes on ${cores} cores (blocking drivers: each process serves one message at a time, fewer would serve fewer at once; --max-processes to cap)` };
  }
  return { processes, line: null };
}

function path(a: string, b: string, o: PlanOptions): LivePath {
  const ra = findRegion(a);
  const rb = findRegion(b);
  if (!ra || !rb) throw new Error(`plan invariant violated: unknown region ${ra ? b : a}`);
  const p = pathBetween(ra, rb, { matrix: o.matrix, network: o.network ?? DEFAULT_NETWORK });
  const jitterMs = (p.rttMs / 2) * o.jitterFraction;
  return { rttMs: p.rttMs, loss: o.loss ? p.loss : 0, jitterMs, rtoMs: retransmissionTimeoutMs(p.rttMs, jitterMs) };
}

function dataPath(g: ServerGroup, n: DataNode, o: PlanOptions): { node: string; region: string; path: LivePath | null } {
  // A node co-located with this group talks over loopback; anything else crosses a network.
  if (n.colocatedWith === g.id) return { node: n.id, region: n.region, path: null };
  return { node: n.id, region: n.region, path: path(g.region, n.region, o) };
}

/** Plans the live layout of a (validated) architecture. */
export function planLive(arch: Architecture, o: PlanOptions): LivePlan {
  const redis = new Map(arch.redis.map((n) => [n.id, n]));
  const mysql = new Map(arch.mysql.map((n) => [n.id, n]));
  const groups: PlannedGroup[] = arch.servers.map((g) => ({
    id: g.id, region: g.region, instanceType: g.instanceType, processes: g.count * g.processesPerInstance,
    data: {
      redisRead: dataPath(g, redis.get(g.redis.read)!, o),
      redisWrite: dataPath(g, redis.get(g.redis.write)!, o),
      mysqlRead: dataPath(g, mysql.get(g.mysql.read)!, o),
      mysqlWrite: dataPath(g, mysql.get(g.mysql.write)!, o),
    },
  }));
  const routes: PlannedRoute[] = (o.clientRegions ?? CLIENT_REGION_IDS).map((c) => {
    let target: ServerGroup;
    if (arch.routing.mode === 'single') {
      const endpoint = arch.routing.endpoint;
      target = arch.servers.find((g) => g.id === endpoint)!;
    } else {
      // latency-based DNS: the group with the lowest RTT from the client's region
      target = arch.servers.reduce((best, g) => (path(c, g.region, o).rttMs < path(c, best.region, o).rttMs ? g : best));
    }
    return { clientRegion: c, group: target.id, path: path(c, target.region, o) };
  });
  return { arch: arch.name, network: o.network ?? DEFAULT_NETWORK, groups, routes };
}

/** A run's users shared out over its client regions, in order: the first `users % regions` get one more. */
export function splitUsers(users: number, regions: readonly string[]): number[] {
  const base = Math.floor(users / regions.length);
  return regions.map((_, i) => base + (i < users % regions.length ? 1 : 0));
}
