// Over 300 lines: one idea, a user's messages through its server loop; the handlers share the model's per-run fields and the user record.
import type { Architecture } from '../../model/architecture.ts';
import { addOps, anyOps, type OpCounts, type Params } from '../../model/params.ts';
import { sharedHostCores, type Scenario } from '../../model/workload.ts';
import type { Kernel } from '../engine/kernel.ts';
import type { Streams } from '../engine/random.ts';
import { LatencyRecorder } from '../engine/recorder.ts';
import type { Population } from './clients.ts';
import { Database } from './database.ts';
import { DelaySampler } from './delay.ts';
import { Broadcaster } from './broadcast.ts';
import { FluidQueues } from './fluid.ts';
import { HostCores } from './host.ts';
import type { Topology } from './topology.ts';
import { Usage } from './usage.ts';
import { LoopPauses } from './pauses.ts';
import { ListenBacklog } from './backlog.ts';
import { MessageWheel } from './wheel.ts';
import { driverOf, unitsOf } from './units.ts';
import { EntityDraws } from './entity-draws.ts';

/** User phases: what the user's one outstanding message is. */
export const HANDSHAKE = 0;
const LIST_GAMES = 1;
const JOIN_GAME = 2;
const LIST_POOLS = 3;
export const PREDICT = 4;
/** the connection ended in an error (nginx's 502 after its upstream SYNs found the listen queue full, or the client gave up under a what-if handshake timeout) */
export const FAILED = 5;
/** launched, but the handshake was not complete when the run ended: neither connected nor failed */
export const PENDING = 6;

/**
 * The per-user record in SystemModel.us: STRIDE numbers per user (8 × 8 bytes: one cache line),
 * at these offsets.
 */
const STRIDE = 8;
/** when the user's outstanding message was sent (the handshake: when the connection launched), s */
const SENT_S = 0;
/** the continuation's CPU (driver work after the awaits), s */
const CONT_CPU_S = 1;
/** during the handshake (which has no continuation), the same slot: upstream SYNs dropped so far */
const SYN_DROPS = 1;
/** the user's server process */
const PROC = 2;
/** phase | CONTINUATION | PREDICTED | region << REGION_SHIFT */
const STATE = 3;
/** when the user's message in the wheel is due, s */
const DUE_S = 4;
/** the wheel's link (wheel.ts) */
const LINK = 5;
/** how many think times the user has drawn (its counter in `think`: entity-draws.ts) */
const THINK_DRAWS = 6;
/** how many one-way delays the user has drawn (its counter in `net`) */
const NET_DRAWS = 7;
/**
 * state bits: the phase (3 bits), the part of the handler (set: its continuation after the
 * awaits), whether the user's first prediction has run (its account step done:
 * params.opsFirstPredict), the client region
 */
const PHASE_MASK = 7;
const CONTINUATION = 8;
const PREDICTED = 16;
const REGION_SHIFT = 5;

function phaseOf(state: number): number {
  return state & PHASE_MASK;
}

function regionOf(state: number): number {
  return state >> REGION_SHIFT;
}

/**
 * The thesis system on the event kernel: clients, the handshake, WebSocket server processes
 * (one single-threaded loop each, a FIFO server solved at each message's arrival), database work
 * computed inside handlers (Database), and broadcasts (Broadcaster).
 *
 * Per request one message reaches its loop (async and batched: a second, the continuation); the
 * client's receive and its next send are computed when the loop's answer is known. Messages wait
 * in the timing wheel; no object or closure per message: ids index typed arrays.
 */
export class SystemModel {
  readonly endS: number;
  readonly usage: Usage;
  readonly fluid: FluidQueues;
  readonly db: Database;
  readonly bcast: Broadcaster;
  readonly pauses: LoopPauses;
  readonly backlog: ListenBacklog;
  readonly handshakeRec: LatencyRecorder[];
  readonly requestRec: LatencyRecorder[];
  /** per client region: connections launched, opened, and ended in an error within the run */
  readonly launched: Int32Array;
  readonly connected: Int32Array;
  readonly failed: Int32Array;
  handledRequests = 0;
  /** longest a message waited for its loop, any process, s */
  maxLoopWaitS = 0;

