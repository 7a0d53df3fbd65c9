// Over 300 lines: one idea, a server process (startServerProcess, whose length is explained there), with its config and metrics types.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { DataEndpoints } from '../endpoints.ts';
import { Handlers, type DbMode, type WindowCheck } from './handlers.ts';
import { CLOSE_CODES, LIVE_LIMITS, type LiveLimits } from './limits.ts';
import { LiveProtocolError, errorResponse, parseRequest, type Request } from './protocol.ts';
import { preparedTextFrame, sendPrepared } from './frames.ts';
import { LoopDelayMonitor } from '../loopdelay.ts';
import { SerialQueue } from './queue.ts';
import { DependencyError, mysqlWarm, openStore, redisClient, redisReady, type Store } from './store.ts';

/** How long closing sockets get to finish their close handshake before they are cut. */
const CLOSE_GRACE_MS = 300;
/** Longest close() waits for the work already taken (queued and in flight) before it closes the stores. */
const CLOSE_DRAIN_MS = 10_000;

/** How often a failed request's cause is written to stderr at most (the client gets only a code). */
const FAILURE_LOG_INTERVAL_MS = 1000;

/** Configuration of one server process (all processes of a group share it). */
export interface ServerProcessConfig {
  /** server group name, e.g. "eu-west-1" */
  group: string;
  /** region the group stands for */
  region: string;
  host: string;
  port: number;
  mode: DbMode;
  windowCheck: WindowCheck;
  windowMs: number;
  endpoints: DataEndpoints;
  keyPrefix: string;
  limits?: Partial<LiveLimits>;
}

/** What one process measured since it started (counters cumulative; loop delay since last read). */
export interface ProcessMetrics {
  pid: number;
  group: string;
  region: string;
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** event-loop delay over the last interval, ms */
  loopDelayMeanMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  connections: number;
  connectionsTotal: number;
  handled: number;
  errors: number;
  predictionsStored: number;
  predictionsDuplicate: number;
  published: number;
  broadcastsSent: number;
  slowConsumers: number;
  rejectedConnections: number;
  queueDepth: number;
  queueMaxDepth: number;
  /** requests accepted and not yet answered, now and at most (batched: post-commit work included) */
  inFlight: number;
  inFlightMax: number;
  /** requests refused with LIVE_OVERLOADED (per-socket or per-process in-flight limit) */
  overloaded: number;
  /** requests answered LIVE_UNAVAILABLE because Redis or MySQL was away */
  unavailable: number;
  /** predictions merged into the totals from MySQL after a fault */
  reconciled: number;
  /** pools whose totals wait for a merge from MySQL (0 when the books are known to balance) */
  booksBehind: number;
  /** sockets in the broadcast member sets, over all channels */
  broadcastMembers: number;
}

/** A running server process: its port, its metrics, close(). */
export interface ServerProcess {
  port: number;
  metrics(): ProcessMetrics;
  close(): Promise<void>;
}

/** MySQL connections per pool: one for a synchronous driver (one query at a time), 16 otherwise. */
function mysqlConnectionsOf(mode: DbMode): number {
  return mode === 'blocking' ? 1 : 16;
}

/**
 * MySQL connections a process opens when it starts (the rest of its pool opens on demand): a
 * few, so that the first requests do not pay a connection's handshake round trips, while many
 * processes on one database server stay well under its connection limit (MariaDB's default 151).
 */
const MYSQL_WARM_CONNECTIONS = 4;

/**
 * Starts one WebSocket API server process: ws on an http server, Redis and MySQL through the
 * configured endpoints, a Redis subscriber for the broadcast channels. In a cluster worker the
 * listen is shared round-robin with the group's other processes. Throws if the port cannot be
 * bound; database failures after start become `error` responses, never a crash.
 */
