import { totalmem } from 'node:os';
import { UserError } from '../model/errors.ts';
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

/**
 * Most users one run holds: the population is put in connection order by sorting an array of
 * the users with a comparator, which V8 does through an array of at most 2^27 - 2 elements
 * (FixedArray::kMaxLength on 64-bit); beyond it the sort throws.
 */
export const MAX_USERS = 2 ** 27 - 2;

/**
 * Memory a run needs per user, in bytes, an upper bound: sim/runner allocates 94 per user (the
 * per-user state of 8 doubles, the population's connection order, region and process, the
 * broadcast subscriber lists), and the peak resident memory of `sim run --users 1e6` and `3e6`
 * (baseline, 1 s of load) grew by 68 bytes per user; the rest leaves room for the event queue.
 */
export const BYTES_PER_USER = 128;

/** Memory per instance and simulated minute: CPU, bytes in and out, connections opened (doubles). */
export const BYTES_PER_INSTANCE_MINUTE = 4 * 8;

/**
 * Refuses, before allocating anything, a run that cannot fit: more users than the arrays hold,
 * or more memory than the machine has (users, and instances × simulated minutes).
 * @throws UserError CONFIG_INVALID naming the flag, the value and the limit
 */
export function checkLimits(input: SimInput, memoryBytes = totalmem()): void {
  const { users, rampPerS, durationS } = input.scenario;
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  if (users > MAX_USERS) {
    throw new UserError('CONFIG_INVALID', `--users must be at most ${n(MAX_USERS)}, the most users one run's arrays hold (got ${n(users)}); simulate a slice of independent parts instead (sim plan does)`);
  }
  const rampS = users / rampPerS;
  const minutes = Math.ceil((rampS + durationS) / 60);
  const instances = input.arch.servers.reduce((s, g) => s + g.count, 0) + [...input.arch.redis, ...input.arch.mysql].filter((d) => d.instanceType).length;
  const userBytes = users * BYTES_PER_USER;
  const timeBytes = instances * minutes * BYTES_PER_INSTANCE_MINUTE;
  if (!(userBytes + timeBytes <= memoryBytes)) {
    const gb = (b: number) => (Number.isFinite(b) ? `${(b / 1e9).toPrecision(3)} GB` : 'unbounded memory');
    const have = `more than this machine's ${gb(memoryBytes)}`;
    if (userBytes >= timeBytes) {
      throw new UserError('CONFIG_INVALID', `--users ${n(users)} needs about ${gb(userBytes + timeBytes)} of memory (${BYTES_PER_USER} bytes per user), ${have}`);
    }
    const [flag, value] = durationS >= rampS ? ['--duration', `${n(durationS)} s`] : ['--ramp', `${rampPerS} per s (a ${n(rampS)} s ramp)`];
    throw new UserError('CONFIG_INVALID', `${flag} ${value} needs about ${gb(userBytes + timeBytes)} of memory (${BYTES_PER_INSTANCE_MINUTE} bytes per instance and simulated minute, ${n(instances)} instance${instances === 1 ? '' : 's'}, ${n(minutes)} minutes), ${have}`);
  }
}