  // users
  /**
   * Per user, one record of STRIDE numbers (SENT_S, CONT_CPU_S, PROC, STATE, DUE_S, LINK,
   * THINK_DRAWS, NET_DRAWS).
   * perf: one cache line per user event instead of one per array (10^6 users do not fit in cache).
   */
  private readonly us: Float64Array;
  /** per process: when its loop finishes the last message given to it, s */
  private readonly freeAtS: Float64Array;

  private readonly net: DelaySampler;
  readonly wheel: MessageWheel;
  private readonly think: EntityDraws;
  private readonly rampS: number;
  private readonly rampPerS: number;
  /** a live run's emulated TCP and TLS round trips of a handshake (Scenario.emulatedSetupRtts); -1: packets on the path */
  private readonly setupRtts: number;
  private readonly firstThink: [number, number];
  private readonly predictThink: [number, number];
  /** blocking driver: the loop is held for the handler's operations */
  private readonly holdsLoop: boolean;
  private readonly cpuS: Float64Array;
  private readonly ops: OpCounts[];
  /** a user's first prediction: opsPredict with opsFirstPredict's account step */
  private readonly opsFirst: OpCounts;
  /** whether a first prediction has an account step (its key read then misses) */
  private readonly accountStep: boolean;
  private readonly reqIn: Float64Array;
  private readonly reqOut: Float64Array;
  private readonly tlsMsgS: number;
  private readonly upgradeS: number;
  private readonly tlsHandshakeS: number;
  private readonly hsRtoS: number;
  private readonly hsTimeoutS: number;
  private readonly synRtoS: number;
  private readonly synRetries: number;
  private readonly hsIn: number;
  private readonly hsOut: number;
  private readonly pools: number;
  private readonly lockHandoff: number;
  private readonly lockDraws: EntityDraws;
  /** the machine's cores when every process shares them (Scenario.hostCores); null: each has its own */
  private readonly host: HostCores | null;

  private kSpawn = 0;
  private kArrive = 0;

