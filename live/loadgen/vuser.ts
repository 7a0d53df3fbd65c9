// Over 300 lines: one idea, a virtual user; its connect, request, reconnect and receive steps share one connection's state.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { PathDelays, type ClientPathSpec, type PathStats } from './clientpath.ts';
import { recordMs, type Histogram } from './hdr.ts';
import { updatePublishedAt } from './updateFrame.ts';

/** What one client region records (shared by all its virtual users). */
export interface RegionRecorder {
  region: string;
  handshake: Histogram;
  /** request latency from the intended send time (corrected for coordinated omission) */
  request: Histogram;
  /** request latency from the actual send time (uncorrected) */
  requestRaw: Histogram;
  broadcast: Histogram;
  connected: number;
  failed: number;
  /** handshakes launched but neither open nor failed when the run ended (SYSTEM.md §2) */
  pending: number;
  reconnects: number;
  requests: number;
  errors: Record<string, number>;
  confirmed: number;
  confirmedDuplicate: number;
  abandoned: number;
  broadcastsReceived: number;
  /** request latency by completion time: bucket index → [count, sumMs, maxMs] */
  series: Map<number, [number, number, number]>;
}

/** The scenario knobs a virtual user follows (SYSTEM.md §2), already scaled. */
export interface UserScenario {
  gameId: number;
  poolId: number;
  outcomes: readonly string[];
  /** first think, before joining: uniform in [min, max] ms */
  thinkFirstMs: readonly [number, number];
  /** think between predictions: uniform in [min, max] ms */
  thinkLoopMs: readonly [number, number];
  /** mean time between forced disconnects (exponential), null = never */
  reconnectMeanMs: number | null;
  /** width of the latency time series buckets */
  seriesBucketMs: number;
  /**
   * connection attempts before a user that never connected counts as failed (the study's client:
   * 1, a socket error is a failure; there is no connect timeout)
   */
  maxConnectAttempts: number;
}

/** The shared clock and switches of a run. */
export interface RunControl {
  /** performance.now() at the start of the run */
  t0: number;
  /** performance.now() at the run's end: the clients are cut off then (t0 + the run's length) */
  endsAt: number;
  /** no new scenario steps; unconfirmed predictions still retry */
  stopping: boolean;
  /** give up everything now (drain deadline passed) */
  aborted: boolean;
  collectIds: boolean;
  confirmedIds: string[];
  abandonedIds: string[];
}

class ConnectionLost extends Error {}

interface Pending {
  /** `at`: when the answer reached the client (performance.now() ms) */
  resolve: (answer: { msg: Record<string, unknown>; at: number }) => void;
  reject: (err: Error) => void;
}

/** A client region's path emulated in the generator (clientpath.ts): shared by its users. */
export interface UserPath {
  spec: ClientPathSpec;
  rng: () => number;
  stats: PathStats;
}

const RECONNECT_BASE_MS = 100;
const RECONNECT_MAX_MS = 2000;

/**
 * One user of the benchmark: connects, lists games, thinks, joins the game and lists its pools,
 * then predicts after every confirmation and a think. A dropped connection is re-opened and the
 * game re-joined; an unconfirmed prediction is re-sent with the same id until confirmed, so the
 * server stores each exactly once.
 */
export class VirtualUser {
  private ws: WebSocket | null = null;
  private connecting: Promise<void> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextRid = 1;
  private joined = false;
  private everConnected = false;
  /** the first handshake has been launched */
  private launched = false;
  /** the first connection failed for good (socket errors on every attempt) */
  private gaveUp = false;
  /** the socket of a handshake in progress */
  private opening: WebSocket | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private dropTimer: NodeJS.Timeout | null = null;
  /** a prediction is out and not yet confirmed: it keeps retrying while the run drains */
  private hasUnconfirmed = false;
  /** the open connection's emulated path (null: none, or a proxy emulates it) */
  private delays: PathDelays | null = null;
  /** bytes sent and read by the sockets this user closed */
  private closedBytes = { up: 0, down: 0 };

  constructor(
    private readonly id: number,
    private readonly url: string,
    readonly region: RegionRecorder,
    private readonly sc: UserScenario,
    private readonly ctl: RunControl,
    private readonly rng: () => number,
    /** the region's path when the generator emulates it (the url is then the server's own) */
    private readonly path: UserPath | null = null,
  ) {}

