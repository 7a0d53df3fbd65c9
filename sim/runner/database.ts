// Over 300 lines: one idea, a handler's database work; the sequential, pipelined and replicated paths share the per-operation fields.
import type { OpCounts, Params } from '../../model/params.ts';
import type { Kernel } from '../engine/kernel.ts';
import type { Stream } from '../engine/random.ts';
import { BatchingCheck, type CheckStores } from './batching.ts';
import type { FluidQueues } from './fluid.ts';
import { RedisSaves } from './redis-save.ts';
import { MR, MW, REDIS, RR, RW, type Topology } from './topology.ts';
import type { DriverStrategy, RunnerUnits } from './units.ts';
import type { Usage } from './usage.ts';

/**
 * The database work of one handler, computed inside the handler rather than as events: for each
 * operation, the round trip to its node, the wait in the node's fluid queue, the service, and the
 * CPU it costs on both ends; the handler's broadcast batching check goes to BatchingCheck.
 *
 * `blocking` and `async` issue operations one after the other (sequential awaits); `batched` sends
 * one round trip per distinct node, all in parallel (pipelined Redis, one MySQL statement).
 * Results are left in fields (no allocation per call).
 */
export class Database implements CheckStores {
  /** loop CPU of the last chain's driver work and hops, s */
  loopCpuS = 0;
  /** counts: every Redis command; key reads as Redis counts them (keyspace hits + misses); reads that missed */
  redisOps = 0;
  redisKeyReads = 0;
  redisMisses = 0;
  mysqlQueries = 0;

  private readonly redisOpS: number;
  private readonly redisCmdS: number;
  private readonly redisRtS: number;
  private readonly mysqlReadS: number;
  private readonly mysqlWriteS: number;
  private readonly cpuRedisS: number;
  private readonly cpuMysqlS: number;
  private readonly hopS: number;
  private readonly missP: number;
  private readonly bRedisOut: number;
  private readonly bRedisIn: number;
  private readonly bMysqlOut: number;
  private readonly bMysqlIn: number;
  private readonly check: BatchingCheck;
  private readonly nodeInstance: Int32Array;
  /** blocking: driver CPU runs inside the held loop, on the chain's timeline; async: in the continuation after the awaits (see SystemModel) */
  private readonly inline: boolean;
  /** batched: one pipelined round trip per distinct node, the check inside the Redis write batch */
  private readonly pipelined: boolean;
  // perf: the topology's per-(process, slot) arrays held directly (one load less per operation)
  private readonly procNode: Int32Array;
  private readonly procHop: Uint8Array;
  private readonly procHalfS: Float64Array;
  // replication: per node copy, the copies that follow it (topology.nodeReplicas)
  private readonly replicas: Int32Array[];
  private readonly replicaDelayS: Float64Array[];
  private readonly replicaParent: Int32Array[];
  private readonly redisApplyS: number;
  private readonly mysqlApplyS: number;
  /** Redis background saves: their fork windows delay operations; writes and stored predictions feed them */
  readonly saves: RedisSaves;
  private readonly savesOn: boolean;

