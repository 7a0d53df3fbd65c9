import { serverProcesses, type Architecture, type DataNode, type DbMode } from '../../model/architecture.ts';
import type { RttMatrix } from '../../model/network.ts';
import { mergeParams, type Params } from '../../model/params.ts';
import { liveHandlerOps, liveHandlerOpsBefore20261204, type HandlerOps } from '../../model/handler-ops.ts';
import { RAMP_S, THESIS_SCENARIO, sharedHostCores, type Scenario } from '../../model/workload.ts';
import type { MeasuredRun } from './measured.ts';

export { RAMP_S } from '../../model/workload.ts';

/**
 * What a live run (`sim live run`) records about how it ran, in its Report's `params`: the think
 * time divisor, the connection rate, the processes per server group, the driver mode and the
 * broadcast window check. Null for other reports.
 */
export interface LiveSettings {
  timeScale: number;
  rampPerS: number;
  processes: Record<string, number>;
  dbMode: DbMode | null;
  windowCheck: 'racy' | 'atomic' | null;
  /** round trips the run's client proxies held a handshake's first byte for (TCP and TLS, emulated) */
  setupRtts: number;
  /** cores of the machine every process of the run shared (`extra.live.machine.cores`); null when not recorded */
  hostCores: number | null;
}

export function liveSettings(run: MeasuredRun): LiveSettings | null {
  const p = run.report.params as Record<string, unknown> | null;
  if (run.report.kind !== 'live' || !p) return null;
  const num = (v: unknown, d: number) => (typeof v === 'number' && v > 0 ? v : d);
  const mode = p.dbMode === 'blocking' || p.dbMode === 'async' || p.dbMode === 'batched' ? p.dbMode : null;
  const check = p.windowCheck === 'racy' || p.windowCheck === 'atomic' ? p.windowCheck : null;
  const procs = p.processes && typeof p.processes === 'object' ? (p.processes as Record<string, number>) : {};
  // the proxies' setup round trips (plan.ts CLIENT_SETUP_RTTS): 3 since the first live runs, recorded since 2026-12-05
  const setupRtts = typeof p.clientSetupRtts === 'number' && Number.isInteger(p.clientSetupRtts) && p.clientSetupRtts >= 0 ? p.clientSetupRtts : 3;
  const machine = (run.report.extra as { live?: { machine?: { cores?: unknown } } } | null)?.live?.machine;
  const hostCores = typeof machine?.cores === 'number' && Number.isInteger(machine.cores) && machine.cores > 0 ? machine.cores : null;
  return { timeScale: num(p.timeScale, 1), rampPerS: num(p.rampPerSecond, THESIS_SCENARIO.rampPerS), processes: procs, dbMode: mode, windowCheck: check, setupRtts, hostCores };
}

/** Seconds the run's connection ramp lasted. */
export function rampSecondsOf(run: MeasuredRun): number {
  const users = Object.values(run.usersPerRegion).reduce((a, b) => a + b, 0);
  const live = liveSettings(run);
  return live ? users / live.rampPerS : RAMP_S;
}

/**
 * The workload a measured run ran: the benchmark scenario (SYSTEM.md §2) with the run's users per
 * region (launched connections: connected, failed and pending) and its real length: the
 * clients were killed `durationS` after the first launch (an imported run's `Time taken`), so
 * the simulated run ends there too, not at a nominal 200 s + 90 min; what is in flight then is
 * cut off as it was (handshakes pending, requests unanswered). A live run's own ramp rate and
 * think-time divisor are used. `loadS` replaces the load period: calibration may evaluate on a
 * shortened steady state and says so.
 */
export function workloadOf(run: MeasuredRun, loadS?: number): Scenario {
  const users = Object.values(run.usersPerRegion).reduce((a, b) => a + b, 0);
  const regionMix = Object.fromEntries(Object.entries(run.usersPerRegion).filter(([, n]) => n > 0).map(([r, n]) => [r, n / users]));
  const live = liveSettings(run);
  const rampS = rampSecondsOf(run);
  const measuredLoadS = Math.max(0, run.report.durationS - rampS);
  const k = live?.timeScale ?? 1;
  return {
    ...THESIS_SCENARIO,
    users,
    rampPerS: users / rampS,
    durationS: loadS ?? measuredLoadS,
    regionMix,
    firstThinkS: [THESIS_SCENARIO.firstThinkS[0] / k, THESIS_SCENARIO.firstThinkS[1] / k],
    predictThinkS: [THESIS_SCENARIO.predictThinkS[0] / k, THESIS_SCENARIO.predictThinkS[1] / k],
    // sim live's Node.js servers write their fan-outs on their loops (live/server/server.ts fanOut),
    // all of them on the one machine that ran the run
    ...(live ? { emulatedSetupRtts: live.setupRtts, fanOutOnLoop: true } : {}),
    ...(live?.hostCores ? { hostCores: live.hostCores } : {}),
  };
}

/**
 * The architecture as the measured run actually ran it: for a live run, its processes per
 * server group (the machine's cores cap them), driver mode and window check, and its data nodes
 * as `sim live` runs them: every Redis and MySQL node of the architecture is the one real server
 * of its store behind a proxy of its own (live/run/plan.ts, the Report's note), so nothing is
 * replicated: a replica's reads see the master's data at once, the replica does no apply work,
 * and pub/sub reaches each subscriber straight from that server through the subscriber's own
 * path (its read node's), with no master → replica hop. The nodes stay where they are, their
 * `replicaOf` goes.
 */