  /** Runs the scenario from `startAtMs` (ms after t0) until the run stops. Never rejects. */
  async run(startAtMs: number): Promise<void> {
    try {
      let intended = await this.sleepUntil(this.ctl.t0 + startAtMs);
      if (this.ctl.stopping) return;
      if (!(await this.ensureConnected(intended))) return;
      await this.request({ type: 'list_games' }, performance.now());
      intended = await this.think(this.sc.thinkFirstMs);
      if (this.ctl.stopping) return;
      await this.request({ type: 'join_game', gameId: this.sc.gameId }, intended);
      this.joined = true;
      await this.request({ type: 'list_pools', gameId: this.sc.gameId }, performance.now());
      for (;;) {
        intended = await this.think(this.sc.thinkLoopMs);
        if (this.ctl.stopping) return;
        await this.predict(intended);
      }
    } catch (err) {
      if (!(err instanceof ConnectionLost)) this.region.errors.CLIENT_INTERNAL = (this.region.errors.CLIENT_INTERNAL ?? 0) + 1;
    }
  }

  /** Ends waiting (think, reconnect backoff) so `run` returns soon. */
  interrupt(): void {
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.sleepTimer = null;
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Closes the connection for good. */
  close(): void {
    if (this.dropTimer) clearTimeout(this.dropTimer);
    this.interrupt();
    this.ws?.terminate();
    this.ws = null;
    this.opening?.terminate();
    this.opening = null;
  }

  /**
   * True while the user's first handshake is launched but neither open nor failed: at the end of
   * the run such a user counts as pending, as a WebSocket-bench client killed mid-handshake.
   */
  handshakePending(): boolean {
    return this.launched && !this.everConnected && !this.gaveUp;
  }

  /** Bytes the user's sockets sent (up) and read (down), framing and handshakes included. */
  bytes(): { up: number; down: number } {
    const s = this.ws ? socketBytes(this.ws) : { up: 0, down: 0 };
    return { up: this.closedBytes.up + s.up, down: this.closedBytes.down + s.down };
  }

  /** Forces a disconnect now (as a network drop would). */
  drop(): void {
    this.ws?.terminate();
  }

  private uniform([a, b]: readonly [number, number]): number {
    return a + (b - a) * this.rng();
  }

  /** Sleeps a drawn think time; returns the intended wake-up time (performance.now() ms). */
  private think(range: readonly [number, number]): Promise<number> {
    if (this.ctl.stopping) return Promise.resolve(performance.now());
    return this.sleepUntil(performance.now() + this.uniform(range));
  }

  /**
   * Sleeps until `t` (performance.now() ms); resolves with the intended time, or with the wake-up
   * time when that is earlier (timers may fire a fraction of a ms early; an interrupt wakes early).
   */
  private sleepUntil(t: number): Promise<number> {
    return new Promise((resolve) => {
      const done = () => resolve(Math.min(t, performance.now()));
      if (this.ctl.aborted) return done();
      this.wake = done;
      this.sleepTimer = setTimeout(() => {
        this.sleepTimer = null;
        this.wake = null;
        done();
      }, Math.max(0, t - performance.now()));
    });
  }

  /**
   * Records a latency unless the run has ended: the study's clients were killed at the run's
   * length, so an answer or an update that arrives later (while unconfirmed predictions drain,
   * for the books) is not part of the result, as the simulator cuts off what is in flight then.
   * `at` is when it reached the client (performance.now() ms; on an emulated path, after its way
   * back): the end is checked against that, not against when the stop timer ran.
   */
  private record(h: Histogram, ms: number, at: number): void {
    if (!this.ctl.stopping && at <= this.ctl.endsAt) recordMs(h, ms);
  }

  /** Connects (with backoff) and re-joins the game; false when the user gave up or the run stopped. */
  private async ensureConnected(intended: number): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (this.ws && this.ws.readyState === WebSocket.OPEN) return true;
      if (this.ctl.aborted || (this.ctl.stopping && !this.hasUnconfirmed)) return false;
      if (!this.everConnected && attempt >= this.sc.maxConnectAttempts) {
        this.gaveUp = true;
        this.region.failed++;
        return false;
      }
      this.launched = true;
      try {
        await (this.connecting ??= this.open(attempt === 0 ? intended : performance.now()));
        if (this.joined) await this.request({ type: 'join_game', gameId: this.sc.gameId }, performance.now(), false);
        return true;
      } catch {
        this.connecting = null;
        // killed mid-handshake at the end of the run: pending, not failed
        if (this.ctl.aborted || (this.ctl.stopping && !this.everConnected)) return false;
        if (!this.everConnected && attempt + 1 >= this.sc.maxConnectAttempts) continue;
        await this.sleepUntil(performance.now() + Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** attempt) * (0.5 + this.rng()));
        if (this.ctl.aborted || (this.ctl.stopping && !this.hasUnconfirmed)) return false;
      }
    }
  }

  private async open(intended: number): Promise<void> {
    const delays = this.path ? new PathDelays(this.path.spec, this.path.rng, this.path.stats) : null;
    if (delays) {
      // the emulated path: the handshake's first byte leaves after the setup round trips and the way there
      await this.sleepUntil(delays.upDue(intended));
      if (this.ctl.aborted || (this.ctl.stopping && !this.everConnected)) throw new ConnectionLost('stopped before the handshake left');
    }
    return new Promise<void>((resolve, reject) => {
      // no handshake timeout: the study's client waited for as long as the run lasted
      const ws = new WebSocket(this.url, { perMessageDeflate: false });
      this.opening = ws;
      let opened = false;
      let closed = false;
      const onOpen = (at: number) => {
        if (closed) return;
        opened = true;
        this.opening = null;
        this.record(this.region.handshake, at - intended, at);
        if (this.everConnected) this.region.reconnects++;
        else this.region.connected++;
        this.everConnected = true;
        this.ws = ws;
        this.delays = delays;
        this.connecting = null;
        if (this.sc.reconnectMeanMs) {
          const after = -Math.log(1 - this.rng()) * this.sc.reconnectMeanMs;
          this.dropTimer = setTimeout(() => ws.terminate(), after);
        }
        resolve();
      };
      // with an emulated path the client sees the answer to its upgrade one way later
      ws.on('open', () => deliver(delays, onOpen));
      ws.on('message', (data) => this.onMessage(data as Buffer, delays));
      ws.on('error', () => {});
      ws.on('close', () => {
        closed = true;
        const b = socketBytes(ws);
        this.closedBytes.up += b.up;
        this.closedBytes.down += b.down;
        if (this.dropTimer) clearTimeout(this.dropTimer);
        this.dropTimer = null;
        if (this.ws === ws) {
          this.ws = null;
          this.delays = null;
        }
        const lost = new ConnectionLost('connection closed');
        for (const p of this.pending.values()) p.reject(lost);
        this.pending.clear();
        if (!opened) {
          if (this.opening === ws) this.opening = null;
          this.connecting = null;
          reject(lost);
        }
      });
    });
  }

  private onMessage(data: Buffer, delays: PathDelays | null): void {
    // publishedAt is the server's wall clock (Date.now()): read the receive time from the same clock,
    // plus the way to the client on an emulated path
    const readAt = performance.now();
    const at = delays ? delays.downDue(readAt) : readAt;
    const now = Date.now() + (at - readAt);
    const publishedAt = updatePublishedAt(data);
    if (publishedAt === publishedAt) {
      this.region.broadcastsReceived++;
      this.record(this.region.broadcast, now - publishedAt, at);
      return;
    }
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(data.toString('utf8'));
    } catch {
      this.region.errors.CLIENT_BAD_FRAME = (this.region.errors.CLIENT_BAD_FRAME ?? 0) + 1;
      return;
    }
    if (msg.type === 'pool_update') {
      this.region.broadcastsReceived++;
      this.record(this.region.broadcast, now - Number(msg.publishedAt), at);
      return;
    }
    const rid = Number(msg.rid);
    const p = this.pending.get(rid);
    if (!p) return;
    this.pending.delete(rid);
    if (at === readAt) p.resolve({ msg, at });
    else setTimeout(() => p.resolve({ msg, at }), at - readAt);
  }

  /**
   * Sends a request and waits for its answer, re-sending after a reconnect or a retryable
   * server error. Latency is recorded once, from `intended` (the moment the scenario wanted to
   * send: coordinated-omission corrected) and from the last actual send.
   */
  private async request(body: Record<string, unknown>, intended: number, reconnect = true): Promise<Record<string, unknown>> {
    for (let attempt = 0; ; attempt++) {
      if (this.ctl.aborted) throw new ConnectionLost('aborted');
      if (reconnect && !(await this.ensureConnected(performance.now()))) throw new ConnectionLost('gave up');
      const ws = this.ws;
      if (!ws) throw new ConnectionLost('not connected');
      const rid = this.nextRid++;
      const sentAt = performance.now();
      const answer = new Promise<{ msg: Record<string, unknown>; at: number }>((resolve, reject) => this.pending.set(rid, { resolve, reject }));
      this.region.requests++;
      const frame = JSON.stringify({ ...body, rid });
      const delays = this.delays;
      if (!delays) ws.send(frame);
      else {
        // the emulated path: the request reaches the server one way later (a connection lost meanwhile rejects `answer`)
        const wait = delays.upDue(sentAt) - sentAt;
        setTimeout(() => { if (ws.readyState === WebSocket.OPEN) ws.send(frame); }, wait);
      }
      let msg: Record<string, unknown>;
      let now: number;
      try {
        ({ msg, at: now } = await answer);
      } catch (err) {
        if (!reconnect) throw err;
        continue; // the connection dropped: reconnect and send again
      }
      if (msg.type === 'error') {
        const code = String(msg.code);
        this.region.errors[code] = (this.region.errors[code] ?? 0) + 1;
        if (code === 'LIVE_INTERNAL' || code === 'LIVE_OVERLOADED' || code === 'LIVE_UNAVAILABLE') {
          await this.sleepUntil(now + Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** attempt));
          if (this.ctl.stopping && !this.hasUnconfirmed) throw new ConnectionLost('stopped');
          continue;
        }
        return msg;
      }
      this.record(this.region.request, now - intended, now);
      this.record(this.region.requestRaw, now - sentAt, now);
      if (this.ctl.stopping) return msg;
      const bucket = Math.floor((now - this.ctl.t0) / this.sc.seriesBucketMs);
      const cell = this.region.series.get(bucket);
      const lat = now - intended;
      if (cell) {
        cell[0]++;
        cell[1] += lat;
        if (lat > cell[2]) cell[2] = lat;
      } else this.region.series.set(bucket, [1, lat, lat]);
      return msg;
    }
  }

  private async predict(intended: number): Promise<void> {
    const prediction = {
      id: randomUUID(), poolId: this.sc.poolId, outcome: this.sc.outcomes[Math.floor(this.rng() * this.sc.outcomes.length)],
      amount: 1 + Math.floor(this.rng() * 100), userId: this.id, placedAt: Date.now(),
    };
    this.hasUnconfirmed = true;
    try {
      const msg = await this.request({ type: 'place_prediction', prediction }, intended);
      if (msg.type === 'confirmed') {
        this.region.confirmed++;
        if (msg.duplicate) this.region.confirmedDuplicate++;
        if (this.ctl.collectIds) this.ctl.confirmedIds.push(prediction.id);
      }
    } catch (err) {
      this.region.abandoned++;
      if (this.ctl.collectIds) this.ctl.abandonedIds.push(prediction.id);
      throw err;
    } finally {
      this.hasUnconfirmed = false;
    }
  }
}

/**
 * Runs `handler` now, or, on an emulated path, when what just arrived reaches the client
 * (`delays.downDue`), passing the time it does (performance.now() ms).
 */
function deliver(delays: PathDelays | null, handler: (at: number) => void): void {
  const readAt = performance.now();
  if (!delays) return handler(readAt);
  const at = delays.downDue(readAt);
  setTimeout(() => handler(at), at - readAt);
}

/** Bytes a WebSocket's TCP socket has sent and read (0 before the upgrade gave it one). */
function socketBytes(ws: WebSocket): { up: number; down: number } {
  const s = (ws as unknown as { _socket?: { bytesWritten: number; bytesRead: number } })._socket;
  return { up: s?.bytesWritten ?? 0, down: s?.bytesRead ?? 0 };
}