  constructor(
    kernel: Kernel,
    /** called with an update's stamp (send time) and its arrival at the master, s */
    publish: (stampS: number, atMasterS: number) => void,
    private readonly topo: Topology,
    private readonly fluid: FluidQueues,
    private readonly usage: Usage,
    private readonly rng: Stream,
    params: Params,
    units: RunnerUnits,
    driver: DriverStrategy,
    broadcast: { windowS: number; check: 'racy' | 'atomic' },
    pools: number,
  ) {
    this.redisCmdS = units.redisCommandS;
    this.redisRtS = units.redisRoundTripS;
    this.redisOpS = this.redisCmdS + this.redisRtS;
    this.mysqlReadS = units.mysqlReadS;
    this.mysqlWriteS = units.mysqlWriteS;
    this.cpuRedisS = units.cpuRedisOpS;
    this.cpuMysqlS = units.cpuMysqlOpS;
    this.hopS = units.cpuHopS;
    // redisMissProbability is the share of key reads that miss, as Redis reports it (keyspace
    // misses / (hits + misses)); the window check's key is set every window and never misses, nor
    // do the reads inside the writes (a script's check of a key it keeps), so a handler's own reads
    // miss at that share × a prediction's key reads / its handler reads
    const rp = params.opsPredict.redisReads;
    const keyReads = rp + 1 + (params.opsPredict.redisReadsInWrites ?? 0);
    this.missP = rp > 0 ? Math.min(1, (params.redisMissProbability * keyReads) / rp) : params.redisMissProbability;
    this.bRedisOut = params.bytesRedisCommand;
    this.bRedisIn = params.bytesRedisReply;
    this.bMysqlOut = params.bytesMysqlQuery;
    this.bMysqlIn = params.bytesMysqlReply;
    this.check = new BatchingCheck(kernel, this, publish, topo, fluid, usage, params, units, driver.pipelined, broadcast, pools);
    this.nodeInstance = Int32Array.from(topo.nodes.map((n) => n.instance));
    this.inline = driver.holdsLoop;
    this.pipelined = driver.pipelined;
    this.procNode = topo.procNode;
    this.procHop = topo.procNodeHop;
    this.procHalfS = topo.procNodeRttS.map((x) => x * 0.5);
    this.replicas = topo.nodeReplicas;
    this.replicaDelayS = topo.nodeReplicaDelayS;
    this.replicaParent = topo.nodeReplicaParent;
    // a replica applies each replicated write: Redis executes the command from the replication
    // stream (no client round trip), MySQL's SQL thread re-executes the row change and commits
    this.redisApplyS = params.replicaApplyFraction * this.redisCmdS;
    this.mysqlApplyS = params.replicaApplyFraction * this.mysqlWriteS;
    this.readsToMiss = this.nextMissGap();
    this.saves = new RedisSaves(
      topo.nodes.map((n) => n.store === REDIS), topo.nodes.map((n) => n.instance), usage,
      params.redisSaveAfterS, params.redisSaveChanges, params.redisSaveBytesPerPrediction,
      params.memRedisBaseMiB * 2 ** 20, units.redisForkSPerByte, units.redisSaveBytesPerS,
    );
    this.savesOn = this.saves.enabled;
  }

  /**
   * k operations of one kind in sequence from process p through a slot, starting at t; returns
   * when the last reply is back. Each waits (carried-in backlog + in-bin term) and is served in
   * turn, so the sum of their waits is k × the carried-in wait + the in-bin term of their total
   * service, exactly what k separate bookings in one bin would give.
   * perf: one booking per run of like operations (about half the bookings of one per operation);
   * the run's work lands in the bin of its middle operation's arrival.
   */
  ops(p: number, slot: number, k: number, t: number, serviceS: number, cpuS: number, redis: boolean): number {
    const i = p * 4 + slot;
    const node = this.procNode[i];
    const hop = this.procHop[i] === 1;
    const cpu = hop ? cpuS + this.hopS : cpuS;
    this.loopCpuS += k * cpu;
    const half = this.procHalfS[i];
    const inlineCpu = this.inline ? cpu : 0;
    const fluid = this.fluid;
    const waitEach = fluid.waitOf(node, serviceS);
    const cycle = inlineCpu + 2 * half + waitEach + serviceS;
    const first = t + inlineCpu + half;
    fluid.add(node, first + (k - 1) * 0.5 * cycle, k * serviceS);
    // a Redis fork (redis-save.ts) holds the first operation that reaches it, the rest follow
    let forkWait = 0;
    if (this.savesOn) {
      forkWait = this.saves.waitOf(node, first, k, cycle, serviceS);
      if (slot === RW) this.saves.dirty[node] += k;
    }
    if (hop) {
      // the node's service CPU is accounted by the fluid queue; the hop's is added here
      const inst = this.nodeInstance[node];
      this.usage.cpu(inst, first, k * this.hopS);
      const out = k * (redis ? this.bRedisOut : this.bMysqlOut);
      const back = k * (redis ? this.bRedisIn : this.bMysqlIn);
      this.usage.net(this.topo.procInstance[p], t, back, out);
      this.usage.net(inst, first, out, back);
    }
    const end = t + k * cycle + forkWait;
    this.lastArriveS = end - half - serviceS - waitEach;
    return end;
  }

