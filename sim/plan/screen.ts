import { describe, worstRatio } from './evaluate.ts';
import { costOf, designOf, globalOnlyMiss, groupOk, hardwareKey, regionsOfGroup, runDesigns, type FamilyState, type Search } from './state.ts';
import type { RunRecord } from './types.ts';

/**
 * Steps 2 and 3 of the plan search: screening (short runs) narrows every family's server count
 * per group, by doubling until the group's regions pass, then bisection between the largest
 * failing and the smallest passing count; pruning stops families that cannot be among the two
 * cheapest. All families' runs of a round go to the runner in one batch.
 */

/** A failing group whose worst figure improved by less than this when its servers doubled is not helped by servers. */
export const NO_HELP_RATIO = 0.9;
/** Bisection stops when the passing count is within this share (or one instance) of the largest failing one. */
export const BISECTION_TOLERANCE = 0.03;
/** Search steps of one family before it is given up. */
export const MAX_STEPS = 24;

const instances = (c: number): string => `${c} instance${c > 1 ? 's' : ''}`;
const worstOf = (rec: RunRecord, k: number): string => rec.verdict.violations.slice(0, k).map(describe).join('; ');

/**
 * Stops families that cannot be among the two cheapest: their cheapest possible design (one
 * more server than the largest count known to fail, per group) already costs more than the
 * second cheapest design known to meet the objective (with different servers).
 */
export function prune(search: Search): void {
  const { spec, families } = search;
  const passing = families.filter((s) => s.passing).map((s) => ({ cost: s.passing!.costPerHour, hw: hardwareKey(s.passing!.design) }))
    .sort((a, b) => a.cost - b.cost);
  const distinct = passing.filter((p, i) => passing.findIndex((q) => q.hw === p.hw) === i);
  if (distinct.length < 2) return;
  const bound = distinct[1].cost;
  for (const s of families) {
    if (s.status !== 'searching') continue;
    const least = Object.fromEntries(s.groups.map((g) => [g, Math.max(1, s.lo[g] + 1)]));
    const cost = costOf(spec, { ...s.base, counts: least });
    if (cost > bound && s.passing) {
      // it meets the objective, only not among the two cheapest: keep its passing design
      s.cur = { ...s.passing.design.counts };
      s.status = 'feasible';
    } else if (cost > bound) {
      s.status = 'infeasible';
      const needs = Object.entries(s.lo).filter(([, c]) => c > 0).map(([g, c]) => `${instances(c)} in ${g}`).join(', ');
      s.reason = `costs more than two cheaper designs that meet the objective: it needs more than ${needs} (at least $${cost.toFixed(3)}/h > $${bound.toFixed(3)}/h); last run: ${s.last ? worstOf(s.last, 2) : 'none'}`;
    }
  }
}

/** One group's next count after a run, and whether its search is done; null when the run rules the family out (status and reason set). */
function nextCount(search: Search, s: FamilyState, g: string, rec: RunRecord): { count: number; done: boolean } | null {
  const { spec } = search;
  const regions = regionsOfGroup(spec, s, g);
  if (groupOk(spec, s, g, rec)) s.hi[g] = s.hi[g] === null ? s.cur[g] : Math.min(s.hi[g]!, s.cur[g]);
  else s.lo[g] = Math.max(s.lo[g], s.cur[g]);
  const worst = Math.max(...regions.map((r) => worstRatio(rec.verdict.violations, r)), globalOnlyMiss(rec) ? worstRatio(rec.verdict.violations, 'global') : 0);
  const hi = s.hi[g];
  if (hi !== null) {
    if (hi - s.lo[g] > Math.max(1, Math.ceil(hi * BISECTION_TOLERANCE))) return { count: Math.floor((hi + s.lo[g]) / 2), done: false };
    return { count: hi, done: true };
  }
  // no passing count yet: double, unless doubling did not help
  const prev = s.prevWorst[g];
  if (prev !== undefined && Number.isFinite(prev) && Number.isFinite(worst) && worst >= NO_HELP_RATIO * prev) {
    s.status = 'infeasible';
    const here = rec.verdict.violations.filter((v) => regions.includes(v.region) || v.region === 'global').slice(0, 3).map(describe).join('; ');
    s.reason = `more servers do not help: with ${s.cur[g]} instances in ${g}, still ${here}`;
    return null;
  }
  s.prevWorst[g] = worst;
  if (s.cur[g] >= spec.maxCount) {
    s.status = 'infeasible';
    s.reason = `fails even with ${spec.maxCount} instances per group: ${worstOf(rec, 3)}`;
    return null;
  }
  return { count: Math.min(spec.maxCount, s.cur[g] * 2), done: false };
}

/**
 * Every group's search is done. When the counts are those just run and it passed, the family is
 * feasible (true). When they are those just run and it failed, the per-group answers came from
 * different runs and do not hold together: the failing groups search upwards again.
 */
