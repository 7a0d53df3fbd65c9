import type { Params } from '../../model/params.ts';
import type { Kernel } from '../engine/kernel.ts';
import type { FluidQueues } from './fluid.ts';
import { RW, type Topology } from './topology.ts';
import type { RunnerUnits } from './units.ts';
import type { Usage } from './usage.ts';

/**
 * The per-pool broadcast batching check (SYSTEM.md §1): a prediction's check reaches Redis at time
 * tc and is due when no last-broadcast timestamp SET that has landed by tc is within the window of
 * the check's time nowS. With get-then-set (`racy`) the handler compares and sets its server's
 * clock: nowS is when it sent the GET (the live server takes `now`, then GETs, compares, SETs
 * `now`; the thesis's handler likewise), so a server an ocean from Redis sees each window end a
 * one-way delay later than one beside it, and the timestamp it sets is older than when it lands;
 * its SET lands a gap after its GET (a round trip plus driver work), so checks inside that gap also
 * see the old value and publish too. With check-and-set (`atomic`, and the batched handler's
 * script) Redis decides on its own clock (`SET NX PX`: nowS = tc) and the gap is zero.
 *
 * Checks are computed when their handler starts, not in time order (a handler queued behind a
 * blocked loop checks far ahead of the clock), so a check is decided in two steps:
 * - when computed: if a SET known by then has landed by tc within the window, it is not due —
 *   final, as SETs computed later can only add to what it sees;
 * - otherwise it may be due: it is decided again at tc itself (a kernel event), in time order,
 *   when every SET that lands by tc is known. Only the few checks right after a window expires
 *   take that event.
 */
export class PoolClock {
  private values: Float64Array[];
  private lands: Float64Array[];
  private readonly sizes: Int32Array;

  constructor(pools: number, private readonly windowS: number, private readonly maxGapS: number) {
    this.values = Array.from({ length: pools }, () => new Float64Array(64));
    this.lands = Array.from({ length: pools }, () => new Float64Array(64));
    this.sizes = new Int32Array(pools);
  }