  /**
   * k writes reached process p's node in `slot` at atS: every replica of that node (down its
   * chains) applies them after the replication delay, on its own queue and CPU; the stream's
   * bytes cross the instances between a copy and its parent.
   */
  replicate(p: number, slot: number, k: number, atS: number): void {
    const node = this.procNode[p * 4 + slot];
    const reps = this.replicas[node];
    // perf: most nodes have no replica, and a zero apply cost books nothing
    if (reps.length === 0 || k <= 0) return;
    const redis = slot < 2;
    // a Redis replica executes the stream's writes: they count towards its own saves
    if (redis && this.savesOn) for (let j = 0; j < reps.length; j++) this.saves.dirty[reps[j]] += k;
    if (this.redisApplyS === 0) return;
    const work = k * (redis ? this.redisApplyS : this.mysqlApplyS);
    const bytes = k * (redis ? this.bRedisOut : this.bMysqlOut);
    const delays = this.replicaDelayS[node];
    const parents = this.replicaParent[node];
    for (let j = 0; j < reps.length; j++) {
      const r = reps[j];
      const at = atS + delays[j];
      this.fluid.add(r, at, work);
      const from = this.nodeInstance[parents[j]];
      const to = this.nodeInstance[r];
      if (from !== to) {
        this.usage.net(from, at, 0, bytes);
        this.usage.net(to, at, bytes, 0);
      }
    }
  }

  /** when the last booked operation reached its node, s */
  lastArriveS = 0;
  /** Redis reads left until the next miss */
  private readsToMiss = 0;

  /**
   * Reads up to and including the next miss: geometric with the miss probability.
   * perf: one draw per miss instead of one per read (the same law, ~100 times fewer draws).
   */
  private nextMissGap(): number {
    if (this.missP <= 0) return Infinity;
    if (this.missP >= 1) return 1;
    return 1 + Math.floor(Math.log(1 - this.rng.next()) / Math.log(1 - this.missP));
  }

  /**
   * Runs the handler's operations starting at t0 (the loop's time when the handler issues its
   * first operation). `ops`: the handler's counts; `predictPool` >= 0 adds the batching check on
   * that pool (BatchingCheck; a due check publishes later, at its own time); `nowS`: the handler's message time,
   * up to which the stores' bins may be closed. Returns the time the last reply is back (s) and
   * leaves the driver's loop CPU in loopCpuS.
   */
  chain(p: number, ops: OpCounts, predictPool: number, nowS: number, t0: number): number {
    this.loopCpuS = 0;
    if (nowS >= this.fluid.nextCloseS) {
      this.fluid.advance(nowS);
      if (this.savesOn) this.saves.tick(nowS);
    }
    if (predictPool >= 0 && this.savesOn) this.stored(p);
    if (this.pipelined) return this.batched(p, ops, predictPool, t0);
    let t = t0;
    const rs = this.redisOpS;
    let left = ops.redisReads;
    // the reads inside the write commands (a script's HEXISTS) are counted, no round trip of their own
    this.redisKeyReads += left + (ops.redisReadsInWrites ?? 0);
    while (left > 0) {
      if (this.readsToMiss > left) {
        t = this.ops(p, RR, left, t, rs, this.cpuRedisS, true);
        this.redisOps += left;
        this.readsToMiss -= left;
        break;
      }
      // the readsToMiss-th read misses: read from MySQL, fill the cache
      const k = this.readsToMiss;
      t = this.ops(p, RR, k, t, rs, this.cpuRedisS, true);
      left -= k;
      this.readsToMiss = this.nextMissGap();
      this.redisMisses++;
      t = this.ops(p, MR, 1, t, this.mysqlReadS, this.cpuMysqlS, false);
      t = this.ops(p, RW, 1, t, rs, this.cpuRedisS, true);
      this.replicate(p, RW, 1, this.lastArriveS);
      this.mysqlQueries++;
      this.redisOps += k + 1;
    }
    if (ops.mysqlReads > 0) t = this.ops(p, MR, ops.mysqlReads, t, this.mysqlReadS, this.cpuMysqlS, false);
    if (ops.mysqlWrites > 0) {
      t = this.ops(p, MW, ops.mysqlWrites, t, this.mysqlWriteS, this.cpuMysqlS, false);
      this.replicate(p, MW, ops.mysqlWrites, this.lastArriveS);
    }
    this.mysqlQueries += ops.mysqlReads + ops.mysqlWrites;
    if (ops.redisWrites > 0) {
      t = this.ops(p, RW, ops.redisWrites, t, rs, this.cpuRedisS, true);
      this.replicate(p, RW, ops.redisWrites, this.lastArriveS);
    }
    this.redisOps += ops.redisWrites;
    if (predictPool >= 0) t = this.check.last(p, predictPool, t);
    return t;
  }

