import type { Params } from '../../model/params.ts';
import type { Kernel } from '../engine/kernel.ts';
import type { Stream } from '../engine/random.ts';
import { LatencyRecorder } from '../engine/recorder.ts';
import type { Population } from './clients.ts';
import { DelaySampler, inverseNormal } from './delay.ts';
import { EntityDraws } from './entity-draws.ts';
import type { HostCores } from './host.ts';
import type { Topology } from './topology.ts';
import type { RunnerUnits } from './units.ts';
import type { Usage } from './usage.ts';

/**
 * Pool distribution updates: a publish reaches every process's subscription (down the replica
 * chain), and each process's broadcast thread, a FIFO server of its own, writes the update to its
 * M subscribed sockets in turn: the k-th socket is written k × perSocket after the thread starts
 * the update, so it waits for the k−1 before it. On a machine all processes share (a live run,
 * HostCores), a fan-out also waits for one of its cores and holds it to its end.
 *
 * The pace of one update's writes varies (broadcastPaceSigma): the thread shares the interpreter
 * lock with the process's request loop, so an update written while the loop is busy goes out more
 * slowly. Each (update, process) draws a lognormal factor of mean 1 on the per-socket time; the
 * CPU charged stays the nominal cost (the thread waits for the lock, it does not burn it).
 *
 * perf: no event per socket. One event per (broadcast, process); the M deliveries are known in
 * closed form, and a stratified uniform sample of at most S sockets is recorded, each with weight
 * M/S, into the broadcast recorders of the sockets' regions. Delivery counts stay exact; the
 * latency distribution is estimated from S·(broadcasts × processes) samples (millions in the
 * thesis run) instead of the 43 M deliveries.
 */
export class Broadcaster {
  readonly rec: LatencyRecorder[];
  /** updates published */
  published = 0;
  /** socket writes done by broadcast threads (exact) */
  deliveries = 0;

  private stampS = new Float64Array(1024);
  /** subscribed users per process, in subscription order (segments of the population's per-process sizes) */
  private readonly subs: Int32Array;
  /** when each subscription took effect (non-decreasing within a process: its loop is FIFO) */
  private readonly subAtS: Float64Array;
  private readonly subOff: Int32Array;
  private readonly subLen: Int32Array;
  /** per process: when its broadcast thread finishes the updates given to it, s */
  private readonly freeAtS: Float64Array;
  private readonly kArrive: number;
  private readonly perMsgS: number;
  readonly perSocketS: number;
  private readonly tlsMsgS: number;
  private readonly sample: number;
  private readonly offsetMs: number;
  private readonly bytesOut: number;
  private readonly bytesIn: number;
  private readonly P: number;
  private readonly paceSigma: number;
  /** per process: its fan-outs' pace factors and sample offsets */
  private readonly draws: EntityDraws;
  /** per process: the one-way delays of its sampled deliveries */
  private readonly net: DelaySampler;
  /** the machine's cores when every process shares them (a live run); null: each has its own */
  private readonly host: HostCores | null;
  /** with a shared machine: the order in which the processes receive an update, and its draws */
  private readonly order: { perm: Int32Array; draws: Stream } | null;

  constructor(
    private readonly kernel: Kernel,
    private readonly topo: Topology,
    private readonly pop: Population,
    private readonly usage: Usage,
    streams: { draws: Stream; network: Stream; order: Stream },
    params: Params,
    units: RunnerUnits,
    private readonly endS: number,
    host: HostCores | null = null,
  ) {
    this.P = topo.processes;
    this.draws = new EntityDraws(streams.draws, this.P);
    this.net = new DelaySampler(streams.network, params.jitterSigma, this.P);
    this.rec = topo.clientRegions.map(() => new LatencyRecorder());
    this.subOff = new Int32Array(this.P);
    let off = 0;
    for (let p = 0; p < this.P; p++) {
      this.subOff[p] = off;
      off += pop.perProcess[p];
    }
    this.subs = new Int32Array(off);
    this.subAtS = new Float64Array(off);
    this.subLen = new Int32Array(this.P);
    this.freeAtS = new Float64Array(this.P);
    this.perMsgS = units.cpuBroadcastMessageS;
    this.perSocketS = units.cpuBroadcastPerSocketS;
    this.tlsMsgS = units.cpuTlsPerMessageS;
    this.sample = params.broadcastSampleSockets;
    this.paceSigma = params.broadcastPaceSigma;
    this.offsetMs = params.broadcastClockOffsetMs;
    this.bytesOut = params.bytesBroadcast + params.bytesWsFrame + params.bytesTlsRecord + params.bytesTcpIp;
    this.bytesIn = params.bytesTcpIp;
    this.host = host;
    this.order = host !== null ? { perm: Int32Array.from({ length: this.P }, (_, p) => p), draws: streams.order } : null;
    this.kArrive = kernel.on((x, t) => this.fanOut(x, t));
  }

