import { pidAlive, waitGone, type Child } from '../children.ts';
import type { HostMetrics } from '../server/host.ts';
import type { ProcessMetrics } from '../server/server.ts';
import { fetchHostMetrics } from './collect.ts';

/** How often the host's metrics are read while its processes finish their work, ms. */
const POLL_MS = 250;
/** How often the wait says how much work is left, ms. */
const PROGRESS_LOG_MS = 10_000;
/**
 * Time the servers get to work off their queues once the generators are done, ms (in blocking mode
 * a queue of thousands of predictions can outlive the generators by minutes).
 */
export const SETTLE_TIMEOUT_MS = 300_000;
/** Time the server processes get to be gone once the host was told to stop, ms. */
const GONE_TIMEOUT_MS = 15_000;

/** How the servers were brought to rest before the books are read. */
export interface Settled {
  /** every server process was seen idle (nothing queued, in flight or waiting for a merge) before it was stopped */
  quiet: boolean;
  /** time spent waiting for that, ms */
  waitedMs: number;
}

export interface SettleOptions {
  /** load generators and client proxies: stopped first, so no request reaches a server any more */
  clients: Child[];
  /** the server host; stopped once its processes are idle (or at the timeout) */
  host: Child;
  adminPort: number;
  /** server process pids known from the host's start (the metrics add any replacement) */
  workerPids: number[];
  /** default SETTLE_TIMEOUT_MS */
  timeoutMs?: number;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** What must be zero in a process that does no more work. */
const busy = (p: ProcessMetrics): number => p.inFlight + p.queueDepth + p.booksBehind;
/** Counters that move whenever a process finishes a piece of work. */
const done = (p: ProcessMetrics): number => p.handled + p.errors + p.predictionsStored + p.predictionsDuplicate + p.reconciled;

/** The same processes as in `base`, idle in both, and no work finished in between. */
function sameRest(base: HostMetrics, cur: HostMetrics): boolean {
  if (base.restarts !== cur.restarts || base.processes.length !== cur.processes.length) return false;
  const before = new Map(base.processes.map((p) => [p.pid, p]));
  return cur.processes.every((p) => {
    const b = before.get(p.pid);
    return !!b && busy(b) === 0 && busy(p) === 0 && done(b) === done(p);
  });
}

/**
 * True when `cur` shows the host at rest since `base`: sameRest, and a new report from every
 * process since (a report is sent every metricsIntervalMs; a stale one says nothing about the time
 * since, and a report always differs from the one before in its CPU time or loop delay).
 */
export function restedSince(base: HostMetrics, cur: HostMetrics): boolean {
  const before = new Map(base.processes.map((p) => [p.pid, JSON.stringify(p)]));
  return sameRest(base, cur) && cur.processes.every((p) => before.get(p.pid) !== JSON.stringify(p));
}

/**
 * Brings a run's servers to rest before its books are read: stops the clients, waits until every
 * server process has worked off what it had accepted (in blocking mode a queue of thousands of
 * predictions can outlive the generators by minutes) and says so in two successive reports, then
 * stops the host and waits for its processes to be gone. At the timeout (or on abort) the host is
 * stopped all the same and `quiet` is false: work cut off then may leave a row uncounted.
 */
export async function settleServers(o: SettleOptions): Promise<Settled> {
  const t0 = performance.now();
  const timeoutMs = o.timeoutMs ?? SETTLE_TIMEOUT_MS;
  await Promise.all(o.clients.map((c) => c.stop()));
  const pids = new Set(o.workerPids);
  let base: HostMetrics | null = null;
  let quiet = false;
  let lastLog = t0;
  while (o.host.alive() && !o.signal?.aborted) {
    const m = await fetchHostMetrics(o.adminPort);
    if (m) for (const p of m.processes) pids.add(p.pid);
    // a process that has not reported yet (just started) is not known to be idle
    const unreported = m ? [...pids].filter((pid) => pidAlive(pid) && !m.processes.some((p) => p.pid === pid)) : [];
    if (!m || unreported.length || m.processes.some((p) => busy(p) > 0)) base = null;
    else if (base && restedSince(base, m)) {
      quiet = true;
      break;
    } else if (!base || !sameRest(base, m)) base = m;
    const now = performance.now();
    if (m && now - lastLog >= PROGRESS_LOG_MS) {
      lastLog = now;
      const sum = (f: (p: ProcessMetrics) => number) => m.processes.reduce((s, p) => s + f(p), 0);
      o.log(`waiting for the servers to finish their work before the books are read: ${sum((p) => p.queueDepth)} queued, ${sum((p) => p.inFlight)} in flight, ${sum((p) => p.booksBehind)} pools behind (${Math.round((now - t0) / 1000)} s)`);
    }
    if (performance.now() - t0 >= timeoutMs) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const waitedMs = performance.now() - t0;
  if (quiet && waitedMs >= PROGRESS_LOG_MS / 5) o.log(`the servers finished their work ${(waitedMs / 1000).toFixed(1)} s after the generators`);
  if (!quiet && !o.signal?.aborted) o.log(`warning: the servers were not idle after ${Math.round(waitedMs / 1000)} s; stopping them anyway (the books may show work cut off)`);
  await o.host.stop();
  const left = await waitGone([...pids], GONE_TIMEOUT_MS);
  if (left.length) o.log(`warning: server processes ${left.join(', ')} still exist after the host stopped`);
  return { quiet: quiet && !left.length, waitedMs };
}
