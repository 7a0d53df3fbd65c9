import type { Architecture, DbMode } from '../../model/architecture.ts';
import { RAMP_S, THESIS_SCENARIO, type Scenario } from '../../model/workload.ts';
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
}

export function liveSettings(run: MeasuredRun): LiveSettings | null {
  const p = run.report.params as Record<string, unknown> | null;
  if (run.report.kind !== 'live' || !p) return null;
  const num = (v: unknown, d: number) => (typeof v === 'number' && v > 0 ? v : d);
  const mode = p.dbMode === 'blocking' || p.dbMode === 'async' || p.dbMode === 'batched' ? p.dbMode : null;
  const check = p.windowCheck === 'racy' || p.windowCheck === 'atomic' ? p.windowCheck : null;
  const procs = p.processes && typeof p.processes === 'object' ? (p.processes as Record<string, number>) : {};
  return { timeScale: num(p.timeScale, 1), rampPerS: num(p.rampPerSecond, THESIS_SCENARIO.rampPerS), processes: procs, dbMode: mode, windowCheck: check };
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
  };
}

/**
 * The architecture as the measured run actually ran it: for a live run, its processes per
 * server group (the machine's cores cap them), driver mode and window check.
 */
export function archAsRun(arch: Architecture, run: MeasuredRun): Architecture {
  const live = liveSettings(run);
  if (!live) return arch;
  return {
    ...arch,
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
