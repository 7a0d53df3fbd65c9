import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { DataEndpoints } from './endpoints.ts';
import { Handlers, type DbMode, type WindowCheck } from './handlers.ts';
import { CLOSE_CODES, LIVE_LIMITS, type LiveLimits } from './limits.ts';
import { LiveProtocolError, errorResponse, parseRequest, type Request } from './protocol.ts';
import { preparedTextFrame, sendPrepared } from './frames.ts';
import { LoopDelayMonitor } from './loopdelay.ts';
import { SerialQueue } from './queue.ts';
import { openStore, redisClient, type Store } from './store.ts';

/** How long closing sockets get to finish their close handshake before they are cut. */
const CLOSE_GRACE_MS = 300;

/** Configuration of one server process (all processes of a group share it). */
/** A running server process: its port, its metrics, close(). */
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
}

export interface ServerProcess {
  port: number;
  metrics(): ProcessMetrics;
  close(): Promise<void>;
}

/**
 * Starts one WebSocket API server process: ws on an http server, Redis and MySQL through the
 * configured endpoints, a Redis subscriber for the broadcast channels. In a cluster worker the
 * listen is shared round-robin with the group's other processes. Throws if the port cannot be
 * bound; database failures after start become `error` responses, never a crash.
 */
export async function startServerProcess(cfg: ServerProcessConfig): Promise<ServerProcess> {
  const limits: LiveLimits = { ...LIVE_LIMITS, ...cfg.limits };
  const store: Store = openStore(cfg.endpoints, cfg.keyPrefix, cfg.mode === 'blocking' ? 1 : 16);
  const publisherId = `${cfg.group}/${process.pid}`;
  const handlers = new Handlers(store, { mode: cfg.mode, windowCheck: cfg.windowCheck, windowMs: cfg.windowMs, publisherId, nowMs: () => performance.timeOrigin + performance.now() });
  const queue = new SerialQueue(limits.maxQueuedMessagesPerProcess);
  const subscriber = redisClient(cfg.endpoints.redisRead, 'sim-live-sub');
  const members = new Map<string, Set<WebSocket>>();
  const joined = new WeakMap<WebSocket, Set<string>>();
  const loop = new LoopDelayMonitor();
  const m = { connectionsTotal: 0, broadcastsSent: 0, slowConsumers: 0, rejectedConnections: 0 };

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes, perMessageDeflate: false });

  /** Sends `text`; `frame` is the same message prepared once for a fan-out (frames.ts). */
  function send(ws: WebSocket, text: string, frame?: Buffer): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > limits.maxBufferedBytesPerSocket) {
      // A consumer that does not read would make us hold its messages forever: cut it off.
      m.slowConsumers++;
      ws.terminate();
      return;
    }
    if (frame) sendPrepared(ws, frame, text);
    else ws.send(text);
  }

  subscriber.on('message', (channel: string, payload: string) => {
    const set = members.get(channel);
    if (!set) return;
    const frame = preparedTextFrame(payload);
    for (const ws of set) {
      send(ws, payload, frame);
      m.broadcastsSent++;
    }
  });

  async function join(ws: WebSocket, gameId: number): Promise<void> {
    const channel = store.keys.channel(gameId);
    let set = members.get(channel);
    if (!set) {
      set = new Set();
      members.set(channel, set);
      await subscriber.subscribe(channel);
    }
    set.add(ws);
    let mine = joined.get(ws);
    if (!mine) joined.set(ws, (mine = new Set()));
    mine.add(channel);
  }

  async function serve(ws: WebSocket, req: Request): Promise<void> {
    try {
      const res = await handlers.handle(req);
      if (req.type === 'join_game') await join(ws, req.gameId);
      handlers.counters.handled++;
      send(ws, JSON.stringify(res));
    } catch (err) {
      handlers.counters.errors++;
      const e = err instanceof LiveProtocolError ? err : new LiveProtocolError('LIVE_INTERNAL', `request failed: ${(err as Error)?.message ?? String(err)}`, req.rid);
      send(ws, errorResponse(e));
    }
  }

  function onMessage(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    let req: Request;
    try {
      if (isBinary) throw new LiveProtocolError('LIVE_MALFORMED_JSON', 'binary frames are not accepted');
      req = parseRequest(data, limits.maxMessageBytes);
    } catch (err) {
      handlers.counters.errors++;
      send(ws, errorResponse(err instanceof LiveProtocolError ? err : new LiveProtocolError('LIVE_INTERNAL', String(err))));
      return;
    }
    if (cfg.mode === 'blocking') {
      if (!queue.push(() => serve(ws, req))) send(ws, errorResponse(new LiveProtocolError('LIVE_OVERLOADED', 'server queue is full', req.rid)));
    } else void serve(ws, req);
  }

  function onConnection(ws: WebSocket): void {
    m.connectionsTotal++;
    ws.on('message', (data, isBinary) => onMessage(ws, data as Buffer, isBinary));
    ws.on('error', () => {});
    ws.on('close', () => {
      const mine = joined.get(ws);
      if (mine) for (const ch of mine) members.get(ch)?.delete(ws);
    });
  }

  function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    if (wss.clients.size >= limits.maxConnectionsPerProcess) {
      m.rejectedConnections++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
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
      if (!queue.push(async () => upgrade(req, socket, head))) socket.destroy();
    } else upgrade(req, socket, head);
  });
  httpServer.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen({ host: cfg.host, port: cfg.port }, () => resolve());
  });
  const addr = httpServer.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;

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
        queueDepth: queue.depth, queueMaxDepth: queue.maxDepth,
      };
    },
    close(): Promise<void> {
      closed ??= (async () => {
        loop.stop();
        for (const ws of wss.clients) ws.close(CLOSE_CODES.shuttingDown, 'server shutting down');
        const stopped = new Promise<void>((r) => httpServer.close(() => r()));
        await new Promise((r) => setTimeout(r, CLOSE_GRACE_MS));
        for (const ws of wss.clients) ws.terminate();
        httpServer.closeAllConnections();
        await stopped;
        wss.close();
        await Promise.allSettled([subscriber.quit(), store.close()]);
      })();
      return closed;
    },
  };
}
