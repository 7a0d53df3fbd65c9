import { Kernel } from '../sim/engine/kernel.ts';
import { Streams } from '../sim/engine/random.ts';
import { LatencyRecorder } from '../sim/engine/recorder.ts';

/**
 * The closed web-tier model used to compare simulators on this machine, written with our
 * kernel's API.
 *
 * N clients, K servers, one database. Each client loops: think Exp(mean thinkS); send to server
 * (client index mod K), one-way delay oneWayS; FIFO at the server: CPU Exp(mean cpuS), then a
 * blocking database call that holds the server: dbHopS to the database, FIFO service Exp(mean
 * dbS), dbHopS back; release; oneWayS back to the client, which records the response time (from
 * the send to the reply's arrival). Runs to horizonS; a request counts when its reply arrives by
 * then.
 *
 * Events per request: server arrival, database arrival, database done, server release. Pure
 * delays that change no state (the client's think and the wire, CPU then the hop to the database)
 * are folded into the time of the next event rather than scheduled on their own; the reply's
 * arrival at the client is computed at release (its time is known and nothing can delay it).
 */
export interface WebtierParams {
  clients: number;
  servers: number;
  thinkS: number;
  oneWayS: number;
  cpuS: number;
  dbHopS: number;
  dbS: number;
  horizonS: number;
  seed: number;
}

/** The parameters of the comparison (requests ~3.56 M, mean response ~0.1019 s). */
export const WEBTIER_DEFAULTS: Readonly<WebtierParams> = Object.freeze({
  clients: 10_000,
  servers: 16,
  thinkS: 10,
  oneWayS: 0.05,
  cpuS: 0.001,
  dbHopS: 0.00025,
  dbS: 0.0002,
  horizonS: 3600,
  seed: 1,
});

export interface WebtierResult {
  /** replies that reached their client by the horizon */
  requests: number;
  /** mean response time, seconds */
  meanResponseS: number;
  /** 99th percentile response time, seconds */
  p99ResponseS: number;
  /** events the kernel executed */
  events: number;
}

const NONE = -1;

/** Runs the model once and returns its figures. Deterministic for a given seed. */
export function runWebtier(p: WebtierParams = WEBTIER_DEFAULTS): WebtierResult {
  const { clients: n, servers: k, thinkS, oneWayS, cpuS, dbHopS, dbS, horizonS } = p;
  const streams = new Streams(p.seed);
  const think = streams.get('think');
  const cpu = streams.get('cpu');
  const db = streams.get('db');
  const kernel = new Kernel(n + 2 * k + 16);
  const responses = new LatencyRecorder();

  // perf: entities are typed arrays; the FIFO queues are intrusive linked lists through them.
  const sentAt = new Float64Array(n);
  const nextInQueue = new Int32Array(n).fill(NONE);
  const serverBusy = new Uint8Array(k);
  const serverHead = new Int32Array(k).fill(NONE);
  const serverTail = new Int32Array(k).fill(NONE);
  /** the client a server is serving */
  const serving = new Int32Array(k);
  const dbNext = new Int32Array(k).fill(NONE);
  let dbBusy = false;
  let dbHead = NONE;
  let dbTail = NONE;

  let requests = 0;

  // a server starts its client's CPU work; the hop to the database follows with no state change
  const startService = (server: number, client: number, now: number): void => {
    serverBusy[server] = 1;
    serving[server] = client;
    kernel.at(now + cpu.exp(cpuS) + dbHopS, dbArrive, server);
  };

  const serverArrive = kernel.on((client, now) => {
    const server = client % k;
    if (serverBusy[server] === 0) {
      startService(server, client, now);
    } else {
      if (serverTail[server] === NONE) serverHead[server] = client;
      else nextInQueue[serverTail[server]] = client;
      serverTail[server] = client;
    }
  });

  const dbArrive = kernel.on((server, now) => {
    if (!dbBusy) {
      dbBusy = true;
      kernel.at(now + db.exp(dbS), dbDone, server);
    } else {
      if (dbTail === NONE) dbHead = server;
      else dbNext[dbTail] = server;
      dbTail = server;
    }
  });

  const dbDone = kernel.on((server, now) => {
    kernel.at(now + dbHopS, release, server);
    if (dbHead === NONE) {
      dbBusy = false;
    } else {
      const next = dbHead;
      dbHead = dbNext[next];
      dbNext[next] = NONE;
      if (dbHead === NONE) dbTail = NONE;
      kernel.at(now + db.exp(dbS), dbDone, next);
    }
  });

  const release = kernel.on((server, now) => {
    const client = serving[server];
    const replyAt = now + oneWayS;
    if (replyAt <= horizonS) {
      requests++;
      responses.record((replyAt - sentAt[client]) * 1000);
    }
    // the client thinks, then sends again
    const sendAt = replyAt + think.exp(thinkS);
    sentAt[client] = sendAt;
    kernel.at(sendAt + oneWayS, serverArrive, client);
    const next = serverHead[server];
    if (next === NONE) {
      serverBusy[server] = 0;
    } else {
      serverHead[server] = nextInQueue[next];
      nextInQueue[next] = NONE;
      if (serverHead[server] === NONE) serverTail[server] = NONE;
      startService(server, next, now);
    }
  });

  for (let c = 0; c < n; c++) {
    const sendAt = think.exp(thinkS);
    sentAt[c] = sendAt;
    kernel.at(sendAt + oneWayS, serverArrive, c);
  }
  kernel.run(horizonS);
  const s = responses.summary();
  return {
    requests,
    meanResponseS: (s.mean ?? NaN) / 1000,
    p99ResponseS: (s.p99 ?? NaN) / 1000,
    events: kernel.executed,
  };
}
