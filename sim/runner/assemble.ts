import type { Architecture } from '../../model/architecture.ts';
import { minAvgMax } from '../../model/levels.ts';
import { THESIS_STORAGE } from '../../model/cost.ts';
import { instanceType } from '../../model/instances.ts';
import type { Params } from '../../model/params.ts';
import type { InstanceResources, MinAvgMax, Summary, NetworkMinute, RegionResult, Report, ResourceMinute } from '../../model/report.ts';
import type { Scenario } from '../../model/workload.ts';
import { LatencyRecorder } from '../engine/recorder.ts';
import type { Population } from './clients.ts';
import type { SystemModel } from './system.ts';
import type { Topology } from './topology.ts';

const MIB_PER_GIB = 1024;
const BYTES_PER_GB = 1e9;

/**
 * A recorder's summary with a whole count: broadcast samples carry weights (each sampled socket
 * stands for M/S deliveries), so their summed weight is an estimate and may be fractional; the
 * exact delivery count is `extra.broadcastDeliveries`.
 */
function summaryOf(rec: LatencyRecorder): Summary {
  const s = rec.summary();
  s.count = Math.round(s.count);
  return s;
}

/**
 * The Report of a finished run: per-region and global latency summaries, connected, failed and
 * pending,
 * counts, resources (CPU, memory and disk per instance and per minute), network bytes. `cost` and `meters` are left null for the CLI to fill from the price table and
 * the meters. Key order is fixed, so the JSON is byte-identical for the same input.
 */
