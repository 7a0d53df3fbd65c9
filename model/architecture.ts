import { z } from 'zod';
import { UserError, invalid, problemsError, show } from './errors.ts';
import { INSTANCE_TYPES, instanceType } from './instances.ts';
import { REGION_ID_RULE, isRegionId } from './regions.ts';
import { parseWith } from './schema.ts';
import baseline from './data/architectures/baseline.json' with { type: 'json' };
import proposed1 from './data/architectures/proposed1.json' with { type: 'json' };
import proposed2 from './data/architectures/proposed2.json' with { type: 'json' };

/**
 * An architecture: where WebSocket servers, Redis and MySQL run, how clients are routed, how
 * servers reach their data, and how the database is called. Plain JSON-able data; the three of
 * SYSTEM.md §3 ship as files in model/data/architectures/, and a user's own file has the same
 * schema. One architecture file drives both `sim run` and `sim live run`.
 */
export type DbMode = 'blocking' | 'async' | 'batched';
export const DB_MODES: readonly DbMode[] = ['blocking', 'async', 'batched'];

export interface ServerGroup {
  /** unique id, referenced by routing and by co-located data nodes */
  id: string;
  region: string;
  instanceType: string;
  /** instances in this group (each gets its own share of the group's clients, round-robin) */
  count: number;
  /** single-threaded event-loop processes per instance (the thesis ran vCPU/2) */
  processesPerInstance: number;
  /** ids of the Redis nodes this group reads from and writes to */
  redis: { read: string; write: string };
  /** ids of the MySQL nodes this group reads from and writes to */
  mysql: { read: string; write: string };
}

export interface DataNode {
  id: string;
  region: string;
  /** own instance of this type; absent when co-located */
  instanceType?: string;
  /**
   * server group it runs on. A co-located replica runs on every instance of the group (each
   * instance reads its own copy); a co-located master runs on the group's first instance.
   */
  colocatedWith?: string;
  /** id of the node it replicates from; absent for a master */
  replicaOf?: string;
  /** cores it may use; defaults to the instance type's vCPUs (Redis uses one whatever this says) */
  cores?: number;
}

export interface Architecture {
  name: string;
  description?: string;
  /**
   * `latency`: each client region to the server region with the lowest RTT; its users spread
   * over every server group in that region (round-robin in proportion to the groups' processes,
   * then over a group's instances and processes). Several groups in one region, each with its
   * own Redis and MySQL masters, shard that region's users: a shard holds its users' data and
   * broadcasts its pools to its own subscribers. `single`: all clients to one group.
   */
  routing: { mode: 'latency' } | { mode: 'single'; endpoint: string };
  dbMode: DbMode;
  /** per-pool broadcast batching: at most one update per window; `racy` get-then-set or `atomic` */
  broadcast: { windowS: number; check: 'racy' | 'atomic' };
  servers: ServerGroup[];
  redis: DataNode[];
  mysql: DataNode[];
}

const id = z.string().min(1, 'must be a non-empty string');
const region = z.string().refine(isRegionId, REGION_ID_RULE);
const positiveInt = z.number().int('must be a positive integer').positive('must be a positive integer');
const instance = z.string().refine((t) => instanceType(t) !== undefined, `must be one of ${Object.keys(INSTANCE_TYPES).join(', ')}`);

const dataNode = z.strictObject({
  id,
  region,
  instanceType: instance.optional(),
  colocatedWith: id.optional(),
  replicaOf: id.optional(),
  cores: positiveInt.optional(),
});

const schema = z.strictObject({
  name: id,
  description: z.string().optional(),
  routing: z.union([
    z.strictObject({ mode: z.literal('latency') }),
    z.strictObject({ mode: z.literal('single'), endpoint: id }),
  ], { error: 'must be {"mode":"latency"} or {"mode":"single","endpoint":"<server group id>"}' }),
  dbMode: z.enum(['blocking', 'async', 'batched'], { error: 'must be one of blocking, async, batched' }),
  broadcast: z.strictObject({
    windowS: z.number().nonnegative('must be >= 0 seconds'),
    check: z.enum(['racy', 'atomic'], { error: 'must be racy or atomic' }),
  }),
  servers: z.array(z.strictObject({
    id,
    region,
    instanceType: instance,
    count: positiveInt,
    processesPerInstance: positiveInt,
    redis: z.strictObject({ read: id, write: id }),
    mysql: z.strictObject({ read: id, write: id }),
  })).min(1, 'must list at least one server group'),
  redis: z.array(dataNode).min(1, 'must list at least one Redis node'),
  mysql: z.array(dataNode).min(1, 'must list at least one MySQL node'),
});

/**
 * Validates architecture data (from a built-in or a user's file) and checks that every
 * reference resolves. Throws one UserError listing every problem, each naming the field, the
 * value and the rule.
 */
export function parseArchitecture(data: unknown, where: string): Architecture {
  const arch = parseWith(schema, data, where) as Architecture;
  const problems = referenceProblems(arch);
  if (problems.length) throw problemsError(where, problems);
  return arch;
}

