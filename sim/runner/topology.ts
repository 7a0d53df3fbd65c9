// Over 300 lines: one idea, the architecture resolved into indexed arrays (instances, node copies, processes, replica chains, client routes).
import { masterOf, serverProcesses, type Architecture, type DataNode } from '../../model/architecture.ts';
import { instanceType } from '../../model/instances.ts';
import { firstSampleRtoMs, pathBetween, retransmissionTimeoutMs, type PathModel } from '../../model/network.ts';
import type { Params } from '../../model/params.ts';
import { findRegion, type Region } from '../../model/regions.ts';

/**
 * The static structure of a run, resolved once from the architecture and the parameters:
 * instances, processes, data-node copies, and the network paths between them. Everything the
 * hot loop needs is a number in a typed array indexed by id.
 */

/** One machine: a server instance, or a data node on its own instance. */
export interface InstanceInfo {
  name: string;
  region: string;
  type: string;
  cores: number;
  memoryGiB: number;
  kind: 'server' | 'redis' | 'mysql';
  /** fixed memory in MiB (OS, processes, co-located stores) */
  fixedMiB: number;
  /** Redis memory per connected user lives here (its users are all users) */
  redisUsers: boolean;
  /** a MySQL copy (master or replica) stores its rows on this instance's disk */
  mysqlFiles: boolean;
}

export const REDIS = 0;
export const MYSQL = 1;

/** A queueing copy of a data node (a co-located replica has one per host instance). */
export interface NodeInfo {
  id: string;
  store: typeof REDIS | typeof MYSQL;
  region: string;
  /** instance whose CPU and network it uses */
  instance: number;
  /** parallel servers of its queue (Redis: 1) */
  cores: number;
  /** true when it runs on its own instance (not co-located with servers) */
  own: boolean;
  /** the arch node it is a copy of */
  node: DataNode;
}

/** Slots of a process's data-node references (Topology.procNode): Redis read, Redis write, MySQL read, MySQL write. */
export const RR = 0;
export const RW = 1;
export const MR = 2;
export const MW = 3;

export interface Topology {
  instances: InstanceInfo[];
  nodes: NodeInfo[];
  /** per process: instance, group, region */
  procInstance: Int32Array;
  procGroup: Int32Array;
  processes: number;
  /** per process × 4: node ids for redis read, redis write, mysql read, mysql write */
  procNode: Int32Array;
  /** per process × 4: round-trip s to that node (0 when on the same instance) */
  procNodeRttS: Float64Array;
  /** per process × 4: 1 when the round trip crosses instances (costs CPU on both ends) */
  procNodeHop: Uint8Array;
  /**
   * per node copy: every copy that replicates from it, directly or down a chain (its replicas,
   * their replicas...), with the delay from this copy to that one (per hop RTT/2 +
   * replicationLagMs) and whether the last hop crosses instances (bytes on both NICs)
   */
  nodeReplicas: Int32Array[];
  nodeReplicaDelayS: Float64Array[];
  nodeReplicaParent: Int32Array[];
  /** per process: delay from the publishing master to this process's subscription, s */
  procPubDelayS: Float64Array;
  /** per process: 1 when the pub/sub message crosses instances to reach it */
  procPubHop: Uint8Array;
  /** client regions in report order */
  clientRegions: string[];
  /** per client region: the (first) server group it is routed to */
  regionGroup: Int32Array;
  /**
   * per client region: one cycle of the groups its users go to, round-robin in proportion to
   * the groups' processes (a region's k-th user goes to group `cycle[k % cycle.length]`); with
   * one group per region it is that group alone
   */
  regionGroupCycle: Int32Array[];
  /** per client region: half the base RTT to its group, s */
  regionHalfRttS: Float64Array;
  regionLoss: Float64Array;
  /** per client region: retransmission timeout after a handshake-time RTT, s */
  regionRtoS: Float64Array;
  /** per client region: retransmission timeout of the handshake's legs after the SYN exchange (one RTT sample), s */
  regionFirstRtoS: Float64Array;
  /** per client region: jitter scale (relative + absolute), s */
  regionJitterS: Float64Array;
  /** per group: first process id, instances, processes per instance */
  groupFirstProc: Int32Array;
  groupInstances: Int32Array;
  groupProcsPerInstance: Int32Array;
}

function region(id: string): Region {
  const r = findRegion(id);
  if (!r) throw new Error(`topology invariant violated: unknown region ${id}`);
  return r;
}