export function assembleReport(
  arch: Architecture, scenario: Scenario, params: Params, seed: number,
  topo: Topology, pop: Population, sys: SystemModel,
): Report {
  // Long: the Report's fields in their fixed key order (byte-identical JSON); each block reads the finished run's recorders and counters.
  const regions: Record<string, RegionResult> = {};
  const gHs = new LatencyRecorder();
  const gReq = new LatencyRecorder();
  const gBc = new LatencyRecorder();
  let connected = 0;
  let failed = 0;
  let pending = 0;
  topo.clientRegions.forEach((rid, ri) => {
    if (pop.perRegion[ri] === 0) return;
    const c = sys.connected[ri];
    const f = sys.failed[ri];
    // launched but neither open nor failed when the run ended (a run shorter than the ramp
    // launches fewer than its users: those never launched are not pending)
    const w = sys.launched[ri] - c - f;
    regions[rid] = {
      connected: c,
      failed: f,
      pending: w,
      handshake: summaryOf(sys.handshakeRec[ri]),
      request: summaryOf(sys.requestRec[ri]),
      broadcast: summaryOf(sys.bcast.rec[ri]),
    };
    connected += c;
    failed += f;
    pending += w;
    gHs.merge(sys.handshakeRec[ri]);
    gReq.merge(sys.requestRec[ri]);
    gBc.merge(sys.bcast.rec[ri]);
  });

  const u = sys.usage;
  const M = u.minutes;
  const instances: InstanceResources[] = [];
  const cpuCoreS = new Float64Array(M);
  const memUsedMiB = new Float64Array(M);
  const diskUsedGB = new Float64Array(M);
  let totalCores = 0;
  let totalMiB = 0;
  let totalDiskGB = 0;
  // predictions stored by the end of each minute (every MySQL copy holds them all)
  const storedBy = new Float64Array(M);
  for (let m = 0, n = 0; m < M; m++) storedBy[m] = n += u.stored[m];
  const openAll = new Float64Array(M);
  topo.instances.forEach((_, i) => {
    const open = u.openConnections(i);
    for (let m = 0; m < M; m++) openAll[m] += open[m];
  });
  topo.instances.forEach((inst, i) => {
    const open = u.openConnections(i);
    const cpu: number[] = [];
    const mem: number[] = [];
    const disk: number[] = [];
    const capMiB = inst.memoryGiB * MIB_PER_GIB;
    // the provisioned volume (EBS per EC2 instance, RDS storage) times what the filesystem leaves
    const rds = (instanceType(inst.type)?.service ?? (inst.type.startsWith('db.') ? 'rds' : 'ec2')) === 'rds';
    const diskCapGB = (rds ? THESIS_STORAGE.rdsGb : THESIS_STORAGE.ec2Gb) * params.diskFilesystemFraction;
    for (let m = 0; m < M; m++) {
      const lenS = u.minuteLengthS(m);
      const busy = u.cpuS[i * M + m];
      cpu.push(Math.min(100, (100 * busy) / (inst.cores * lenS)));
      cpuCoreS[m] += Math.min(busy, inst.cores * lenS);
      const conns = open[m];
      const usedMiB = inst.fixedMiB + (conns * params.memConnectionKiB) / 1024
        + (inst.redisUsers ? (openAll[m] * params.memRedisPerUserKiB) / 1024 : 0);
      mem.push(Math.min(100, (100 * usedMiB) / capMiB));
      memUsedMiB[m] += Math.min(usedMiB, capMiB);
      const usedGB = params.diskBaseGB + (inst.mysqlFiles ? (storedBy[m] * params.diskBytesPerPrediction) / BYTES_PER_GB : 0);
      disk.push(Math.min(100, (100 * usedGB) / diskCapGB));
      diskUsedGB[m] += Math.min(usedGB, diskCapGB);
    }
    totalCores += inst.cores;
    totalMiB += capMiB;
    totalDiskGB += diskCapGB;
    instances.push({ name: inst.name, region: inst.region, type: inst.type, cores: inst.cores, cpu: minAvgMax(cpu), memory: minAvgMax(mem), disk: minAvgMax(disk) });
  });
  const perMinute: ResourceMinute[] = [];
  const netMinutes: NetworkMinute[] = [];
  let inBytes = 0;
  let outBytes = 0;
  for (let m = 0; m < M; m++) {
    const lenS = u.minuteLengthS(m);
    let mi = 0;
    let mo = 0;
    for (let i = 0; i < topo.instances.length; i++) {
      mi += u.inBytes[i * M + m];
      mo += u.outBytes[i * M + m];
    }
    inBytes += mi;
    outBytes += mo;
    perMinute.push({ t: m, cpu: (100 * cpuCoreS[m]) / (totalCores * lenS), memory: (100 * memUsedMiB[m]) / totalMiB, disk: (100 * diskUsedGB[m]) / totalDiskGB });
    netMinutes.push({ t: m, inBytes: Math.round(mi), outBytes: Math.round(mo) });
  }

  const db = sys.db;
  return {
    kind: 'sim',
    arch: arch.name,
    users: scenario.users,
    seed,
    durationS: sys.endS,
    params: structuredClone(params) as unknown as Record<string, unknown>,
    regions,
    global: { connected, failed, pending, handshake: summaryOf(gHs), request: summaryOf(gReq), broadcast: summaryOf(gBc) },
    counts: {
      handledRequests: sys.handledRequests,
      // as Redis counts (keyspace_hits / keyspace_misses): key reads only, not writes or PUBLISH
      redisHits: db.redisKeyReads - db.redisMisses,
      redisMisses: db.redisMisses,
      mysqlQueries: db.mysqlQueries,
      broadcasts: sys.bcast.published,
    },
    resources: { instances, perMinute },
    network: { inBytes: Math.round(inBytes), outBytes: Math.round(outBytes), perMinute: netMinutes },
    cost: null,
    meters: null,
    notes: [
      'simulated: latencies, counts, CPU, memory and network bytes come from the model and its parameters (docs/model.md), not from a measurement',
      `broadcast latency is estimated from a sample of at most ${params.broadcastSampleSockets} sockets per update and process, each weighted to stand for its share; delivery counts are exact`,
      'data-store queues are fluid backlogs in 10 ms bins; disk = a base per instance + bytes per stored prediction on every instance holding a MySQL copy',
    ],
    extra: {
      dbMode: arch.dbMode,
      broadcastCheck: arch.broadcast.check,
      broadcastDeliveries: sys.bcast.deliveries,
      redisOperations: db.redisOps,
      maxLoopWaitMs: sys.maxLoopWaitS * 1000,
      loopPauses: sys.pauses.count,
      loopPauseS: sys.pauses.totalS,
      dataNodes: topo.nodes.map((n, i) => ({
        id: n.id,
        instance: topo.instances[n.instance].name,
        busyS: sys.fluid.busyS[i],
        maxWaitMs: sys.fluid.maxWaitS[i] * 1000,
      })),
    },
  };
}