export async function startServerProcess(cfg: ServerProcessConfig): Promise<ServerProcess> {
  // Long: one server process; its request path, fan-out, limits and metrics share the sockets, channels and counters held in this closure.
  const limits: LiveLimits = { ...LIVE_LIMITS, ...cfg.limits };
  const store: Store = openStore(cfg.endpoints, cfg.keyPrefix, mysqlConnectionsOf(cfg.mode), limits);
  const publisherId = `${cfg.group}/${process.pid}`;
  const handlers = new Handlers(store, { mode: cfg.mode, windowCheck: cfg.windowCheck, windowMs: cfg.windowMs, publisherId, reconcileIntervalMs: limits.reconcileIntervalMs });
  const queue = new SerialQueue(limits.maxInFlightPerProcess);
  const subscriber = redisClient(cfg.endpoints.redisRead, 'sim-live-sub', limits);
  /** open sockets per broadcast channel; a socket is added only while open, removed on close */
  const members = new Map<string, Set<WebSocket>>();
  const subscribed = new Map<string, Promise<unknown>>();
  /** per socket: its channels and its requests in flight */
  const sockets = new WeakMap<WebSocket, { channels: Set<string>; inFlight: number }>();
  const loop = new LoopDelayMonitor();
  const m = { connectionsTotal: 0, broadcastsSent: 0, slowConsumers: 0, rejectedConnections: 0, inFlight: 0, inFlightMax: 0, overloaded: 0, unavailable: 0 };
  let lastFailureLog = 0;

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes, perMessageDeflate: false });

  /**
   * Writes one message to one socket; `frame` is the same message prepared once for a fan-out
   * (frames.ts). False when nothing was sent (closed, or cut off as slow).
   */
  function send(ws: WebSocket, text: string, frame?: Buffer): boolean {
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (ws.bufferedAmount > limits.maxBufferedBytesPerSocket) {
      // A consumer that does not read would make us hold its messages forever: cut it off.
      m.slowConsumers++;
      ws.terminate();
      return false;
    }
    if (frame) sendPrepared(ws, frame, text);
    else ws.send(text);
    return true;
  }

  /** The broadcast fan-out: one update, framed once, to every open member of a channel, counting the sends made. */
  function fanOut(set: Set<WebSocket>, payload: string): void {
    const frame = preparedTextFrame(payload);
    for (const ws of set) if (send(ws, payload, frame)) m.broadcastsSent++;
  }

  subscriber.on('message', (channel: string, payload: string) => {
    const set = members.get(channel);
    if (set) fanOut(set, payload);
  });

  function subscribe(channel: string): Promise<unknown> {
    let p = subscribed.get(channel);
    if (!p) {
      p = subscriber.subscribe(channel).catch((err: unknown) => {
        subscribed.delete(channel);
        throw new DependencyError('redis', err);
      });
      subscribed.set(channel, p);
    }
    return p;
  }

  async function join(ws: WebSocket, gameId: number): Promise<void> {
    const channel = store.keys.channel(gameId);
    await subscribe(channel);
    // The socket may have closed while the join was under way: a dead socket is never a member.
    const state = sockets.get(ws);
    if (ws.readyState !== WebSocket.OPEN || !state) return;
    let set = members.get(channel);
    if (!set) members.set(channel, (set = new Set()));
    set.add(ws);
    state.channels.add(channel);
  }

  function failure(err: unknown, rid: string | number): LiveProtocolError {
    if (err instanceof LiveProtocolError) return err;
    // The details are not the client's business: they go to the server's log, the client gets a code.
    const now = Date.now();
    const log = now - lastFailureLog >= FAILURE_LOG_INTERVAL_MS;
    if (log) lastFailureLog = now;
    if (err instanceof DependencyError) {
      m.unavailable++;
      if (log) process.stderr.write(`sim live server ${publisherId}: ${err.dependency} unavailable: ${(err.cause as Error)?.message ?? String(err.cause)}\n`);
      return new LiveProtocolError('LIVE_UNAVAILABLE', `${err.dependency} is unavailable; retry later`, rid, err.dependency);
    }
    if (log) process.stderr.write(`sim live server ${publisherId}: request failed: ${(err as Error)?.message ?? String(err)}\n`);
    return new LiveProtocolError('LIVE_INTERNAL', 'internal error', rid);
  }

  async function serve(ws: WebSocket, req: Request): Promise<void> {
    try {
      const res = await handlers.handle(req);
      if (req.type === 'join_game') await join(ws, req.gameId);
      handlers.counters.handled++;
      send(ws, JSON.stringify(res));
    } catch (err) {
      handlers.counters.errors++;
      send(ws, errorResponse(failure(err, req.rid)));
    }
  }

  /** Runs a request holding a place in the socket's and the process's in-flight counts. */
  async function inFlight(ws: WebSocket, state: { inFlight: number }, req: Request): Promise<void> {
    try {
      await serve(ws, req);
    } finally {
      state.inFlight--;
      m.inFlight--;
    }
  }

  function onMessage(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    let req: Request;
    try {
      if (isBinary) throw new LiveProtocolError('LIVE_MALFORMED_JSON', 'binary frames are not accepted');
      req = parseRequest(data, limits.maxMessageBytes);
    } catch (err) {
      handlers.counters.errors++;
      send(ws, errorResponse(err instanceof LiveProtocolError ? err : new LiveProtocolError('LIVE_INTERNAL', 'internal error')));
      return;
    }
    const state = sockets.get(ws);
    if (!state) return;
    const overloaded = state.inFlight >= limits.maxInFlightPerSocket ? `this connection has ${state.inFlight} requests in flight (limit ${limits.maxInFlightPerSocket})`
      : m.inFlight + handlers.background >= limits.maxInFlightPerProcess ? `the server has ${m.inFlight + handlers.background} requests in flight (limit ${limits.maxInFlightPerProcess})` : null;
    if (overloaded) {
      m.overloaded++;
      handlers.counters.errors++;
      send(ws, errorResponse(new LiveProtocolError('LIVE_OVERLOADED', `${overloaded}; retry later`, req.rid)));
      return;
    }
    if (cfg.mode === 'blocking' && queue.depth >= limits.maxInFlightPerProcess) {
      // the queue also holds WebSocket upgrades
      m.overloaded++;
      handlers.counters.errors++;
      send(ws, errorResponse(new LiveProtocolError('LIVE_OVERLOADED', `the server queue holds ${queue.depth} tasks (limit ${limits.maxInFlightPerProcess}); retry later`, req.rid)));
      return;
    }
    state.inFlight++;
    if (++m.inFlight > m.inFlightMax) m.inFlightMax = m.inFlight;
    if (cfg.mode === 'blocking') queue.push(() => inFlight(ws, state, req));
    else void inFlight(ws, state, req);
  }

  function onConnection(ws: WebSocket): void {
    m.connectionsTotal++;
    sockets.set(ws, { channels: new Set(), inFlight: 0 });
    ws.on('message', (data, isBinary) => onMessage(ws, data as Buffer, isBinary));
    ws.on('error', () => {});
    ws.on('close', () => {
      const state = sockets.get(ws);
      if (!state) return;
      for (const ch of state.channels) {
        const set = members.get(ch);
        set?.delete(ws);
        if (set && !set.size) members.delete(ch);
      }
      state.channels.clear();
      sockets.delete(ws);
    });
  }

  function refuse(socket: Duplex): void {
    m.rejectedConnections++;
    socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  }

  function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    if (socket.destroyed) return;
    if (wss.clients.size >= limits.maxConnectionsPerProcess) return refuse(socket);
    wss.handleUpgrade(req, socket, head, (ws) => {
      onConnection(ws);
    });
  }

  const httpServer = http.createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only\n');
  });
  httpServer.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    // A blocked loop also delays handshakes: in blocking mode the upgrade waits its turn.
    if (cfg.mode === 'blocking') {
      if (!queue.push(async () => upgrade(req, socket, head))) refuse(socket);
    } else upgrade(req, socket, head);
  });
  httpServer.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen({ host: cfg.host, port: cfg.port }, () => resolve());
  });
  const addr = httpServer.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  // Serve once Redis answers (or after a bounded wait: until then requests get LIVE_UNAVAILABLE),
  // and bring the totals of this book in line with MySQL (a predecessor may have died mid-count).
  const pools = [...new Set([store.mysqlRead, store.mysqlWrite])];
  await Promise.all([
    redisReady(store.redisWrite, limits.dependencyConnectTimeoutMs), redisReady(subscriber, limits.dependencyConnectTimeoutMs),
    ...pools.map((pool) => mysqlWarm(pool, Math.min(MYSQL_WARM_CONNECTIONS, mysqlConnectionsOf(cfg.mode)), limits.dependencyConnectTimeoutMs)),
  ]);
  handlers.markBehind(null);

  let closed: Promise<void> | null = null;
  return {
    port,
    metrics(): ProcessMetrics {
      const cpu = process.cpuUsage();
      const mem = process.memoryUsage();
      const d = loop.take();
      const c = handlers.counters;
      return {
        pid: process.pid, group: cfg.group, region: cfg.region, cpuUserUs: cpu.user, cpuSystemUs: cpu.system,
        rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, loopDelayMeanMs: d.meanMs, loopDelayP99Ms: d.p99Ms, loopDelayMaxMs: d.maxMs,
        connections: wss.clients.size, connectionsTotal: m.connectionsTotal, handled: c.handled, errors: c.errors,
        predictionsStored: c.predictionsStored, predictionsDuplicate: c.predictionsDuplicate, published: c.published,
        broadcastsSent: m.broadcastsSent, slowConsumers: m.slowConsumers, rejectedConnections: m.rejectedConnections,
        queueDepth: queue.depth, queueMaxDepth: queue.maxDepth, inFlight: m.inFlight + handlers.background, inFlightMax: m.inFlightMax,
        overloaded: m.overloaded, unavailable: m.unavailable, reconciled: c.reconciled, booksBehind: handlers.behindCount,
        broadcastMembers: [...members.values()].reduce((n, set) => n + set.size, 0),
      };
    },
    close(): Promise<void> {
      closed ??= (async () => {
        loop.stop();
        handlers.close();
        for (const ws of wss.clients) ws.close(CLOSE_CODES.shuttingDown, 'server shutting down');
        const stopped = new Promise<void>((r) => httpServer.close(() => r()));
        await new Promise((r) => setTimeout(r, CLOSE_GRACE_MS));
        for (const ws of wss.clients) ws.terminate();
        httpServer.closeAllConnections();
        await stopped;
        wss.close();
        // the work already taken finishes before the stores close: a prediction a task stored is
        // also counted, and no task fails on a closed pool
        for (const until = Date.now() + CLOSE_DRAIN_MS; (queue.depth > 0 || m.inFlight + handlers.background > 0) && Date.now() < until;) {
          await new Promise((r) => setTimeout(r, 10));
        }
        await Promise.allSettled([subscriber.quit(), store.close()]);
      })();
      return closed;
    },
  };
}