  /** Index of the first set with value > x (binary search). */
  private upper(pool: number, x: number): number {
    const v = this.values[pool];
    let lo = 0;
    let hi = this.sizes[pool];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Does the check of `pool` made at nowS and reaching Redis at tc see no SET landed by tc whose
   * timestamp is within the window of nowS (so far)?
   */
  due(pool: number, tc: number, nowS: number): boolean {
    const v = this.values[pool];
    const land = this.lands[pool];
    const n = this.sizes[pool];
    // a SET's timestamp is before it lands: only those up to tc can have landed by tc
    // perf: checks mostly come after every set: no search then
    const end = n === 0 || tc >= v[n - 1] ? n : this.upper(pool, tc);
    // only timestamps in (nowS − window − maxGap, tc] can matter
    const floor = nowS - this.windowS - this.maxGapS;
    for (let i = end - 1; i >= 0 && v[i] > floor; i--) {
      if (land[i] <= tc && nowS - v[i] <= this.windowS) return false;
    }
    return true;
  }

  /** Records a SET of `pool`'s timestamp to valueS, landing at landS. */
  record(pool: number, valueS: number, landS: number): void {
    let n = this.sizes[pool];
    if (n === this.values[pool].length) {
      const nv = new Float64Array(n * 2);
      nv.set(this.values[pool]);
      this.values[pool] = nv;
      const nl = new Float64Array(n * 2);
      nl.set(this.lands[pool]);
      this.lands[pool] = nl;
    }
    const v = this.values[pool];
    const land = this.lands[pool];
    const at = n === 0 || valueS >= v[n - 1] ? n : this.upper(pool, valueS);
    v.copyWithin(at + 1, at, n);
    land.copyWithin(at + 1, at, n);
    v[at] = valueS;
    land[at] = landS;
    this.sizes[pool] = ++n;
  }
}

/**
 * Key reads among a publish's Redis commands (read the pending ids, read the distribution; the
 * PUBLISH and the clear are not key reads), SYSTEM.md §1.
 */
const PUBLISH_KEY_READS = 2;
/** Longest a SET is assumed to wait in an overloaded Redis queue (bounds the check's scan). */
const MAX_SET_WAIT_S = 60;

/** What the check needs of the database (Database): its operations, its replication and its counters. */
export interface CheckStores {
  /** loop CPU of the current chain's driver work and hops, s */
  loopCpuS: number;
  redisOps: number;
  redisKeyReads: number;
  /** when the last booked operation reached its node, s */
  readonly lastArriveS: number;
  /** k like operations in sequence from process p through a slot, from t; returns when the last reply is back */
  ops(p: number, slot: number, k: number, t: number, serviceS: number, cpuS: number, redis: boolean): number;
  /** k writes reached process p's node in `slot` at atS: its replicas apply them */
  replicate(p: number, slot: number, k: number, atS: number): void;
}

/**
 * The per-pool check of a prediction handler, and the publish of a due one. One after the other
 * (blocking, async): a GET (or the atomic check-and-set) as the handler's last operation, then,
 * when due, the SET (racy) and the publish commands. Pipelined (batched): inside the Redis write
 * batch, a script that checks, sets and publishes at once.
 *
 * A check that may be due is decided again at its own time (decideCheck, a kernel event); the
 * SET and the publish of a due check are booked then. Approximation: they do not lengthen the
 * publishing handler itself (once per window on one process), only the store's queue, the
 * process's CPU and the update.
 */
export class BatchingCheck {
  private readonly clock: PoolClock;
  private readonly kCheck: number;
  /** checks that may be due, decided again at their own time: pool, process (free list of ids) */
  private checkPool = new Int32Array(64);
  private checkProc = new Int32Array(64);
  private checkTc = new Float64Array(64);
  private checkNow = new Float64Array(64);
  private readonly freeChecks: number[] = [];
  private checksUsed = 0;
  private readonly atomic: boolean;
  private readonly publishOps: number;
  private readonly redisCmdS: number;
  private readonly redisOpS: number;
  private readonly cpuRedisS: number;
  private readonly procNode: Int32Array;
  private readonly procHalfS: Float64Array;

  constructor(
    private readonly kernel: Kernel,
    private readonly stores: CheckStores,
    /** called with an update's stamp (send time) and its arrival at the master, s */
    private readonly publish: (stampS: number, atMasterS: number) => void,
    private readonly topo: Topology,
    private readonly fluid: FluidQueues,
    private readonly usage: Usage,
    params: Params,
    units: RunnerUnits,
    private readonly pipelined: boolean,
    broadcast: { windowS: number; check: 'racy' | 'atomic' },
    pools: number,
  ) {
    this.atomic = broadcast.check === 'atomic';
    this.publishOps = params.publishRedisOps;
    this.redisCmdS = units.redisCommandS;
    this.redisOpS = units.redisCommandS + units.redisRoundTripS;
    this.cpuRedisS = units.cpuRedisOpS;
    this.procNode = topo.procNode;
    this.procHalfS = topo.procNodeRttS.map((x) => x * 0.5);
    let maxRttS = 0;
    for (let p = 0; p < topo.processes; p++) maxRttS = Math.max(maxRttS, topo.procNodeRttS[p * 4 + RW]);
    // a racy SET lands a round trip, the GET's service, the driver work and the SET's wait after its GET
    this.clock = new PoolClock(pools, broadcast.windowS, maxRttS + 2 * (this.cpuRedisS + this.redisOpS) + MAX_SET_WAIT_S);
    this.kCheck = kernel.on((id) => this.decideCheck(id));
  }

  /** One after the other: the check of `pool` as process p's handler's last operation, issued at t; returns when its reply is back. */
  last(p: number, pool: number, t: number): number {
    const db = this.stores;
    // racy: the handler takes its clock's time, then sends the GET; a script decides at Redis
    const sentS = t;
    t = db.ops(p, RW, 1, t, this.redisOpS, this.cpuRedisS, true);
    db.redisOps++;
    // the check reads the pool's last-broadcast time (a GET, or the read inside the check-and-set)
    db.redisKeyReads++;
    const tc = db.lastArriveS;
    const nowS = this.atomic ? tc : sentS;
    if (this.clock.due(pool, tc, nowS)) this.checkAt(p, pool, tc, nowS);
    return t;
  }

