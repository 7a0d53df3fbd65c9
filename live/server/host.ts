import cluster, { type Worker } from 'node:cluster';
import http from 'node:http';
import net from 'node:net';
import type { ProcessMetrics, ServerProcessConfig } from './server.ts';
import { liveFile, tsLoaderArgs } from '../spawn.ts';
import { ensureSchema } from './store.ts';
import { WORKER_CONFIG_ENV } from '../spawn.ts';

/** A group of identical server processes sharing one port round-robin (node:cluster). */
export interface ServerGroupConfig extends ServerProcessConfig {
  /** processes in the group (the thesis ran cores/2 per machine) */
  processes: number;
}

/** Everything the host knows, as served on its admin port at GET /metrics. */
export interface HostMetrics {
  /** latest report of every live process */
  processes: ProcessMetrics[];
  /** counters of processes that have exited, summed (their work is not forgotten) */
  retired: { handled: number; errors: number; predictionsStored: number; predictionsDuplicate: number; published: number; broadcastsSent: number; slowConsumers: number; overloaded: number; unavailable: number; reconciled: number; cpuUs: number };
  restarts: number;
}

/** A running host: its groups and ports, admin port, metrics, worker pids, and close(). */
export interface ServerHost {
  groups: { name: string; region: string; port: number; processes: number }[];
  adminPort: number | null;
  metrics(): HostMetrics;
  /** pids of the live worker processes */
  workerPids(): number[];
  close(): Promise<void>;
}

/** Time a worker gets to start before the host gives up. */
const WORKER_START_TIMEOUT_MS = 30_000;
/** Time a worker gets to shut down before it is killed. */
const WORKER_STOP_TIMEOUT_MS = 5_000;

/** A port that is free right now on `host` (the kernel's choice). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host, port: 0 }, () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts server groups as cluster workers of this process: creates the schema once per MySQL
 * target, forks `processes` workers per group, restarts a worker that dies unexpectedly, and
 * serves the metrics on `adminPort` (0 = any free port, null = none). Rejects when a worker
 * fails to start (after stopping the others).
 */
export async function startServerHost(groups: ServerGroupConfig[], opts: { adminPort?: number | null } = {}): Promise<ServerHost> {
  // Long: one cluster primary; starting, replacing and retiring workers and the metrics endpoint share its worker maps and counters.
  if (!cluster.isPrimary) throw new Error('startServerHost must run in a primary process');
  const seen = new Set<string>();
  for (const g of groups) {
    const t = g.endpoints.mysqlWrite;
    const key = `${t.host}:${t.port}/${t.database}`;
    if (!seen.has(key)) {
      seen.add(key);
      await ensureSchema(t);
    }
  }
  cluster.setupPrimary({ exec: liveFile('server/worker.ts'), execArgv: tsLoaderArgs(), silent: false });

  const latest = new Map<number, ProcessMetrics>();
  const retired: HostMetrics['retired'] = { handled: 0, errors: 0, predictionsStored: 0, predictionsDuplicate: 0, published: 0, broadcastsSent: 0, slowConsumers: 0, overloaded: 0, unavailable: 0, reconciled: 0, cpuUs: 0 };
  const groupOf = new Map<Worker, ServerGroupConfig>();
  const ports = new Map<string, number>();
  let restarts = 0;
  let closing = false;

  function fork(g: ServerGroupConfig, port: number): Promise<Worker> {
    const cfg: ServerProcessConfig = { ...g, port };
    const w = cluster.fork({ [WORKER_CONFIG_ENV]: JSON.stringify(cfg) });
    groupOf.set(w, g);
    let ready = false;
    w.on('message', (msg: { type?: string; metrics?: ProcessMetrics }) => {
      if (msg?.type === 'metrics' && msg.metrics) latest.set(w.id, msg.metrics);
    });
    w.on('exit', () => {
      const last = latest.get(w.id);
      if (last) {
        retired.handled += last.handled; retired.errors += last.errors; retired.predictionsStored += last.predictionsStored;
        retired.predictionsDuplicate += last.predictionsDuplicate; retired.published += last.published; retired.broadcastsSent += last.broadcastsSent;
        retired.slowConsumers += last.slowConsumers; retired.overloaded += last.overloaded; retired.unavailable += last.unavailable; retired.reconciled += last.reconciled;
        retired.cpuUs += last.cpuUserUs + last.cpuSystemUs;
        latest.delete(w.id);
      }
      groupOf.delete(w);
      if (!closing && ready) {
        // A crashed process is replaced, as a supervisor would; its clients reconnect.
        restarts++;
        fork(g, ports.get(g.group) ?? port).catch(() => {});
      }
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server process of group ${g.group} did not start within ${WORKER_START_TIMEOUT_MS} ms`)), WORKER_START_TIMEOUT_MS);
      w.on('message', (msg: { type?: string; port?: number }) => {
        if (msg?.type === 'ready') {
          ready = true;
          clearTimeout(timer);
          if (msg.port) ports.set(g.group, msg.port);
          resolve(w);
        }
      });
      w.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server process of group ${g.group} exited with code ${code} while starting`));
      });
    });
  }

  async function stopAll(): Promise<void> {
    closing = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && groupOf.has(w));
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
      if (w.isDead()) return resolve();
      const kill = setTimeout(() => { w.process.kill('SIGKILL'); }, WORKER_STOP_TIMEOUT_MS);
      w.once('exit', () => { clearTimeout(kill); resolve(); });
      try {
        w.send({ type: 'shutdown' });
      } catch {
        w.process.kill('SIGKILL');
      }
    })));
  }

  try {
    for (const g of groups) {
      // Every process of a group must listen on the same explicit port to share its handle.
      const port = g.port === 0 ? await freePort(g.host) : g.port;
      ports.set(g.group, port);
      await Promise.all(Array.from({ length: g.processes }, () => fork(g, port)));
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  const metrics = (): HostMetrics => ({ processes: [...latest.values()], retired: { ...retired }, restarts });
  let admin: http.Server | null = null;
  let adminPort: number | null = null;
  if (opts.adminPort !== null && opts.adminPort !== undefined) {
    admin = http.createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metrics()));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => admin!.listen({ host: '127.0.0.1', port: opts.adminPort! }, () => r()));
    const a = admin.address();
    adminPort = typeof a === 'object' && a ? a.port : null;
  }
  let closed: Promise<void> | null = null;
  return {
    groups: groups.map((g) => ({ name: g.group, region: g.region, port: ports.get(g.group) ?? g.port, processes: g.processes })),
    adminPort,
    metrics,
    workerPids: () => [...groupOf.keys()].filter((w) => !w.isDead()).map((w) => w.process.pid!).filter(Boolean),
    close() {
      closed ??= (async () => {
        await stopAll();
        if (admin) await new Promise<void>((r) => admin!.close(() => r()));
      })();
      return closed;
    },
  };
}