/** RTT between two places in ms, and whether the hop crosses instances. */
function hopRttMs(params: Params, fromInstance: number, fromRegion: string, toInstance: number, toRegion: string): { rttMs: number; hop: boolean } {
  if (fromInstance === toInstance) return { rttMs: 0, hop: false };
  if (fromRegion === toRegion) return { rttMs: params.intraDcRttMs, hop: true };
  return { rttMs: path(params, fromRegion, toRegion).rttMs, hop: true };
}

/** The path between two regions under the parameters (calibrated matrix, else the named network's table, else Leighton; its loss measured, else Leighton's × lossFactor). */
export function path(params: Params, a: string, b: string): PathModel {
  const p = pathBetween(region(a), region(b), { matrix: params.rttMatrixMs ?? undefined, network: params.network });
  const measured = params.lossMatrix?.[a]?.[b] ?? params.lossMatrix?.[b]?.[a];
  return { rttMs: p.rttMs, loss: measured ?? Math.min(1, p.loss * params.lossFactor), source: p.source };
}

/**
 * The base RTT of a client path between two regions (before the per-message jitter). A measured
 * (calibrated) entry is already one: calibration corrects it by measured minus simulated
 * medians. A network figure between two regions (the published table, the Leighton prior) is
 * what a round trip typically takes, the queueing included, so the base is set for the path's
 * median round trip to match it: each one-way adds a jitter of median `jitterRelative` × base/2 +
 * `jitterAbsMs` (the lognormal's median is 1), hence
 * base = (figure − 2 × jitterAbsMs) / (1 + jitterRelative).
 * Inside a region the Leighton local figure stays the base: it is the figure calibration anchors
 * the server's own time on (calibrate/fit/rtt.ts), so the two agree.
 */
export function clientBaseRttMs(params: Params, pm: PathModel, sameRegion: boolean): number {
  if (pm.source !== 'network' || sameRegion) return pm.rttMs;
  return Math.max(MIN_BASE_RTT_MS, (pm.rttMs - 2 * params.jitterAbsMs) / (1 + params.jitterRelative));
}

/** Smallest base RTT a network figure leaves after its jitter (ms). */
const MIN_BASE_RTT_MS = 0.05;

/**
 * Resolves the architecture into instances, processes, node copies and paths.
 * `clientRegions`: the regions clients come from, in report order.
 */
