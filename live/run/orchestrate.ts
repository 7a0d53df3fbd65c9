import type { Architecture, DbMode } from '../../model/architecture.ts';
import { UserError } from '../../model/errors.ts';
import type { NetworkName, RttMatrix } from '../../model/network.ts';
import type { Report } from '../../model/report.ts';
import { forkChild, waitGone, type Child } from '../children.ts';
import { deleteKeys, fetchHostMetrics, readCounters, type CounterReading, type HostSample } from './collect.ts';
import { directEndpoints, via, type DataEndpoints } from '../endpoints.ts';
import type { WindowCheck } from '../server/handlers.ts';
import type { ServerGroupConfig } from '../server/host.ts';
import { HOST_CONFIG_ENV, NICE_ENV, UNDER_TEST_NICE } from '../spawn.ts';
import { LOADGEN_DEFAULTS, type LoadgenOptions, type LoadgenResult } from '../loadgen/loadgen.ts';
import { startLoadgens } from '../loadgen/loadgenPool.ts';
import { defaultProcessCap, type ClientNetwork, planLive, processesToRun, splitUsers, type LivePlan } from './plan.ts';
import { startProxy, type LatencyProxy } from '../proxy/proxy.ts';
import { linksOf, startClientPaths } from './clientpaths.ts';
import { buildLiveReport, type ProxySample } from './report.ts';
import { resolveServices, type Services } from './services.ts';
import { checkIntegrity, type Integrity } from './integrity.ts';
import { settleServers } from './settle.ts';
import { LIVE_CLOCK } from '../server/protocol.ts';
import { ensureSchema } from '../server/store.ts';

/** Options of `sim live run`; durations in ms. */
export interface LiveRunOptions {
  arch: Architecture;
  users: number;
  durationMs: number;
  /** override of the architecture's driver mode */
  dbMode?: DbMode;
  /** override of the architecture's broadcast-window check */
  windowCheck?: WindowCheck;
  timeScale: number;
  rampPerSecond: number;
  seed: string;
  matrix?: RttMatrix;
  /** named network of the pairs the matrix does not have (default: the simulator's) */
  network?: NetworkName;
  /** jitter as a fraction of each one-way delay */
  jitterFraction: number;
  /** inject the Leighton loss as retransmission delay */
  loss: boolean;
  /** where the client paths' delays are made (plan.ts ClientNetwork; default proxy) */
  clientNetwork?: ClientNetwork;
  /** mean time between forced client disconnects, ms (null = none) */
  reconnectMeanMs: number | null;
  /** kill the server host at this time (ms into the run) and start it again */
  restartAtMs: number | null;
  /** at most this many processes per server group (default: this machine's cores) */
  maxProcessesPerGroup?: number;
  clientRegions?: readonly string[];
  redisUrl?: string;
  mysqlUrl?: string;
  /** MySQL database when MYSQL_URL does not name one */
  database?: string;
  /** start private Redis and MariaDB instances even when local servers answer */
  privateServices?: boolean;
  drainTimeoutMs?: number;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** called once everything is up, with the pids of every process the run started */
  onStarted?: (info: { pids: number[]; loadgenPid: number; hostPid: number; ports: number[] }) => void;
}

/** The Report, the raw generator result, the integrity check and the placement used. */
export interface LiveRunResult {
  report: Report;
  loadgen: LoadgenResult;
  integrity: Integrity;
  plan: LivePlan;
}

/** Time the server host gets to come up. */
const HOST_START_TIMEOUT_MS = 120_000;
/** A database connection pays the TCP handshake only. */
const DATA_SETUP_RTTS = 1;
/** Time between metric samples. */
const SAMPLE_MS = 1000;

/** Thrown when the run was interrupted (Ctrl-C); everything it started has been stopped. */
export class LiveRunAborted extends Error {
  constructor() {
    super('live run interrupted; every process and server it started was stopped');
    this.name = 'LiveRunAborted';
  }
}