  /** Is process p's broadcast thread writing an update at time t (holding the interpreter lock)? */
  busyAt(p: number, t: number): boolean {
    return this.freeAtS[p] > t;
  }

  /** When process p's broadcast thread finishes the updates given to it so far. */
  busyUntil(p: number): number {
    return this.freeAtS[p];
  }

  /** User u, on process p, joined the game at time t: later updates reach it. */
  subscribe(p: number, u: number, t: number): void {
    const n = this.subLen[p];
    if (n >= this.pop.perProcess[p]) throw new Error(`broadcast invariant violated: process ${p} has more subscribers than users`);
    const i = this.subOff[p] + n;
    if (n > 0 && t < this.subAtS[i - 1]) throw new Error(`broadcast invariant violated: process ${p} subscriptions out of order`);
    this.subs[i] = u;
    this.subAtS[i] = t;
    this.subLen[p] = n + 1;
  }

  /** Sockets of process p subscribed by time t (joins are computed ahead of the clock). */
  private subscribedBy(p: number, t: number): number {
    const off = this.subOff[p];
    const n = this.subLen[p];
    if (n === 0 || this.subAtS[off + n - 1] <= t) return n;
    let lo = 0;
    let hi = n - 1; // subAtS[off + hi] > t
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.subAtS[off + mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** An update stamped at stampS reaches the publishing master at atMasterS. */
  publish(stampS: number, atMasterS: number): void {
    const b = this.published++;
    if ((b + 1) * this.P > 0x7fffffff) throw new Error('broadcast invariant violated: too many updates to encode in an event payload');
    if (b >= this.stampS.length) {
      const grown = new Float64Array(this.stampS.length * 2);
      grown.set(this.stampS);
      this.stampS = grown;
    }
    this.stampS[b] = stampS;
    const delays = this.topo.procPubDelayS;
    const now = this.kernel.now;
    const order = this.order;
    if (order !== null) {
      // on a shared machine, processes woken by the same update take the cores in the
      // scheduler's order, not by their number (HostCores): a fresh order per update
      const perm = order.perm;
      for (let i = this.P - 1; i > 0; i--) {
        const j = Math.floor(order.draws.next() * (i + 1));
        const x = perm[i];
        perm[i] = perm[j];
        perm[j] = x;
      }
    }
    for (let i = 0; i < this.P; i++) {
      const p = order === null ? i : order.perm[i];
      const at = atMasterS + delays[p];
      // (a handler may run up to one wheel tick after its message's time)
      if (at <= this.endS) this.kernel.at(at > now ? at : now, this.kArrive, b * this.P + p);
    }
  }

  /** Update b reaches process p's subscription: its broadcast thread writes it to every socket. */
  private fanOut(x: number, t: number): void {
    const P = this.P;
    const b = Math.floor(x / P);
    const p = x - b * P;
    const M = this.subscribedBy(p, t);
    const inst = this.topo.procInstance[p];
    const per = this.paceSigma > 0 ? this.perSocketS * this.pace(p) : this.perSocketS;
    let start = t > this.freeAtS[p] ? t : this.freeAtS[p];
    // on a shared machine the fan-out also waits for a core, and holds it to its end
    if (this.host !== null) start = this.host.take(start, this.perMsgS + M * per, t);
    const first = start + this.perMsgS;
    this.freeAtS[p] = first + M * per;
    this.usage.cpu(inst, start, this.perMsgS + M * (this.perSocketS + this.tlsMsgS));
    if (this.topo.procPubHop[p] === 1) this.usage.net(inst, t, this.bytesOut, this.bytesIn);
    if (M === 0) return;
    // sockets written before the clients disconnect
    const sent = first + M * per <= this.endS ? M : Math.max(0, Math.min(M, Math.floor((this.endS - first) / per)));
    this.deliveries += sent;
    this.usage.net(inst, start, sent * this.bytesIn, sent * this.bytesOut);
    const stampMs = this.stampS[b] * 1000 - this.offsetMs;
    const topo = this.topo;
    const region = this.pop.region;
    const off = this.subOff[p];
    const S = M < this.sample ? M : this.sample;
    const weight = M / S;
    const u0 = this.draws.next(p);
    for (let i = 0; i < S; i++) {
      // stratified: one socket from each of S equal slices of the list
      const k = Math.floor(((i + u0) * M) / S);
      const u = this.subs[off + k];
      const ri = region[u];
      const recvS = first + (k + 1) * per + this.net.oneWay(p, topo.regionHalfRttS[ri], topo.regionJitterS[ri], topo.regionLoss[ri], topo.regionRtoS[ri]);
      if (recvS <= this.endS) this.rec[ri].recordWeighted(recvS * 1000 - stampMs, weight);
    }
  }

  /** A lognormal pace factor of mean 1 (sigma broadcastPaceSigma). */
  private pace(p: number): number {
    const u = this.draws.next(p);
    const s = this.paceSigma;
    return Math.exp(s * inverseNormal(u > 0 ? u : Number.MIN_VALUE) - 0.5 * s * s);
  }
}