function settle(search: Search, s: FamilyState, rec: RunRecord, next: Record<string, number>): boolean {
  const sameAsRun = s.groups.every((g) => next[g] === s.cur[g]);
  if (!sameAsRun) return false;
  if (rec.verdict.pass) {
    s.status = 'feasible';
    return true;
  }
  for (const g of s.groups) {
    if (globalOnlyMiss(rec) || regionsOfGroup(search.spec, s, g).some((r) => rec.verdict.regionPass[r] === false)) {
      s.lo[g] = s.cur[g];
      s.hi[g] = null;
      next[g] = Math.min(search.spec.maxCount, Math.ceil(s.cur[g] * 1.25));
    }
  }
  return false;
}

/** Why the family stops before its next counts (too many steps, over budget), or null. */
function stopReason(search: Search, s: FamilyState, rec: RunRecord, next: Record<string, number>): string | null {
  const { spec } = search;
  if (s.steps >= MAX_STEPS) return `no stable server count within ${MAX_STEPS} steps (last: ${worstOf(rec, 2)})`;
  if (spec.budgetPerHour === null) return null;
  const cost = costOf(spec, { ...s.base, counts: next });
  if (cost <= spec.budgetPerHour || !s.groups.some((g) => next[g] > s.cur[g])) return null;
  const counts = Object.entries(s.cur).map(([g, c]) => `${c} in ${g}`).join(', ');
  return `over budget: meeting the objective needs more than ${counts} (next step costs $${cost.toFixed(2)}/h > $${spec.budgetPerHour}/h); last run: ${worstOf(rec, 2)}`;
}

/** What a family learns from a run of its current counts: the interval of every group, and its next counts or its verdict. */
export function step(search: Search, s: FamilyState, rec: RunRecord): void {
  s.last = rec;
  s.steps++;
  if (rec.verdict.pass) {
    s.passing = rec;
    for (const g of s.groups) s.hi[g] = s.cur[g];
  }
  let allDone = true;
  const next: Record<string, number> = {};
  for (const g of s.groups) {
    const n = nextCount(search, s, g, rec);
    if (!n) return;
    next[g] = n.count;
    if (!n.done) allDone = false;
  }
  if (allDone && settle(search, s, rec, next)) return;
  const stop = stopReason(search, s, rec, next);
  if (stop) {
    s.status = 'infeasible';
    s.reason = stop;
    return;
  }
  s.cur = next;
}

/**
 * Cores a round would leave idle (a few families bisecting) go to a second probe: each such
 * family runs at two points, a third and two thirds into its interval, instead of the middle.
 * Sets the lower point as the family's current counts; returns the upper one per family.
 */
function probePoints(search: Search, active: FamilyState[]): Map<FamilyState, Record<string, number>> {
  const { runner } = search;
  const spare = Number.isFinite(runner.slots) ? Math.max(0, runner.slots - active.length) : 0;
  const probed = active.filter((s) => s.groups.every((g) => s.hi[g] !== null && s.hi[g]! - s.lo[g] > 2)).slice(0, spare);
  const upper = new Map<FamilyState, Record<string, number>>();
  for (const s of probed) {
    const second: Record<string, number> = {};
    for (const g of s.groups) {
      const lo = s.lo[g];
      const width = s.hi[g]! - lo;
      s.cur[g] = lo + Math.max(1, Math.floor(width / 3));
      second[g] = Math.max(s.cur[g] + 1, lo + Math.ceil((2 * width) / 3));
    }
    upper.set(s, second);
  }
  return upper;
}

/** One screening round: every searching family runs its current counts (and an upper probe where cores are spare). */
async function screenRound(search: Search, active: FamilyState[]): Promise<void> {
  const upper = probePoints(search, active);
  const probed = [...upper.keys()];
  const recs = await runDesigns(search, [
    ...active.map((s) => ({ family: s.key, design: designOf(s), phase: 'screen' as const })),
    ...probed.map((s) => ({ family: s.key, design: designOf(s, upper.get(s)!), phase: 'screen' as const })),
  ]);
  probed.forEach((s, i) => {
    // what the upper probe says narrows the interval before the lower probe takes its step
    const rec = recs[active.length + i];
    for (const g of s.groups) {
      if (groupOk(search.spec, s, g, rec)) s.hi[g] = Math.min(s.hi[g]!, upper.get(s)![g]);
      else s.lo[g] = Math.max(s.lo[g], upper.get(s)![g]);
    }
    if (rec.verdict.pass) s.passing = rec;
  });
  active.forEach((s, i) => {
    step(search, s, recs[i]);
    // noise can make a larger count fail where a smaller one passed: keep the interval well-formed
    for (const g of s.groups) if (s.hi[g] !== null && s.lo[g] >= s.hi[g]!) s.lo[g] = s.hi[g]! - 1;
  });
}

/** Screens until no family is searching: every family ends feasible (with its counts) or infeasible (with its reason). */
export async function screen(search: Search): Promise<void> {
  const { families } = search;
  for (let round = 0; families.some((s) => s.status === 'searching'); round++) {
    prune(search);
    const active = families.filter((s) => s.status === 'searching');
    if (!active.length) break;
    await screenRound(search, active);
    const searching = families.filter((s) => s.status === 'searching').length;
    const feasible = families.filter((s) => s.status === 'feasible').length;
    search.log(`plan: screening round ${round + 1}: ${active.length} runs, ${searching} families still searching, ${feasible} feasible`);
  }
}
