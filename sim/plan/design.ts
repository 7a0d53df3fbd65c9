import { parseArchitecture, type Architecture, type DataNode, type DbMode, type ServerGroup } from '../../model/architecture.ts';
import { instanceType } from '../../model/instances.ts';
import { findRegion, greatCircleMiles } from '../../model/regions.ts';

/**
 * A candidate architecture of the plan search, as the few choices that define it. The
 * architecture itself is built from these by {@link buildArchitecture}.
 *
 * Layouts (where servers and data run):
 * - `central-colocated`: all clients to one server group in the hub region; Redis and MySQL
 *   on its first instance (the thesis baseline's shape).
 * - `central-dedicated`: the same servers; Redis and MySQL (RDS) on their own instances in the hub.
 * - `regional-remote`: one server group per client region with users (latency routing); Redis
 *   and MySQL in the hub only, read and written across oceans (Proposed I's shape).
 * - `regional-redis-replicas`: as regional-remote, plus a Redis read replica on every server
 *   instance outside the hub (reads local, writes to the hub).
 * - `regional-replicas`: as regional-redis-replicas, plus a MySQL read replica (RDS) in every
 *   region outside the hub (Proposed II's shape; at most 5 replicas read the master directly,
 *   the others chain off the nearest direct replica: one cross-region hop at most).
 * - `regional-sharded`: one server group per client region, each with its own Redis and MySQL
 *   (RDS) in its own region: the data is partitioned by region, nothing crosses an ocean, and
 *   each region's pools are broadcast within the region only (a product change: a pool per
 *   shard). It is the only layout whose data tier grows with the number of regions. A region
 *   whose load one pair of masters cannot carry is split further into `shards[region]` shards
 *   by user: each shard is a server group of `counts[region]` instances with its own Redis and
 *   MySQL, the region's clients spread over the shards (latency routing, in proportion to their
 *   processes), and each shard broadcasts its pools to its own subscribers only.
 */
export type Layout = 'central-colocated' | 'central-dedicated' | 'regional-remote' | 'regional-redis-replicas' | 'regional-replicas' | 'regional-sharded';
export const LAYOUTS: readonly Layout[] = ['central-colocated', 'central-dedicated', 'regional-remote', 'regional-redis-replicas', 'regional-replicas', 'regional-sharded'];

/** Most read replicas that replicate from one RDS master directly (SYSTEM.md §3). */
export const MAX_DIRECT_REPLICAS = 5;

export interface Design {
  layout: Layout;
  /** region of the central servers and of every master */
  hub: string;
  /** EC2 type of every WebSocket server */
  serverType: string;
  /** server instances per group: for central layouts one entry (the hub), else per client region */
  counts: Record<string, number>;
  dbMode: DbMode;
  /** broadcast batching window, seconds */
  windowS: number;
  /** EC2 type of a dedicated Redis master */
  redisType: string;
  /** RDS type of a dedicated MySQL master */
  mysqlType: string;
  /** RDS type of MySQL read replicas */
  replicaType: string;
  /**
   * `regional-sharded` only: shards per client region (absent or 1: one shard); `counts` are
   * then instances per shard
   */
  shards?: Record<string, number>;
}

/** Shards of a region in a design (1 unless the design splits it). */
export function shardsOf(d: Pick<Design, 'shards'>, region: string): number {
  return d.shards?.[region] ?? 1;
}

/** True when some region of the design has more than one shard. */
export function isMultiShard(d: Pick<Design, 'shards'>): boolean {
  return Object.values(d.shards ?? {}).some((k) => k > 1);
}

/** `eu-west-1 50, us-east-1 14` (regions with more than one shard). */
export function describeShards(d: Pick<Design, 'shards'>): string {
  return Object.entries(d.shards ?? {}).filter(([, k]) => k > 1).map(([r, k]) => `${r} ${k}`).join(', ');
}

export function isCentral(layout: Layout): boolean {
  return layout.startsWith('central');
}

/** Processes per server instance: half the vCPUs, as the thesis ran (each has two busy threads). */
export function processesFor(type: string): number {
  return Math.max(1, Math.floor(instanceType(type)!.vcpu / 2));
}

/** The design without its counts: a "family" whose server counts the search bisects. */
export function familyKey(d: Omit<Design, 'counts'>): string {
  const data = d.layout === 'central-colocated' ? '' : ` redis ${d.redisType}, mysql ${d.mysqlType}`;
  const shards = isMultiShard(d) ? `, shards ${describeShards(d)}` : '';
  return `${d.layout} ${d.serverType} ${d.dbMode} window ${d.windowS}s${data}${shards}`;
}

