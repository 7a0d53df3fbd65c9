import type { Architecture } from '../model/architecture.ts';
import type { Params } from '../model/params.ts';
import type { Report } from '../model/report.ts';
import type { Scenario } from '../model/workload.ts';

/** Everything one simulation run depends on. Same input, same Report, byte for byte. */
export interface SimInput {
  /** validated architecture; its dbMode is the one simulated (the CLI applies --db-mode to it) */
  arch: Architecture;
  scenario: Scenario;
  /** merged defaults and overrides (model/params.ts) */
  params: Params;
  seed: number;
}

/** Progress of a run, for stderr display. Wall-clock figures never enter the Report. */
export interface Progress {
  simTimeS: number;
  endTimeS: number;
  events: number;
}

export interface SimOptions {
  /** called every ~2^16 events or so, at most a few times per wall second */
  onProgress?: (p: Progress) => void;
}

export interface SimResult {
  report: Report;
  /**
   * discrete events handled: the kernel's events plus the messages the runner's timing wheel
   * released to the loops without a kernel event each (sim/runner/wheel.ts)
   */
  events: number;
}
