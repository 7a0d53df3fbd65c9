import { THESIS_SCENARIO, type Scenario } from '../../model/workload.ts';
import type { MeasuredRun } from './measured.ts';

/** Seconds the benchmark's connection ramp lasts at any size (24,000 users at 120/s), as `sim run` assumes. */
export const RAMP_S = THESIS_SCENARIO.users / THESIS_SCENARIO.rampPerS;

/**
 * The workload a measured run ran: the benchmark scenario (SYSTEM.md §2) with the run's users per
 * region and its length (the run's duration minus the ramp, to the second). `loadS` replaces the
 * load period: calibration evaluates on a shortened steady state and says so.
 */
export function workloadOf(run: MeasuredRun, loadS?: number): Scenario {
  const users = Object.values(run.usersPerRegion).reduce((a, b) => a + b, 0);
  const regionMix = Object.fromEntries(Object.entries(run.usersPerRegion).filter(([, n]) => n > 0).map(([r, n]) => [r, n / users]));
  const measuredLoadS = Math.max(1, Math.round(run.report.durationS - RAMP_S));
  return { ...THESIS_SCENARIO, users, rampPerS: users / RAMP_S, durationS: loadS ?? measuredLoadS, regionMix };
}