  /** Pipelined: the check of `pool` reaches Redis at tc with process p's write batch (decided before its service, on Redis's clock). */
  inBatch(p: number, pool: number, tc: number): void {
    if (this.clock.due(pool, tc, tc)) this.checkAt(p, pool, tc, tc);
  }

  private checkAt(p: number, pool: number, tc: number, nowS: number): void {
    let id: number;
    if (this.freeChecks.length > 0) id = this.freeChecks.pop()!;
    else {
      id = this.checksUsed++;
      if (id >= this.checkPool.length) {
        const grow = (a: Int32Array) => { const b = new Int32Array(a.length * 2); b.set(a); return b; };
        this.checkPool = grow(this.checkPool);
        this.checkProc = grow(this.checkProc);
        const tcs = new Float64Array(this.checkTc.length * 2);
        tcs.set(this.checkTc);
        this.checkTc = tcs;
        const nows = new Float64Array(this.checkNow.length * 2);
        nows.set(this.checkNow);
        this.checkNow = nows;
      }
    }
    this.checkPool[id] = pool;
    this.checkProc[id] = p;
    this.checkTc[id] = tc;
    this.checkNow[id] = nowS;
    // handlers run up to one wheel tick after their message's time, so tc may be a hair behind
    this.kernel.at(tc > this.kernel.now ? tc : this.kernel.now, this.kCheck, id);
  }

  /** A check that may be due reaches Redis now (tc): decided in time order. */
  private decideCheck(id: number): void {
    const tc = this.checkTc[id];
    const nowS = this.checkNow[id];
    const pool = this.checkPool[id];
    const p = this.checkProc[id];
    this.freeChecks.push(id);
    if (!this.clock.due(pool, tc, nowS)) return;
    const db = this.stores;
    const i = p * 4 + RW;
    const half = this.procHalfS[i];
    const saved = db.loopCpuS;
    db.loopCpuS = 0;
    if (this.pipelined) {
      // inside the write batch, a script: check, set and publish at once
      const node = this.procNode[i];
      const work = this.publishOps * this.redisCmdS;
      const wait = this.fluid.waitOf(node, work);
      this.fluid.add(node, tc, work);
      db.redisOps += this.publishOps;
      db.redisKeyReads += Math.min(PUBLISH_KEY_READS, this.publishOps);
      db.replicate(p, RW, this.publishOps - Math.min(PUBLISH_KEY_READS, this.publishOps), tc);
      this.clock.record(pool, nowS, tc);
      this.publish(tc - half, tc + wait + work);
    } else {
      // the GET's reply is back at the process, then (racy) the SET, then the publish commands
      let t = tc + this.redisOpS + half;
      let landS = tc;
      if (!this.atomic) {
        t = db.ops(p, RW, 1, t, this.redisOpS, this.cpuRedisS, true);
        db.redisOps++;
        landS = db.lastArriveS;
        db.replicate(p, RW, 1, landS);
      }
      this.clock.record(pool, nowS, landS);
      db.ops(p, RW, this.publishOps, t, this.redisOpS, this.cpuRedisS, true);
      db.redisOps += this.publishOps;
      db.redisKeyReads += Math.min(PUBLISH_KEY_READS, this.publishOps);
      // the writes and the PUBLISH go down the replication stream, the key reads do not
      db.replicate(p, RW, this.publishOps - Math.min(PUBLISH_KEY_READS, this.publishOps), db.lastArriveS);
      this.publish(db.lastArriveS - half, db.lastArriveS);
      this.usage.cpu(this.topo.procInstance[p], tc, db.loopCpuS);
    }
    db.loopCpuS = saved;
  }
}