  constructor(
    private readonly kernel: Kernel,
    private readonly topo: Topology,
    private readonly pop: Population,
    arch: Architecture,
    scenario: Scenario,
    params: Params,
    streams: Streams,
  ) {
    const users = pop.users;
    this.rampS = users / scenario.rampPerS;
    this.rampPerS = scenario.rampPerS;
    this.setupRtts = scenario.emulatedSetupRtts ?? -1;
    this.firstThink = scenario.firstThinkS;
    this.predictThink = scenario.predictThinkS;
    this.endS = this.rampS + scenario.durationS;
    this.pools = Math.max(1, scenario.pools);
    this.usage = new Usage(topo.instances.length, this.endS);
    this.fluid = new FluidQueues(topo.nodes.map((n) => n.cores), topo.nodes.map((n) => n.instance), this.usage);
    const units = unitsOf(params);
    const driver = driverOf(arch.dbMode);
    this.db = new Database(kernel, (stampS, atMasterS) => this.bcast.publish(stampS, atMasterS), topo, this.fluid, this.usage, streams.get('database'), params, units, driver, arch.broadcast, this.pools);
    this.us = new Float64Array(users * STRIDE);
    this.net = new DelaySampler(streams.get('network'), params.jitterSigma, { counts: this.us, stride: STRIDE, offset: NET_DRAWS });
    this.think = new EntityDraws(streams.get('think'), { counts: this.us, stride: STRIDE, offset: THINK_DRAWS });
    this.holdsLoop = driver.holdsLoop;
    const R = topo.clientRegions.length;
    this.handshakeRec = Array.from({ length: R }, () => new LatencyRecorder());
    this.requestRec = Array.from({ length: R }, () => new LatencyRecorder());
    this.launched = new Int32Array(R);
    this.connected = new Int32Array(R);
    this.failed = new Int32Array(R);

    for (let u = 0; u < users; u++) {
      this.us[u * STRIDE + PROC] = pop.proc[u];
      this.us[u * STRIDE + STATE] = HANDSHAKE | (pop.region[u] << REGION_SHIFT);
    }
    this.freeAtS = new Float64Array(topo.processes);
    this.backlog = new ListenBacklog(pop.perProcess, params.listenBacklog);
    this.synRtoS = units.synInitialRtoS;
    this.synRetries = params.synRetries;
    this.pauses = new LoopPauses(topo.processes, streams.get('pauses'), params.loopPauseEveryMessages, units.loopPauseMedianS, params.loopPauseSigma, params.loopPauseOnsetMessages);

    this.cpuS = units.cpuPhaseS;
    this.ops = [params.opsListGames, params.opsListGames, params.opsJoinGame, params.opsListPools, params.opsPredict];
    this.accountStep = anyOps(params.opsFirstPredict);
    this.opsFirst = addOps(params.opsPredict, params.opsFirstPredict);
    const ovh = params.bytesWsFrame + params.bytesTlsRecord + params.bytesTcpIp;
    const ack = params.bytesTcpIp;
    const req = [0, params.bytesListGamesRequest, params.bytesJoinGameRequest, params.bytesListPoolsRequest, params.bytesPredictRequest];
    const resp = [0, params.bytesListGamesResponse, params.bytesJoinGameResponse, params.bytesListPoolsResponse, params.bytesPredictResponse];
    // bytes an instance receives and sends for one request/response pair (each message acknowledged)
    this.reqIn = Float64Array.from(req.map((b) => b + ovh + ack));
    this.reqOut = Float64Array.from(resp.map((b) => b + ovh + ack));
    this.tlsMsgS = units.cpuTlsPerMessageS;
    this.upgradeS = units.cpuUpgradeS;
    this.tlsHandshakeS = units.cpuTlsHandshakeS;
    this.hsRtoS = units.handshakeInitialRtoS;
    this.hsTimeoutS = units.handshakeTimeoutS;
    this.hsIn = params.bytesHandshakeIn;
    this.hsOut = params.bytesHandshakeOut;

    const hostCores = sharedHostCores(scenario, topo.processes);
    this.host = hostCores === null ? null : new HostCores(hostCores);
    this.bcast = new Broadcaster(kernel, topo, pop, this.usage, { draws: streams.get('broadcast'), network: streams.get('broadcast-network'), order: streams.get('host-order') }, params, units, this.endS, this.host);
    this.lockHandoff = scenario.fanOutOnLoop ? 0 : params.broadcastLockHandoff;
    this.lockDraws = new EntityDraws(streams.get('interpreter-lock'), topo.processes);

    // perf: handlers are registered once; events carry only an integer id
    this.kSpawn = kernel.on((u, t) => this.spawn(u, t));
    this.kArrive = kernel.on((u, t) => this.arrive(u, t));
    this.wheel = new MessageWheel(kernel, this.us, STRIDE, LINK, (u) => this.arrive(u, this.us[u * STRIDE + DUE_S]), (u, t) => kernel.at(t, this.kArrive, u));
  }

  /** Schedules the first connection. */
  start(): void {
    if (this.pop.users > 0) this.kernel.at(0, this.kSpawn, 0);
  }

  /** After the run: closes the data-store queues' bins up to the end. */
  finish(): void {
    this.fluid.closeAll(this.endS);
  }