export function buildTopology(arch: Architecture, params: Params, clientRegions: string[]): Topology {
  // Long: one pass placing server instances, data-node copies and processes in turn; each step indexes the arrays the one before built.
  const instances: InstanceInfo[] = [];
  const groupFirstInstance: number[] = [];
  const groupIndex = new Map<string, number>();
  arch.servers.forEach((g, gi) => {
    groupIndex.set(g.id, gi);
    groupFirstInstance.push(instances.length);
    const t = instanceType(g.instanceType)!;
    for (let i = 0; i < g.count; i++) {
      instances.push({
        name: g.count === 1 ? g.id : `${g.id}-${i + 1}`, region: g.region, type: g.instanceType, cores: t.vcpu,
        memoryGiB: t.memoryGiB, kind: 'server', redisUsers: false, mysqlFiles: false,
        fixedMiB: params.memInstanceBaseMiB + g.processesPerInstance * params.memProcessMiB,
      });
    }
  });

  // data-node copies
  const nodes: NodeInfo[] = [];
  const copies = new Map<string, number[]>(); // `${store}/${id}` -> node ids (one per host instance when co-located replica)
  for (const [store, list] of [[REDIS, arch.redis], [MYSQL, arch.mysql]] as const) {
    for (const n of list) {
      const key = `${store}/${n.id}`;
      const ids: number[] = [];
      if (n.colocatedWith !== undefined) {
        const gi = groupIndex.get(n.colocatedWith)!;
        const g = arch.servers[gi];
        const hosts = n.replicaOf !== undefined ? g.count : 1;
        for (let i = 0; i < hosts; i++) {
          const inst = groupFirstInstance[gi] + i;
          const hostCores = instances[inst].cores;
          ids.push(nodes.length);
          nodes.push({ id: n.id, store, region: n.region, instance: inst, own: false, node: n,
            cores: store === REDIS ? 1 : Math.min(n.cores ?? hostCores, params.mysqlMaxCores) });
          if (store === REDIS) instances[inst].fixedMiB += params.memRedisBaseMiB;
          else instances[inst].fixedMiB += params.memMysqlMiB;
          if (store === MYSQL) instances[inst].mysqlFiles = true;
          if (store === REDIS) instances[inst].redisUsers = true;
        }
      } else {
        const t = instanceType(n.instanceType!)!;
        const inst = instances.length;
        instances.push({
          name: n.id, region: n.region, type: n.instanceType!, cores: t.vcpu, memoryGiB: t.memoryGiB,
          kind: store === REDIS ? 'redis' : 'mysql', redisUsers: store === REDIS, mysqlFiles: store === MYSQL,
          fixedMiB: params.memInstanceBaseMiB + (store === REDIS ? params.memRedisBaseMiB : params.memMysqlMiB),
        });
        ids.push(nodes.length);
        nodes.push({ id: n.id, store, region: n.region, instance: inst, own: true, node: n,
          cores: store === REDIS ? 1 : Math.min(n.cores ?? t.vcpu, params.mysqlMaxCores) });
      }
      copies.set(key, ids);
    }
  }

  // processes
  const processes = serverProcesses(arch);
  const procInstance = new Int32Array(processes);
  const procGroup = new Int32Array(processes);
  const procNode = new Int32Array(processes * 4);
  const procNodeRttS = new Float64Array(processes * 4);
  const procNodeHop = new Uint8Array(processes * 4);
  const procPubDelayS = new Float64Array(processes);
  const procPubHop = new Uint8Array(processes);
  const groupFirstProc = new Int32Array(arch.servers.length);
  const groupInstances = new Int32Array(arch.servers.length);
  const groupProcsPerInstance = new Int32Array(arch.servers.length);

  /** The copy of a node a given instance uses: its own co-located copy if it has one, else the first. */
  const copyFor = (store: number, nodeId: string, inst: number): number => {
    const ids = copies.get(`${store}/${nodeId}`)!;
    for (const id of ids) if (nodes[id].instance === inst) return id;
    return ids[0];
  };
  const nodeByStoreId = (store: number, id: string, nearInstance: number): number => copyFor(store, id, nearInstance);

  let p = 0;
  arch.servers.forEach((g, gi) => {
    groupFirstProc[gi] = p;
    groupInstances[gi] = g.count;
    groupProcsPerInstance[gi] = g.processesPerInstance;
    for (let i = 0; i < g.count; i++) {
      const inst = groupFirstInstance[gi] + i;
      for (let k = 0; k < g.processesPerInstance; k++, p++) {
        procInstance[p] = inst;
        procGroup[p] = gi;
        const refs = [[REDIS, g.redis.read], [REDIS, g.redis.write], [MYSQL, g.mysql.read], [MYSQL, g.mysql.write]] as const;
        refs.forEach(([store, id], j) => {
          const nid = copyFor(store, id, inst);
          const nd = nodes[nid];
          const h = hopRttMs(params, inst, g.region, nd.instance, nd.region);
          procNode[p * 4 + j] = nid;
          procNodeRttS[p * 4 + j] = h.rttMs / 1000;
          procNodeHop[p * 4 + j] = h.hop ? 1 : 0;
        });
        // pub/sub: from the master of the read node, down the replica chain, to this process
        const readId = procNode[p * 4];
        const { hops } = masterOf(arch.redis, nodes[readId].id);
        let delayMs = 0;
        let hop = false;
        // hops are [readNode, its parent replica, ...] up to (excluding) the master
        let cur = readId;
        for (const replica of hops) {
          const parent = nodeByStoreId(REDIS, replica.replicaOf!, nodes[cur].instance);
          const h = hopRttMs(params, nodes[parent].instance, nodes[parent].region, nodes[cur].instance, nodes[cur].region);
          delayMs += h.rttMs / 2 + params.replicationLagMs;
          cur = parent;
        }
        const toProc = hopRttMs(params, nodes[readId].instance, nodes[readId].region, inst, g.region);
        delayMs += toProc.rttMs / 2;
        hop = toProc.hop;
        procPubDelayS[p] = delayMs / 1000;
        procPubHop[p] = hop ? 1 : 0;
      }
    }
  });

  const { nodeReplicas, nodeReplicaDelayS, nodeReplicaParent } = replicaChains(params, nodes, nodeByStoreId);
  const routes = clientRoutes(arch, params, clientRegions, groupIndex);

  return {
    instances, nodes, procInstance, procGroup, processes, procNode, procNodeRttS, procNodeHop,
    nodeReplicas, nodeReplicaDelayS, nodeReplicaParent, procPubDelayS, procPubHop, clientRegions, ...routes,
    groupFirstProc, groupInstances, groupProcsPerInstance,
  };
}