/**
 * Runs the real system of an architecture on this machine: Redis and MySQL (existing or
 * private), latency proxies for the client and data paths, the server groups (a host process
 * with cluster workers), and a load generator process; samples metrics while it runs, tears
 * everything down (also on abort and on failure) and returns the Report.
 * @throws UserError LIVE_SERVICE when Redis/MySQL are missing; LiveRunAborted on abort.
 */
export async function runLive(o: LiveRunOptions): Promise<LiveRunResult> {
  // Long: one run from start to teardown, in order; every step adds to the children, proxies and samples that the finally block tears down.
  if (o.signal?.aborted) throw new LiveRunAborted();
  const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const keyPrefix = `simlive:${runId}:`;
  const mode: DbMode = o.dbMode ?? o.arch.dbMode;
  const windowCheck: WindowCheck = o.windowCheck ?? o.arch.broadcast.check;
  const windowMs = Math.round(o.arch.broadcast.windowS * 1000);
  const plan = planLive(o.arch, { matrix: o.matrix, network: o.network, jitterFraction: o.jitterFraction, loss: o.loss, clientRegions: o.clientRegions });
  const perRegion = splitUsers(o.users, plan.routes.map((r) => r.clientRegion));
  // disjoint user ids per run, so the run's stored predictions can be found again
  const userIdBase = 1_000_000 * (1 + Math.floor(Math.random() * 2000));

  const proxies: LatencyProxy[] = [];
  const children: Child[] = [];
  let services: Services | null = null;
  let sampler: NodeJS.Timeout | null = null;
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    for (const c of children) c.proc.send?.({ type: 'stop' });
  };
  o.signal?.addEventListener('abort', onAbort);
  const check = () => {
    if (aborted) throw new LiveRunAborted();
  };

  try {
    services = await resolveServices({ redisUrl: o.redisUrl, mysqlUrl: o.mysqlUrl, database: o.database ?? 'sim_live', forcePrivate: o.privateServices, log: o.log });
    const svc = services;
    // A MariaDB just started listens before it answers: on a busy machine its first handshake may
    // outlast the driver's 10 s connect timeout, so a timeout is tried again (three tries in all).
    for (let attempt = 1; ; attempt++) {
      try {
        await ensureSchema(svc.mysql);
        break;
      } catch (err) {
        if (attempt < 3 && (err as NodeJS.ErrnoException).code === 'ETIMEDOUT') continue;
        throw new UserError('LIVE_SERVICE', `MySQL at ${svc.mysql.host}:${svc.mysql.port} refused the schema (${(err as Error).message}); check MYSQL_URL user and rights`);
      }
    }
    check();

    // Data paths: one proxy per (group, remote node).
    const dataProxy = new Map<string, LatencyProxy>();
    const groups: ServerGroupConfig[] = [];
    for (const g of plan.groups) {
      const ep: DataEndpoints = directEndpoints(svc.redis, svc.mysql);
      for (const side of ['redisRead', 'redisWrite', 'mysqlRead', 'mysqlWrite'] as const) {
        const d = g.data[side];
        if (!d.path) continue;
        const isRedis = side.startsWith('redis');
        const key = `${g.id}|${isRedis ? 'redis' : 'mysql'}|${d.node}`;
        let p = dataProxy.get(key);
        if (!p) {
          const target = isRedis ? svc.redis : svc.mysql;
          p = await startProxy({ name: `server ${g.id} -> ${isRedis ? 'redis' : 'mysql'} ${d.node} (${d.region})`, targetHost: target.host, targetPort: target.port, ...linksOf(d.path), seed: `${o.seed}/${key}`, setupRtts: DATA_SETUP_RTTS });
          dataProxy.set(key, p);
          proxies.push(p);
        }
        (ep as unknown as Record<string, unknown>)[side] = via(isRedis ? svc.redis : svc.mysql, p.port);
      }
      const { processes, line } = processesToRun(g, mode, o.maxProcessesPerGroup, defaultProcessCap());
      if (line) o.log(line);
      groups.push({ group: g.id, region: g.region, host: '127.0.0.1', port: 0, processes, mode, windowCheck, windowMs, endpoints: ep, keyPrefix });
    }

    let hostAdminPort = 0;
    let hostGroups: { name: string; port: number }[] = [];
    let hostPids: number[] = [];
    let host: Child;
    const startHost = async (cfg: ServerGroupConfig[]): Promise<Child> => {
      const h = forkChild('server/hostMain.ts', { [HOST_CONFIG_ENV]: JSON.stringify(cfg), [NICE_ENV]: String(UNDER_TEST_NICE) });
      children.push(h);
      const ready = await h.waitFor<{ groups: { name: string; port: number }[]; adminPort: number; workerPids: number[] }>(['ready'], HOST_START_TIMEOUT_MS);
      hostAdminPort = ready.adminPort;
      hostGroups = ready.groups;
      hostPids = ready.workerPids;
      return h;
    };
    o.log(`starting ${groups.reduce((s, g) => s + g.processes, 0)} server processes in ${groups.length} group(s), mode ${mode}, window check ${windowCheck}, at nice ${UNDER_TEST_NICE} (generators and proxies first)`);
    host = await startHost(groups);
    check();
    const portOf = new Map(hostGroups.map((g) => [g.name, g.port]));

    // client paths in proxy processes or in the generators themselves
    const clientNetwork = o.clientNetwork ?? 'proxy';
    const { targets, hosts: clientHosts } = await startClientPaths(plan, perRegion, portOf, o.seed, clientNetwork);
    children.push(...clientHosts.children);
    proxies.push(...clientHosts.proxies);
    let clientBytes: ProxySample['clientBytes']; // counted by the generators when they make the client paths

    const before = await readCounters(svc.redis, svc.mysql);
    const t0 = performance.now();
    const hostSamples: HostSample[] = [];
    const proxySamples: ProxySample[] = [];
    let retiredHosts: HostSample[] = [];
    const sample = async () => {
      const m = await fetchHostMetrics(hostAdminPort);
      const tMs = performance.now() - t0;
      if (m) hostSamples.push({ tMs, metrics: m });
      proxySamples.push({
        tMs,
        client: clientHosts.proxies.map((p) => p.stats()),
        data: [...dataProxy.values()].map((p) => p.stats()),
        ...(clientBytes ? { clientBytes } : {}),
      });
    };
    sampler = setInterval(() => void sample(), SAMPLE_MS);

    const lgOpts: LoadgenOptions = {
      ...LOADGEN_DEFAULTS,
      targets,
      durationMs: o.durationMs, rampPerSecond: o.rampPerSecond, timeScale: o.timeScale, seed: o.seed, reconnectMeanMs: o.reconnectMeanMs,
      drainTimeoutMs: o.drainTimeoutMs ?? LOADGEN_DEFAULTS.drainTimeoutMs, collectIds: true, userIdBase,
    };
    let lastTickLog = 0;
    let atEnd: Promise<CounterReading> | null = null; // the counters at the clients' end (scheduled by the last tick, one a second, before it)
    const loadgens = startLoadgens(lgOpts, o.durationMs + (lgOpts.drainTimeoutMs) + 120_000, (t) => {
      if (t.bytes) clientBytes = { upBytes: t.bytes.up, downBytes: t.bytes.down };
      if (!atEnd && o.durationMs - t.elapsedMs <= 1500) {
        atEnd = new Promise((r) => setTimeout(r, Math.max(0, o.durationMs - t.elapsedMs))).then(() => readCounters(svc.redis, svc.mysql, hostAdminPort));
        // awaited after the drain, where a failure ends the run with its message; not an unhandled rejection before
        atEnd.catch(() => {});
      }
      if (t.elapsedMs - lastTickLog >= 10_000) {
        lastTickLog = t.elapsedMs;
        o.log(`t=${Math.round(t.elapsedMs / 1000)}s connected ${t.connected}, requests ${t.requests}, confirmed ${t.confirmed}, generator lag p99 ${t.loopP99Ms.toFixed(1)} ms`);
      }
    });
    children.push(...loadgens.children);
    const resultP = loadgens.result.then((result) => ({ result }));
    const proxyPorts = proxies.map((p) => p.port);
    const loadgenPids = loadgens.children.map((c) => c.proc.pid!);
    o.onStarted?.({ pids: [host.proc.pid!, ...hostPids, ...clientHosts.children.map((c) => c.proc.pid!), ...loadgenPids], loadgenPid: loadgenPids[0], hostPid: host.proc.pid!, ports: [...hostGroups.map((g) => g.port), hostAdminPort, ...proxyPorts] });
    if (loadgens.children.length > 1) o.log(`${loadgens.children.length} load-generator processes, ${clientNetwork === 'proxy' ? `${clientHosts.children.length} client proxy processes` : 'client paths emulated in the generators'}`);
    o.log(`running ${o.users} users for ${o.durationMs / 1000} s (time scale ${o.timeScale})`);

    let restartDone: Promise<void> = Promise.resolve();
    let restartError: Error | null = null;
    let restartTimer: NodeJS.Timeout | null = null;
    if (o.restartAtMs !== null) {
      restartTimer = setTimeout(() => {
        restartDone = (async () => {
          o.log('restarting the server host (SIGKILL, then start again on the same ports)');
          await sample();
          retiredHosts = [...retiredHosts, hostSamples[hostSamples.length - 1]].filter(Boolean);
          const oldPids = [host.proc.pid!, ...hostPids];
          host.proc.kill('SIGKILL');
          await waitGone(oldPids, 15_000);
          const fixed = groups.map((g) => ({ ...g, port: portOf.get(g.group)! }));
          host = await startHost(fixed);
          hostSamples.length = 0;
        })().catch((err: Error) => {
          restartError = err;
          // without servers the run cannot go on: stop the generator now
          loadgens.stop();
        });
      }, o.restartAtMs);
    }

    const { result } = await resultP;
    if (restartTimer) clearTimeout(restartTimer);
    await restartDone;
    if (restartError) throw new Error(`server restart failed: ${(restartError as Error).message}`);
    check();
    await clientHosts.refresh();
    await sample();
    clearInterval(sampler);
    sampler = null;
    const after = await (atEnd ?? readCounters(svc.redis, svc.mysql, hostAdminPort));
    // the books are read at rest: clients gone, every server done with its work, then stopped (settle.ts)
    const { quiet } = await settleServers({ clients: [...loadgens.children, ...clientHosts.children], host, adminPort: hostAdminPort, workerPids: hostPids, log: o.log, signal: o.signal });
    check();
    const integrity = await checkIntegrity(svc.mysql, svc.redis, keyPrefix, userIdBase, o.users, result.confirmedIds ?? [], result.abandonedIds ?? [], { serversQuiet: quiet });

    const report = buildLiveReport({
      arch: o.arch, plan, groups, users: o.users, durationMs: o.durationMs, seed: o.seed, mode, windowCheck, timeScale: o.timeScale,
      rampPerSecond: o.rampPerSecond, jitterFraction: o.jitterFraction, loss: o.loss, clientNetwork, loadgen: result,
      hostSamples, retiredHosts, proxySamples, counters: { before, after }, integrity, services: svc.started,
      restartAtMs: o.restartAtMs, reconnectMeanMs: o.reconnectMeanMs,
    });
    // which clock the broadcast latency's two ends read (protocol.ts)
    (report.extra!.live as Record<string, unknown>).clock = LIVE_CLOCK;
    delete result.confirmedIds;
    delete result.abandonedIds;
    return { report, loadgen: result, integrity, plan };
  } catch (err) {
    if (aborted) throw new LiveRunAborted();
    throw err;
  } finally {
    if (sampler) clearInterval(sampler);
    o.signal?.removeEventListener('abort', onAbort);
    // Teardown, in reverse: load generator, servers, proxies, the run's Redis keys, private services.
    for (const c of [...children].reverse()) await c.stop();
    await Promise.all(proxies.map((p) => p.close()));
    if (services) {
      await deleteKeys(services.redis, keyPrefix).catch(() => 0);
      await services.stop();
    }
  }
}