  /**
   * User u's client machine launches its connection now, open-loop (the next launch is scheduled
   * whatever becomes of this one); the handshake's network part is computed here.
   */
  private spawn(u: number, t: number): void {
    const pop = this.pop;
    if (u + 1 < pop.users) this.kernel.at((u + 1) / this.rampPerS, this.kSpawn, u + 1);
    const ri = pop.region[u];
    this.launched[ri]++;
    const topo = this.topo;
    const half = topo.regionHalfRttS[ri];
    const jit = topo.regionJitterS[ri];
    const loss = topo.regionLoss[ri];
    const rto = topo.regionFirstRtoS[ri];
    const net = this.net;
    // TCP: SYN, SYN-ACK (initial RTO on loss); TLS: ClientHello, server flight, client
    // key exchange, server Finished (the RTO of a connection whose one RTT sample is the SYN
    // exchange); then the upgrade request reaches the loop
    let at: number;
    if (this.setupRtts >= 0) {
      // a live run's proxy holds the upgrade request for its setup round trips (no packets)
      at = t + 2 * half * this.setupRtts + this.tlsHandshakeS + net.oneWay(u, half, jit, loss, rto);
    } else {
      at = t + net.oneWay(u, half, jit, loss, this.hsRtoS) + net.oneWay(u, half, jit, loss, this.hsRtoS);
      at += net.oneWay(u, half, jit, loss, rto) + this.tlsHandshakeS + net.oneWay(u, half, jit, loss, rto);
      at += net.oneWay(u, half, jit, loss, rto) + net.oneWay(u, half, jit, loss, rto);
      at += net.oneWay(u, half, jit, loss, rto);
    }
    const p = pop.proc[u];
    const inst = topo.procInstance[p];
    this.usage.cpu(inst, t, this.tlsHandshakeS);
    this.usage.net(inst, t, this.hsIn, this.hsOut);
    this.us[u * STRIDE + SENT_S] = t;
    this.toLoop(u, ri, t, at);
  }

  /**
   * nginx connects upstream for user u (launched at sentS) at atS: the upgrade reaches the
   * process's listen queue then, unless the client has given up before (what-if timeout) or the
   * run has ended.
   */
  private toLoop(u: number, ri: number, sentS: number, atS: number): void {
    if (atS - sentS > this.hsTimeoutS) this.giveUp(u, ri, sentS);
    else if (atS > this.endS) this.setPhase(u, PENDING);
    else {
      this.us[u * STRIDE + DUE_S] = atS;
      this.wheel.push(u, atS);
    }
  }

  /**
   * nginx's upstream SYN for user u reached its process's listen queue at aS and found it full:
   * the kernel dropped it. The k-th retransmission goes synRto × 2^(k−1) after the previous SYN
   * (1 s, then 3 s after the first); when the last is dropped too, the connect fails synRto ×
   * 2^retries after it (7 s after the first), nginx answers 502 and the client's handshake fails
   * one one-way later. Nothing reaches the loop; no draw unless the connection fails.
   */
  private synDropped(u: number, aS: number): void {
    const us = this.us;
    const b = u * STRIDE;
    const drops = us[b + SYN_DROPS];
    const ri = regionOf(us[b + STATE]);
    const sentS = us[b + SENT_S];
    us[b + SYN_DROPS] = drops + 1;
    const nextS = aS + this.synRtoS * 2 ** drops;
    if (drops < this.synRetries) {
      this.toLoop(u, ri, sentS, nextS);
      return;
    }
    const topo = this.topo;
    const failS = nextS + this.net.oneWay(u, topo.regionHalfRttS[ri], topo.regionJitterS[ri], topo.regionLoss[ri], topo.regionFirstRtoS[ri]);
    if (failS - sentS > this.hsTimeoutS) this.giveUp(u, ri, sentS);
    else if (failS > this.endS) this.setPhase(u, PENDING);
    else {
      this.setPhase(u, FAILED);
      this.failed[ri]++;
    }
  }

  /**
   * What-if client timeout: the client launched at t gives up on its handshake at t + timeout,
   * an error (failed) if that is within the run, else still pending when the run ends.
   */
  private giveUp(u: number, ri: number, t: number): void {
    if (t + this.hsTimeoutS <= this.endS) {
      this.setPhase(u, FAILED);
      this.failed[ri]++;
    } else this.setPhase(u, PENDING);
  }

  /**
   * When process p's loop, wanting the interpreter lock at `t` while its broadcast thread writes
   * an update, gets it: the thread lets the lock go once per socket it writes, and the loop takes
   * it at each release with probability `broadcastLockHandoff`, so it loses a geometric number of
   * releases (0 with probability q), at most until the fan-out ends. No draw when q = 0.
   */
  private lockTaken(p: number, t: number): number {
    const end = this.bcast.busyUntil(p);
    const q = this.lockHandoff;
    if (q <= 0) return end;
    const lost = Math.floor(Math.log(1 - this.lockDraws.next(p)) / Math.log(1 - q));
    const taken = t + lost * this.bcast.perSocketS;
    return taken < end ? taken : end;
  }