/** Replication: each replica copy follows the copy of its parent nearest to it; per copy, every copy down its chains with its delay. */
function replicaChains(
  params: Params, nodes: NodeInfo[], nodeByStoreId: (store: number, id: string, nearInstance: number) => number,
): Pick<Topology, 'nodeReplicas' | 'nodeReplicaDelayS' | 'nodeReplicaParent'> {
  const children: { child: number; delayS: number }[][] = nodes.map(() => []);
  nodes.forEach((nd, c) => {
    if (nd.node.replicaOf === undefined) return;
    const parent = nodeByStoreId(nd.store, nd.node.replicaOf, nd.instance);
    const h = hopRttMs(params, nodes[parent].instance, nodes[parent].region, nd.instance, nd.region);
    children[parent].push({ child: c, delayS: (h.rttMs / 2 + params.replicationLagMs) / 1000 });
  });
  const nodeReplicas: Int32Array[] = [];
  const nodeReplicaDelayS: Float64Array[] = [];
  const nodeReplicaParent: Int32Array[] = [];
  nodes.forEach((_, n) => {
    const ids: number[] = [];
    const delays: number[] = [];
    const parents: number[] = [];
    const walk = (from: number, atS: number, depth: number): void => {
      if (depth > nodes.length) throw new Error('topology invariant violated: a replica chain loops');
      for (const { child, delayS } of children[from]) {
        ids.push(child);
        delays.push(atS + delayS);
        parents.push(from);
        walk(child, atS + delayS, depth + 1);
      }
    };
    walk(n, 0, 0);
    nodeReplicas.push(Int32Array.from(ids));
    nodeReplicaDelayS.push(Float64Array.from(delays));
    nodeReplicaParent.push(Int32Array.from(parents));
  });
  return { nodeReplicas, nodeReplicaDelayS, nodeReplicaParent };
}

/** Client routing: per client region, its server groups (the single endpoint, or every group of the lowest-RTT region in turn) and its path. */
function clientRoutes(
  arch: Architecture, params: Params, clientRegions: string[], groupIndex: Map<string, number>,
): Pick<Topology, 'regionGroup' | 'regionGroupCycle' | 'regionHalfRttS' | 'regionLoss' | 'regionRtoS' | 'regionFirstRtoS' | 'regionJitterS'> {
  const R = clientRegions.length;
  const regionGroup = new Int32Array(R);
  const regionHalfRttS = new Float64Array(R);
  const regionLoss = new Float64Array(R);
  const regionRtoS = new Float64Array(R);
  const regionFirstRtoS = new Float64Array(R);
  const regionJitterS = new Float64Array(R);
  const regionGroupCycle: Int32Array[] = [];
  clientRegions.forEach((rid, ri) => {
    let best = 0;
    let chosen = [0];
    if (arch.routing.mode === 'single') {
      best = groupIndex.get(arch.routing.endpoint)!;
      chosen = [best];
    } else {
      // the server region with the lowest RTT; its users spread over every group there
      let bestRtt = Infinity;
      arch.servers.forEach((g, gi) => {
        const rtt = path(params, rid, g.region).rttMs;
        if (rtt < bestRtt) { bestRtt = rtt; best = gi; }
      });
      const at = arch.servers[best].region;
      chosen = [];
      arch.servers.forEach((g, gi) => { if (g.region === at) chosen.push(gi); });
    }
    regionGroupCycle.push(groupCycle(chosen, arch));
    const pm = path(params, rid, arch.servers[best].region);
    const baseMs = clientBaseRttMs(params, pm, rid === arch.servers[best].region);
    regionGroup[ri] = best;
    regionHalfRttS[ri] = baseMs / 2000;
    regionLoss[ri] = pm.loss;
    const jitterMs = params.jitterRelative * baseMs / 2 + params.jitterAbsMs;
    regionJitterS[ri] = jitterMs / 1000;
    regionRtoS[ri] = retransmissionTimeoutMs(baseMs, jitterMs) / 1000;
    regionFirstRtoS[ri] = firstSampleRtoMs(baseMs) / 1000;
  });
  return { regionGroup, regionGroupCycle, regionHalfRttS, regionLoss, regionRtoS, regionFirstRtoS, regionJitterS };
}

/**
 * One round-robin cycle over server groups in proportion to their processes: group g with P_g
 * processes appears P_g times, its i-th slot at position (i + 0.5) / P_g of the cycle (ties keep
 * group order), so the groups interleave evenly.
 */
export function groupCycle(groups: readonly number[], arch: Architecture): Int32Array {
  if (groups.length === 1) return Int32Array.of(groups[0]);
  const slots: { pos: number; g: number; order: number }[] = [];
  groups.forEach((g, order) => {
    const P = arch.servers[g].count * arch.servers[g].processesPerInstance;
    for (let i = 0; i < P; i++) slots.push({ pos: (i + 0.5) / P, g, order });
  });
  slots.sort((a, b) => a.pos - b.pos || a.order - b.order);
  return Int32Array.from(slots, (x) => x.g);
}