/** Problems of references between groups and nodes (ids, hosts, replica chains), all of them. */
function referenceProblems(arch: Architecture): string[] {
  const problems: string[] = [];
  const bad = (field: string, value: unknown, rule: string) => problems.push(`${field} ${rule} (got ${show(value)})`);
  const groups = new Map<string, ServerGroup>();
  arch.servers.forEach((g, i) => {
    if (groups.has(g.id)) bad(`servers[${i}].id`, g.id, 'must be unique');
    groups.set(g.id, g);
  });
  const groupIds = [...groups.keys()].join(', ');
  if (arch.routing.mode === 'single' && !groups.has(arch.routing.endpoint)) {
    bad('routing.endpoint', arch.routing.endpoint, `must name a server group (${groupIds})`);
  }
  for (const kind of ['redis', 'mysql'] as const) {
    const nodes = new Map<string, DataNode>();
    arch[kind].forEach((n, i) => {
      const at = `${kind}[${i}]`;
      if (nodes.has(n.id)) bad(`${at}.id`, n.id, 'must be unique');
      nodes.set(n.id, n);
      if (!n.instanceType === !n.colocatedWith) bad(at, n.id, 'must have exactly one of instanceType or colocatedWith');
      if (n.colocatedWith) {
        const host = groups.get(n.colocatedWith);
        if (!host) bad(`${at}.colocatedWith`, n.colocatedWith, `must name a server group (${groupIds})`);
        else if (host.region !== n.region) bad(`${at}.region`, n.region, `must be the region of its host group ${host.id} (${host.region})`);
      }
    });
    const nodeIds = [...nodes.keys()].join(', ');
    const dangling = new Set<string>();
    arch[kind].forEach((n, i) => {
      if (n.replicaOf === undefined) return;
      if (!nodes.has(n.replicaOf)) {
        bad(`${kind}[${i}].replicaOf`, n.replicaOf, `must name a ${kind} node (${nodeIds})`);
        dangling.add(n.id);
      } else if (n.replicaOf === n.id) {
        bad(`${kind}[${i}].replicaOf`, n.replicaOf, 'must not be the node itself');
        dangling.add(n.id);
      }
    });
    arch[kind].forEach((n, i) => {
      // a chain must end at a master, not loop (chains already reported as broken are skipped)
      const seen = new Set<string>();
      for (let cur: DataNode | undefined = n; cur?.replicaOf && !dangling.has(cur.id); cur = nodes.get(cur.replicaOf)) {
        if (seen.has(cur.id)) {
          bad(`${kind}[${i}].replicaOf`, n.replicaOf, 'must not form a cycle');
          break;
        }
        seen.add(cur.id);
      }
    });
    arch.servers.forEach((g, i) => {
      const ref = g[kind];
      for (const side of ['read', 'write'] as const) {
        if (!nodes.has(ref[side])) bad(`servers[${i}].${kind}.${side}`, ref[side], `must name a ${kind} node (${nodeIds})`);
      }
      if (nodes.get(ref.write)?.replicaOf !== undefined) {
        bad(`servers[${i}].${kind}.write`, ref.write, 'must name a master (a replica is read-only)');
      }
    });
  }
  return problems;
}

const BUILT_IN: Readonly<Record<string, unknown>> = { baseline, proposed1, proposed2 };

/** Names of the built-in architectures. */
export const BUILT_IN_ARCHITECTURES: readonly string[] = Object.keys(BUILT_IN);

/**
 * A built-in architecture by name (a fresh copy, safe to modify).
 * @throws UserError CONFIG_UNKNOWN for an unknown name.
 */
export function builtInArchitecture(name: string): Architecture {
  const data = BUILT_IN[name];
  if (!data) {
    throw new UserError('CONFIG_UNKNOWN', `--arch must be one of ${BUILT_IN_ARCHITECTURES.join(', ')} or a path to an architecture JSON file (got ${JSON.stringify(name)})`);
  }
  return parseArchitecture(structuredClone(data), `built-in architecture ${name}`);
}

/** The node a replica chain starts from (the master), for replication lag along the chain. */
export function masterOf(nodes: readonly DataNode[], nodeId: string): { master: DataNode; hops: DataNode[] } {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const hops: DataNode[] = [];
  let cur = byId.get(nodeId);
  if (!cur) throw new Error(`architecture invariant violated: no node ${nodeId}`);
  while (cur.replicaOf) {
    hops.push(cur);
    cur = byId.get(cur.replicaOf);
    if (!cur) throw new Error(`architecture invariant violated: broken replica chain at ${nodeId}`);
  }
  return { master: cur, hops };
}

/** The same architecture with every server group's instance count multiplied (rounded up). */
export function scaleServers(arch: Architecture, factor: number): Architecture {
  if (!(factor > 0) || !Number.isFinite(factor)) throw invalid('--scale', factor, 'must be a positive number');
  return { ...arch, servers: arch.servers.map((g) => ({ ...g, count: Math.max(1, Math.ceil(g.count * factor)) })) };
}

/** Server processes of an architecture (all groups, every instance). */
export function serverProcesses(arch: Architecture): number {
  return arch.servers.reduce((s, g) => s + g.count * g.processesPerInstance, 0);
}

/** Total vCPUs of the WebSocket server instances. */
export function serverCores(arch: Architecture): number {
  return arch.servers.reduce((s, g) => s + g.count * instanceType(g.instanceType)!.vcpu, 0);
}