  /** A prediction of process p: its Redis write node and that node's replicas hold it (their RDB grows). */
  private stored(p: number): void {
    const node = this.procNode[p * 4 + RW];
    const saves = this.saves;
    saves.predictions[node]++;
    const reps = this.replicas[node];
    for (let j = 0; j < reps.length; j++) saves.predictions[reps[j]]++;
  }

  /** One batch of n operations through a slot, sent at t0; returns max(end, its reply time). */
  private batch(p: number, slot: number, n: number, serviceS: number, t0: number, end: number): number {
    if (n === 0) return end;
    const topo = this.topo;
    const i = p * 4 + slot;
    const redis = slot < 2;
    const node = topo.procNode[i];
    const hop = topo.procNodeHop[i] === 1;
    this.loopCpuS += n * (redis ? this.cpuRedisS : this.cpuMysqlS) + (hop ? this.hopS : 0);
    const half = topo.procNodeRttS[i] * 0.5;
    const arrive = t0 + half;
    let wait = this.fluid.book(node, arrive, serviceS);
    if (this.savesOn) {
      wait += this.saves.waitOf(node, arrive, 1, 1, serviceS);
      if (slot === RW) this.saves.dirty[node] += n;
    }
    if (hop) {
      const inst = this.nodeInstance[node];
      this.usage.cpu(inst, arrive, this.hopS);
      const out = n * (redis ? this.bRedisOut : this.bMysqlOut);
      const back = n * (redis ? this.bRedisIn : this.bMysqlIn);
      this.usage.net(topo.procInstance[p], t0, back, out);
      this.usage.net(inst, arrive, out, back);
    }
    const done = arrive + wait + serviceS + half;
    return done > end ? done : end;
  }

  /** One round trip per distinct node, in parallel; the check runs atomically inside the Redis write batch. */
  private batched(p: number, ops: OpCounts, pool: number, t0: number): number {
    const topo = this.topo;
    let rr = ops.redisReads;
    // the handler's reads (and those inside its writes), and the check's read inside the write batch's script
    this.redisKeyReads += rr + (ops.redisReadsInWrites ?? 0) + (pool >= 0 ? 1 : 0);
    let misses = 0;
    if (this.readsToMiss > rr) this.readsToMiss -= rr;
    else {
      for (let k = 0; k < rr; k++) {
        if (--this.readsToMiss <= 0) {
          this.readsToMiss = this.nextMissGap();
          misses++;
        }
      }
    }
    let rw = ops.redisWrites + misses + (pool >= 0 ? 1 : 0);
    const mr = ops.mysqlReads + misses;
    const mw = ops.mysqlWrites;
    // the write batch (its check script included) and the MySQL writes reach their replicas
    this.replicate(p, RW, rw, t0 + this.procHalfS[p * 4 + RW]);
    this.replicate(p, MW, mw, t0 + this.procHalfS[p * 4 + MW]);
    this.redisMisses += misses;
    this.mysqlQueries += mr + mw;
    const base = p * 4;
    // the check's arrival: the Redis write batch's arrival (decided before its service)
    const rwNode = topo.procNode[base + RW];
    const rwHalf = topo.procNodeRttS[base + RW] * 0.5;
    if (pool >= 0) this.check.inBatch(p, pool, t0 + rwHalf);
    if (topo.procNode[base + RR] === rwNode) { rw += rr; rr = 0; }
    this.redisOps += rr + rw;
    const sameMysql = topo.procNode[base + MR] === topo.procNode[base + MW];
    // perf: the four batches unrolled (no array per handler)
    let end = this.batch(p, RR, rr, rr > 0 ? this.redisRtS + rr * this.redisCmdS : 0, t0, t0);
    end = this.batch(p, RW, rw, this.redisRtS + rw * this.redisCmdS, t0, end);
    if (sameMysql) {
      end = this.batch(p, MR, mr + mw, mr * this.mysqlReadS + mw * this.mysqlWriteS, t0, end);
    } else {
      end = this.batch(p, MR, mr, mr * this.mysqlReadS, t0, end);
      end = this.batch(p, MW, mw, mw * this.mysqlWriteS, t0, end);
    }
    return end;
  }
}
