import type { Report } from '../../model/report.ts';
import { usersPerRegion } from '../../model/workload.ts';
import { inputHash, runLargestFirst, type CellRunner, type ManyProgress } from '../many/index.ts';
import type { SharedLoad } from './capacity.ts';
import { hourlyCostOf } from './cost.ts';
import { buildArchitecture, isCentral, type Design } from './design.ts';
import { judge } from './evaluate.ts';
import { sliceInput } from './slice.ts';
import type { PlanSpec, RunRecord } from './types.ts';

/**
 * The state a plan search works on, and the one way it runs simulations. A search is a few
 * steps over one {@link Search} value: families.ts fills `families`, screen.ts narrows every
 * family's server counts (with pruning), confirm.ts runs the cheapest at full duration. Every
 * run goes through {@link runDesigns}, which caches Reports by input hash and numbers the runs.
 */

/**
 * Search state of one family (a layout × server type × driver mode × window). Per server group:
 * the count tried next (`cur`), the largest count known to fail (`lo`, 0 at first) and the
 * smallest known to pass (`hi`, null until one passes).
 */
export interface FamilyState {
  key: string;
  base: Omit<Design, 'counts'>;
  groups: string[];
  cur: Record<string, number>;
  lo: Record<string, number>;
  hi: Record<string, number | null>;
  /** per group, the worst violation ratio of the last doubling (to tell whether servers help) */
  prevWorst: Record<string, number>;
  steps: number;
  status: 'searching' | 'feasible' | 'infeasible';
  reason: string | null;
  last: RunRecord | null;
  passing: RunRecord | null;
  shared: SharedLoad;
}

/** A whole plan search: what it searches, how it runs cells, the runs so far, every family. */
export interface Search {
  spec: PlanSpec;
  runner: CellRunner;
  log: (line: string) => void;
  onProgress?: (p: ManyProgress) => void;
  /** Reports by input hash: a repeated input is not run again */
  cache: Map<string, Report>;
  runs: RunRecord[];
  cacheHits: number;
  /** users per client region at full load, and the regions that have users */
  full: Record<string, number>;
  clientRegions: string[];
  families: FamilyState[];
}

export function newSearch(spec: PlanSpec, runner: CellRunner, log: (line: string) => void, onProgress?: (p: ManyProgress) => void): Search {
  const full = usersPerRegion(spec.scenario.users, spec.scenario.regionMix);
  const clientRegions = Object.keys(full).filter((r) => full[r] > 0);
  return { spec, runner, log, onProgress, cache: new Map(), runs: [], cacheHits: 0, full, clientRegions, families: [] };
}

/** Hourly cost of a design, as the search ranks it ($/h). */
export function costOf(spec: PlanSpec, d: Design): number {
  return hourlyCostOf(buildArchitecture(d, 'cost'), spec.prices);
}

/** The design a family runs next: its base with `counts` (default: its current counts). */
export function designOf(s: FamilyState, counts: Record<string, number> = s.cur): Design {
  return { ...s.base, counts: { ...counts } };
}

/** What makes two designs the same hardware (drivers and window aside). */
export function hardwareKey(d: Design): string {
  return `${d.layout}/${d.serverType}/${JSON.stringify(d.counts)}/${JSON.stringify(d.shards ?? {})}`;
}

/** Client regions a server group serves: every region for a central layout, else its own. */
export function regionsOfGroup(spec: PlanSpec, s: FamilyState, group: string): string[] {
  return isCentral(s.base.layout) ? Object.keys(spec.scenario.regionMix) : [group];
}

/** Whether a run failed only on a global figure (every region passing on its own). */
export function globalOnlyMiss(rec: RunRecord): boolean {
  return !rec.verdict.pass && Object.values(rec.verdict.regionPass).every(Boolean);
}

/** Whether the regions a group serves meet the objective in a run (a global-only miss counts against every group). */
export function groupOk(spec: PlanSpec, s: FamilyState, g: string, rec: RunRecord): boolean {
  return rec.verdict.pass || (!globalOnlyMiss(rec) && regionsOfGroup(spec, s, g).every((r) => rec.verdict.regionPass[r] !== false));
}

/** One design to simulate, in a screening (short) or confirming (full-duration) run. */
export interface RunRequest {
  family: string;
  design: Design;
  phase: 'screen' | 'confirm';
}

/**
 * Simulates the designs (sliced to the phase's most users), all in one batch on the runner,
 * skipping inputs already run; records every request as a numbered run, in request order.
 */
export async function runDesigns(search: Search, items: readonly RunRequest[]): Promise<RunRecord[]> {
  const { spec } = search;
  const prepared = items.map((it) => {
    const scenario = it.phase === 'screen' ? { ...spec.scenario, durationS: Math.min(spec.scenario.durationS, spec.screen.steadyS) } : spec.scenario;
    const maxUsers = it.phase === 'screen' ? spec.screen.maxUsers : spec.confirm.maxUsers;
    const slice = sliceInput(it.design, scenario, spec.params, spec.seed, maxUsers, `plan-${it.design.layout}`);
    return { it, slice, hash: inputHash(slice.input) };
  });
  // a hash repeated within the batch runs once; its later requests count as reused
  const todo = prepared.filter((p, i) => !search.cache.has(p.hash) && prepared.findIndex((q) => q.hash === p.hash) === i);
  if (todo.length) {
    const texts = await runLargestFirst(search.runner, todo.map((p) => p.slice.input), search.onProgress);
    todo.forEach((p, i) => search.cache.set(p.hash, JSON.parse(texts[i]) as Report));
  }
  return prepared.map((p) => {
    const cached = !todo.includes(p);
    if (cached) search.cacheHits++;
    const report = search.cache.get(p.hash)!;
    const input = p.slice.input;
    const rec: RunRecord = {
      id: search.runs.length + 1,
      phase: p.it.phase,
      family: p.it.family,
      design: p.it.design,
      hash: p.hash,
      simulatedUsers: p.slice.simulatedUsers,
      scale: p.slice.scale,
      simulatedCounts: p.slice.counts,
      simulatedProcesses: p.slice.processes,
      simulatedS: input.scenario.users / input.scenario.rampPerS + input.scenario.durationS,
      costPerHour: costOf(spec, p.it.design),
      cached,
      verdict: judge(report, spec.slo, spec.minConnectedShare),
      report,
    };
    search.runs.push(rec);
    return rec;
  });
}