  /**
   * A message of user u reaches its process's loop at time a. The loop is a FIFO server and
   * arrivals are handled in time order, so the message's start is known now:
   * start = max(a, the loop's free time) (Lindley); the whole handler is computed at once.
   *
   * perf: one message per request instead of arrival + loop-done + client-receive events; in
   * async/batched the awaits' completion re-enters the loop queue as a second message. Messages
   * wait in a timing wheel (wheel.ts) rather than as kernel events of their own.
   */
  private arrive(u: number, a: number): void {
    const us = this.us;
    const b = u * STRIDE;
    const p = us[b + PROC] | 0;
    const state = us[b + STATE];
    const phase = phaseOf(state);
    // the upgrade's upstream connection must first find room in the listen queue (backlog.ts)
    if (phase === HANDSHAKE && !this.backlog.admit(p, a)) {
      this.synDropped(u, a);
      return;
    }
    const free = this.freeAtS[p];
    // a pause (pauses.ts) holds the loop before it takes this message
    let start = (a > free ? a : free) + this.pauses.before(p);
    // the interpreter lock: a handler that starts while the process's broadcast thread writes an
    // update waits for the lock (and holds the loop meanwhile)
    if (this.lockHandoff < 1 && this.bcast.busyAt(p, start)) start = this.lockTaken(p, start);
    // on a shared machine the handler's CPU also waits for a core (the loop waits meanwhile)
    if (this.host !== null) start = this.host.take(start, phase === HANDSHAKE ? this.upgradeS : (state & CONTINUATION) !== 0 ? us[b + CONT_CPU_S] : this.cpuS[phase], this.kernel.now);
    if (start - a > this.maxLoopWaitS) this.maxLoopWaitS = start - a;
    // a request still waiting for the loop when the run ends never runs: no operations, no counts
    // (a handshake then is pending: opened() sees it)
    if (start >= this.endS && phase !== HANDSHAKE) return;
    const inst = this.topo.procInstance[p];
    if (phase === HANDSHAKE) {
      // accepted when the loop takes the upgrade (docs/model.md "Handshake")
      this.backlog.accepted(p, start);
      const end = start + this.upgradeS;
      this.freeAtS[p] = end;
      this.usage.cpu(inst, start, this.upgradeS);
      this.opened(p, u, end);
    } else if ((state & CONTINUATION) !== 0) {
      // continuation after the awaits: driver work, then the response leaves
      const end = start + us[b + CONT_CPU_S];
      this.freeAtS[p] = end;
      // the handler's first part is accounted here too (it ran a round trip or so before)
      this.usage.cpu(inst, start, us[b + CONT_CPU_S] + this.cpuS[phase] + this.tlsMsgS);
      us[b + STATE] = state & ~CONTINUATION;
      this.respond(p, u, phase, end);
    } else if (this.holdsLoop) {
      // blocking: the loop is held for CPU and every round trip, wait and service
      const cpu = this.cpuS[phase];
      const end = this.db.chain(p, this.startOps(b, phase), phase === PREDICT ? u % this.pools : -1, a, start + cpu);
      this.freeAtS[p] = end;
      this.usage.cpu(inst, start, cpu + this.db.loopCpuS + this.tlsMsgS);
      this.respond(p, u, phase, end);
    } else {
      // async/batched: the loop runs the handler up to its first await, then is free
      const cpu = this.cpuS[phase];
      const end0 = start + cpu;
      this.freeAtS[p] = end0;
      const back = this.db.chain(p, this.startOps(b, phase), phase === PREDICT ? u % this.pools : -1, a, end0);
      us[b + CONT_CPU_S] = this.db.loopCpuS;
      // read again: startOps may have set PREDICTED
      us[b + STATE] = us[b + STATE] | CONTINUATION;
      us[b + DUE_S] = back;
      if (back <= this.endS) this.wheel.push(u, back);
    }
  }

