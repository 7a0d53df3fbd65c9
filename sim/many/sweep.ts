import type { Architecture, DbMode } from '../../model/architecture.ts';
import type { Params } from '../../model/params.ts';
import type { Report } from '../../model/report.ts';
import type { Scenario } from '../../model/workload.ts';
import type { SimInput } from '../input.ts';
import { combineReplications } from './aggregate.ts';
import { RAMP_S } from './inputs.ts';
import { DEFAULT_KEEP_UP, keepUpVerdict, type KeepUpRule, type KeepUpVerdict } from './keepup.ts';
import { replicationInputs } from './replicate.ts';
import { runLargestFirst, type CellRunner, type ManyProgress } from './runner.ts';

/**
 * A sweep: the grid architectures × users × driver modes, each cell run `replications` times.
 * Every cell uses the same base seed (common random numbers: differences between cells come
 * from the cells, not from the draws).
 */
export interface SweepSpec {
  archs: Architecture[];
  users: number[];
  /** driver modes; null: each architecture's own */
  dbModes: DbMode[] | null;
  replications: number;
  /** the scenario every cell uses, `users` (and the ramp) replaced by the cell's */
  scenario: Scenario;
  /** connections per second; null: users / RAMP_S (the benchmark's ramp length at any load) */
  rampPerS: number | null;
  params: Params;
  seed: number;
}

export interface SweepCell {
  /** `<arch>-<dbMode>-<users>`, also the file name of the cell's Report */
  id: string;
  arch: string;
  dbMode: DbMode;
  users: number;
  input: SimInput;
}

/** The cells of a grid, in a stable order: architecture, driver mode, users ascending. */
export function sweepCells(spec: SweepSpec): SweepCell[] {
  const cells: SweepCell[] = [];
  const users = [...new Set(spec.users)].sort((a, b) => a - b);
  for (const arch of spec.archs) {
    for (const dbMode of spec.dbModes ?? [arch.dbMode]) {
      for (const u of users) {
        cells.push({
          id: `${arch.name}-${dbMode}-${u}`,
          arch: arch.name,
          dbMode,
          users: u,
          input: { arch: { ...arch, dbMode }, scenario: { ...spec.scenario, users: u, rampPerS: spec.rampPerS ?? u / RAMP_S }, params: spec.params, seed: spec.seed },
        });
      }
    }
  }
  return cells;
}

export interface CellResult {
  cell: Omit<SweepCell, 'input'>;
  report: Report;
  verdict: KeepUpVerdict;
}

/** Per architecture and driver mode: the largest load that keeps up and the first that does not. */
export interface Capacity {
  arch: string;
  dbMode: DbMode;
  /** largest users of the grid that keeps up with every smaller load also keeping up; null if none */
  keepsUpTo: number | null;
  /** smallest users of the grid that does not keep up; null if all do */
  stopsAt: number | null;
  /** why it stops at `stopsAt` */
  reasons: string[];
}

export interface SweepResult {
  cells: CellResult[];
  capacity: Capacity[];
  rule: KeepUpRule;
}

/**
 * Runs the grid on a runner: every replication of every cell is one job, all sent at once so
 * the runner keeps every core (or machine) busy; replications are then combined per cell.
 */
export async function runSweep(spec: SweepSpec, runner: CellRunner, onProgress?: (p: ManyProgress) => void, rule: KeepUpRule = DEFAULT_KEEP_UP): Promise<SweepResult> {
  const cells = sweepCells(spec);
  const perCell = cells.map((c) => replicationInputs(c.input, spec.replications));
  const texts = await runLargestFirst(runner, perCell.flat(), onProgress);
  const results: CellResult[] = cells.map((c, i) => {
    const mine = texts.slice(i * spec.replications, (i + 1) * spec.replications).map((t) => JSON.parse(t) as Report);
    const report = spec.replications === 1 ? mine[0] : combineReplications(mine, perCell[i].map((x) => x.seed));
    report.extra = { ...(report.extra ?? {}), sweepCell: { id: c.id, arch: c.arch, dbMode: c.dbMode, users: c.users } };
    const { input: _input, ...cell } = c;
    return { cell, report, verdict: keepUpVerdict(report, c.input.scenario, rule) };
  });
  return { cells: results, capacity: capacityOf(results), rule };
}

/** The load at which each architecture (and driver mode) stops keeping up. */
export function capacityOf(results: readonly CellResult[]): Capacity[] {
  const groups = new Map<string, CellResult[]>();
  for (const r of results) {
    const key = `${r.cell.arch}\u0000${r.cell.dbMode}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rs) => {
    const sorted = [...rs].sort((a, b) => a.cell.users - b.cell.users);
    const firstFail = sorted.find((r) => !r.verdict.keepsUp);
    const ok = sorted.filter((r) => r.verdict.keepsUp && (!firstFail || r.cell.users < firstFail.cell.users));
    return {
      arch: sorted[0].cell.arch,
      dbMode: sorted[0].cell.dbMode,
      keepsUpTo: ok.length ? ok[ok.length - 1].cell.users : null,
      stopsAt: firstFail ? firstFail.cell.users : null,
      reasons: firstFail ? firstFail.verdict.reasons : [],
    };
  });
}