export function archAsRun(arch: Architecture, run: MeasuredRun): Architecture {
  const live = liveSettings(run);
  if (!live) return arch;
  const oneServer = (n: DataNode): DataNode => {
    if (n.replicaOf === undefined) return n;
    const { replicaOf: _, ...own } = n;
    return own;
  };
  return {
    ...arch,
    redis: arch.redis.map(oneServer),
    mysql: arch.mysql.map(oneServer),
    dbMode: live.dbMode ?? arch.dbMode,
    broadcast: { ...arch.broadcast, check: live.windowCheck ?? arch.broadcast.check },
    servers: arch.servers.map((g) => {
      const n = live.processes[g.id];
      if (!(n > 0)) return g;
      // the live group's processes share one port; spread them over the instances evenly
      return n % g.count === 0 ? { ...g, processesPerInstance: n / g.count } : { ...g, count: 1, processesPerInstance: n };
    }),
  };
}

/**
 * How a simulation of a live run places its server processes on the machine that ran it, in
 * words (for the progress log): sharing the recorded cores, a core each, or a core each because
 * the machine is not recorded. Null for other reports.
 */
export function liveMachineNote(run: MeasuredRun, arch: Architecture): string | null {
  const live = liveSettings(run);
  if (!live) return null;
  const n = serverProcesses(arch);
  const procs = `${n} server process${n === 1 ? '' : 'es'}`;
  if (live.hostCores === null) return `the machine of this live run is not recorded (extra.live.machine): ${procs}, a core each`;
  if (sharedHostCores({ hostCores: live.hostCores }, n) === null) return `${procs} on the run's machine of ${live.hostCores} cores: a core each`;
  return `${procs} sharing the run's machine's ${live.hostCores} cores (extra.live.machine)`;
}

/**
 * The database work of a live run's handlers (its Report's `params.handlerOps`, model/handler-ops.ts),
 * or, for a Report written before the live server recorded it, what that server issued then.
 * Null for other reports. Throws UserError naming the field for a malformed record.
 */
export function handlerOpsOf(run: MeasuredRun): HandlerOps | null {
  const live = liveSettings(run);
  if (!live) return null;
  const given = (run.report.params as Record<string, unknown>).handlerOps;
  const mode = live.dbMode ?? 'blocking';
  const check = live.windowCheck ?? 'racy';
  if (given === undefined) return liveHandlerOpsBefore20261204(mode, check);
  const p = mergeParams(given, `${run.spec} params.handlerOps`);
  // Reports written before 2026-12-06 do not record the first prediction's account step, which
  // the live server has always made: the table's for the run's driver mode
  const first = (given as Record<string, unknown>).opsFirstPredict === undefined ? liveHandlerOps(mode, check).opsFirstPredict : p.opsFirstPredict;
  return { opsListGames: p.opsListGames, opsJoinGame: p.opsJoinGame, opsListPools: p.opsListPools, opsPredict: p.opsPredict, opsFirstPredict: first, publishRedisOps: p.publishRedisOps };
}

/**
 * The network a live run's proxies injected, as the simulator's parameters: the RTT of every
 * client region → server group and server group → data node path the Report records
 * (`params.routes`, `params.dataPaths`: what the proxies added on loopback) as measured pairs,
 * before anything calibrated or named, and no packet loss when the run injected none (loopback
 * loses nothing). A simulation of a live run must see the paths that run had: the 2026-11-26
 * runs injected the distance prior, not the published table the simulator now takes for pairs
 * without a measurement. Other runs: the params unchanged.
 */
export function paramsAsRun(params: Params, run: MeasuredRun, arch: Architecture): Params {
  const p = run.report.params as Record<string, unknown> | null;
  if (run.report.kind !== 'live' || !p) return params;
  params = { ...params, ...handlerOpsOf(run) };
  const groupRegion = new Map(arch.servers.map((g) => [g.id, g.region]));
  const nodeRegion = new Map([...arch.redis, ...arch.mysql].map((n) => [n.id, n.region]));
  const injected: RttMatrix = {};
  const put = (a: string | undefined, b: string | undefined, ms: unknown) => {
    if (a === undefined || b === undefined || typeof ms !== 'number' || !(ms > 0)) return;
    (injected[a] ??= {})[b] = ms;
  };
  const routes = (p.routes ?? {}) as Record<string, { group?: string; rttMs?: number }>;
  for (const [client, r] of Object.entries(routes)) put(client, r.group === undefined ? undefined : groupRegion.get(r.group), r.rttMs);
  const paths = (p.dataPaths ?? {}) as Record<string, Record<string, { node?: string; rttMs?: number }>>;
  for (const [group, byUse] of Object.entries(paths)) {
    for (const d of Object.values(byUse)) put(groupRegion.get(group), d.node === undefined ? undefined : nodeRegion.get(d.node), d.rttMs);
  }
  if (Object.keys(injected).length === 0 && p.loss !== false) return params;
  const matrix: RttMatrix = structuredClone(params.rttMatrixMs ?? {});
  for (const [a, row] of Object.entries(injected)) {
    for (const [b, ms] of Object.entries(row)) {
      (matrix[a] ??= {})[b] = ms;
      if (matrix[b]?.[a] !== undefined) matrix[b][a] = ms;
    }
  }
  return { ...params, rttMatrixMs: matrix, ...(p.loss === false ? { lossFactor: 0, lossMatrix: null } : {}) };
}