/** `eu-west-1 3×c3.8xlarge` or `eu-west-1 2, us-east-1 1, ... ×m3.xlarge` */
export function describeCounts(d: Design): string {
  if (isMultiShard(d)) {
    const per = Object.entries(d.counts).map(([r, c]) => (shardsOf(d, r) > 1 ? `${r} ${shardsOf(d, r)} shards × ${c}` : `${r} ${c}`)).join(', ');
    const total = Object.entries(d.counts).reduce((sum, [r, c]) => sum + c * shardsOf(d, r), 0);
    return `${per} × ${d.serverType} (${processesFor(d.serverType)} processes each; ${total} instances in all)`;
  }
  return `${Object.entries(d.counts).map(([r, c]) => `${r} ${c}`).join(', ')} × ${d.serverType} (${processesFor(d.serverType)} processes each)`;
}

/**
 * The architecture of a design, validated like a user's file.
 * @throws UserError if the design is inconsistent (a bug in the search, reported as such)
 */
export function buildArchitecture(d: Design, name: string): Architecture {
  const procs = processesFor(d.serverType);
  const central = isCentral(d.layout);
  const groups = Object.entries(d.counts);
  const redis: DataNode[] = [];
  const mysql: DataNode[] = [];
  const servers: ServerGroup[] = [];
  if (d.layout === 'central-colocated') {
    redis.push({ id: 'redis', region: d.hub, colocatedWith: d.hub });
    mysql.push({ id: 'mysql', region: d.hub, colocatedWith: d.hub });
  } else if (d.layout === 'regional-sharded') {
    for (const [region, count] of groups) {
      const k = shardsOf(d, region);
      for (let i = 1; i <= k; i++) {
        // one shard: ids as before (`eu-west-1`, `redis-eu-west-1`); several: `eu-west-1-s2`, `redis-eu-west-1-s2`
        const id = k === 1 ? region : `${region}-s${i}`;
        redis.push({ id: `redis-${id}`, region, instanceType: d.redisType });
        mysql.push({ id: `mysql-${id}`, region, instanceType: d.mysqlType });
        servers.push({ id, region, instanceType: d.serverType, count, processesPerInstance: procs,
          redis: { read: `redis-${id}`, write: `redis-${id}` }, mysql: { read: `mysql-${id}`, write: `mysql-${id}` } });
      }
    }
  } else {
    redis.push({ id: 'redis', region: d.hub, instanceType: d.redisType });
    mysql.push({ id: 'mysql', region: d.hub, instanceType: d.mysqlType });
  }
  const sharded = d.layout === 'regional-sharded';
  const redisReplicas = d.layout === 'regional-redis-replicas' || d.layout === 'regional-replicas';
  const mysqlReplicas = d.layout === 'regional-replicas';
  const remote = groups.map(([r]) => r).filter((r) => r !== d.hub);
  const mysqlReadOf = new Map<string, string>();
  if (mysqlReplicas) {
    const direct = remote.slice(0, MAX_DIRECT_REPLICAS);
    for (const r of direct) {
      mysql.push({ id: `mysql-${r}`, region: r, instanceType: d.replicaType, replicaOf: 'mysql' });
      mysqlReadOf.set(r, `mysql-${r}`);
    }
    for (const r of remote.slice(MAX_DIRECT_REPLICAS)) {
      const here = findRegion(r)!;
      const nearest = [...direct].sort((a, b) => greatCircleMiles(here, findRegion(a)!) - greatCircleMiles(here, findRegion(b)!))[0];
      mysql.push({ id: `mysql-${r}`, region: r, instanceType: d.replicaType, replicaOf: `mysql-${nearest}` });
      mysqlReadOf.set(r, `mysql-${r}`);
    }
  }
  for (const [region, count] of sharded ? [] : groups) {
    let redisRead = 'redis';
    if (redisReplicas && region !== d.hub) {
      redis.push({ id: `redis-${region}`, region, colocatedWith: region, replicaOf: 'redis' });
      redisRead = `redis-${region}`;
    }
    servers.push({
      id: region,
      region,
      instanceType: d.serverType,
      count,
      processesPerInstance: procs,
      redis: { read: redisRead, write: 'redis' },
      mysql: { read: mysqlReadOf.get(region) ?? 'mysql', write: 'mysql' },
    });
  }
  const arch = {
    name,
    description: `plan candidate: ${familyKey(d)}; ${describeCounts(d)}`,
    routing: central ? { mode: 'single' as const, endpoint: d.hub } : { mode: 'latency' as const },
    dbMode: d.dbMode,
    broadcast: { windowS: d.windowS, check: 'racy' as const },
    servers,
    redis,
    mysql,
  };
  return parseArchitecture(arch, `plan candidate ${name}`);
}