  /** The upgrade is done at t: the client's socket opens one one-way later (or it has given up). */
  private opened(p: number, u: number, t: number): void {
    const ri = regionOf(this.us[u * STRIDE + STATE]);
    const topo = this.topo;
    const openS = t + this.net.oneWay(u, topo.regionHalfRttS[ri], topo.regionJitterS[ri], topo.regionLoss[ri], topo.regionFirstRtoS[ri]);
    const latencyS = openS - this.us[u * STRIDE + SENT_S];
    if (latencyS > this.hsTimeoutS) {
      this.giveUp(u, ri, this.us[u * STRIDE + SENT_S]);
      return;
    }
    if (openS > this.endS) {
      // killed with the handshake in flight
      this.setPhase(u, PENDING);
      return;
    }
    this.handshakeRec[ri].record(latencyS * 1000);
    this.connected[ri]++;
    this.usage.connect(topo.procInstance[p], openS);
    this.send(u, LIST_GAMES, openS);
  }

  /** The response leaves process p; the client receives it, records, thinks and sends the next. */
  private respond(p: number, u: number, phase: number, t: number): void {
    if (t > this.endS) return;
    this.handledRequests++;
    const ri = regionOf(this.us[u * STRIDE + STATE]);
    const topo = this.topo;
    const inst = topo.procInstance[p];
    this.usage.net(inst, t, this.reqIn[phase], this.reqOut[phase]);
    if (phase === JOIN_GAME) this.bcast.subscribe(p, u, t);
    else if (phase === PREDICT) this.usage.store(t);
    const recvS = t + this.net.oneWay(u, topo.regionHalfRttS[ri], topo.regionJitterS[ri], topo.regionLoss[ri], topo.regionRtoS[ri]);
    if (recvS > this.endS) return;
    this.requestRec[ri].record((recvS - this.us[u * STRIDE + SENT_S]) * 1000);
    let next: number;
    let sendS = recvS;
    if (phase === LIST_GAMES) {
      next = JOIN_GAME;
      sendS += this.think.uniform(u, this.firstThink[0], this.firstThink[1]);
    } else if (phase === JOIN_GAME) {
      next = LIST_POOLS;
    } else {
      next = PREDICT;
      sendS += this.think.uniform(u, this.predictThink[0], this.predictThink[1]);
    }
    this.send(u, next, sendS);
  }

  /**
   * Starts the handler of phase `phase` for the user at record b and returns its operations: a
   * user's first prediction finds its account key missing (a keyspace miss, counted here) and adds
   * the account step (params.opsFirstPredict); starting it marks the user PREDICTED in its state
   * word, so later ones do not.
   */
  private startOps(b: number, phase: number): OpCounts {
    const state = this.us[b + STATE];
    if (phase !== PREDICT || (state & PREDICTED) !== 0) return this.ops[phase];
    this.us[b + STATE] = state | PREDICTED;
    if (!this.accountStep) return this.ops[phase];
    this.db.redisMisses++;
    return this.opsFirst;
  }

  private setPhase(u: number, phase: number): void {
    const i = u * STRIDE + STATE;
    this.us[i] = (this.us[i] & ~PHASE_MASK) | phase;
  }

  /** User u sends a request of the given phase at sendS. */
  private send(u: number, phase: number, sendS: number): void {
    const b = u * STRIDE;
    const state = this.us[b + STATE];
    const ri = regionOf(state);
    const topo = this.topo;
    this.us[b + STATE] = (state & ~PHASE_MASK) | phase;
    this.us[b + SENT_S] = sendS;
    let at = sendS + this.net.oneWay(u, topo.regionHalfRttS[ri], topo.regionJitterS[ri], topo.regionLoss[ri], topo.regionRtoS[ri]);
    // a message released by the wheel runs up to one tick after its time
    if (at < this.kernel.now) at = this.kernel.now;
    if (at <= this.endS) {
      this.us[b + DUE_S] = at;
      this.wheel.push(u, at);
    }
  }
}
