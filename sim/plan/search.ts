import type { Report } from '../../model/report.ts';
import { usersPerRegion } from '../../model/workload.ts';
import { inputHash } from '../many/hash.ts';
import { runLargestFirst, type CellRunner, type ManyProgress } from '../many/runner.ts';
import { SHARED_NODE_MAX_UTILISATION, sharedLoad, sharedLoadProblem, shardsNeeded, type SharedLoad } from './capacity.ts';
import { hourlyCostOf } from './cost.ts';
import { buildArchitecture, familyKey, isCentral, processesFor, shardsOf, type Design } from './design.ts';
import { describe, judge, worstRatio } from './evaluate.ts';
import { sliceInput } from './slice.ts';
import type { FamilyOutcome, PlanResult, PlanSpec, RunRecord } from './types.ts';

export type { FamilyOutcome, PlanResult, PlanSpec, RunRecord } from './types.ts';

/** A first guess of users one server process carries (the bisection corrects it either way). */
export const GUESS_USERS_PER_PROCESS = 4000;
/** A failing group whose worst figure improved by less than this when its servers doubled is not helped by servers. */
export const NO_HELP_RATIO = 0.9;
/** Bisection stops when the passing count is within this share (or one instance) of the largest failing one. */
export const BISECTION_TOLERANCE = 0.03;
/** Confirmation attempts of one family (each adds ~25% servers to the groups that failed). */
export const CONFIRM_ATTEMPTS = 3;
/** Search steps of one family before it is given up. */
export const MAX_STEPS = 24;

/** Search state of one family. */
interface State {
  key: string;
  base: Omit<Design, 'counts'>;
  groups: string[];
  cur: Record<string, number>;
  lo: Record<string, number>;
  hi: Record<string, number | null>;
  prevWorst: Record<string, number>;
  steps: number;
  status: 'searching' | 'feasible' | 'infeasible';
  reason: string | null;
  last: RunRecord | null;
  passing: RunRecord | null;
  shared: SharedLoad;
}

function regionsOfGroup(st: State, group: string, spec: PlanSpec): string[] {
  return isCentral(st.base.layout) ? Object.keys(spec.scenario.regionMix) : [group];
}

/** The plan search: see docs/plan.md for the method. Deterministic for a given spec. */
export async function searchPlan(spec: PlanSpec, runner: CellRunner, log: (line: string) => void = () => {}, onProgress?: (p: ManyProgress) => void): Promise<PlanResult> {
  const cache = new Map<string, Report>();
  const runs: RunRecord[] = [];
  let cacheHits = 0;
  const costOf = (d: Design): number => hourlyCostOf(buildArchitecture(d, 'cost'), spec.prices);
  const full = usersPerRegion(spec.scenario.users, spec.scenario.regionMix);
  const clientRegions = Object.keys(full).filter((r) => full[r] > 0);

  async function runAll(items: { family: string; design: Design; phase: 'screen' | 'confirm' }[]): Promise<RunRecord[]> {
    const prepared = items.map((it) => {
      const scenario = it.phase === 'screen' ? { ...spec.scenario, durationS: Math.min(spec.scenario.durationS, spec.screen.steadyS) } : spec.scenario;
      const maxUsers = it.phase === 'screen' ? spec.screen.maxUsers : spec.confirm.maxUsers;
      const slice = sliceInput(it.design, scenario, spec.params, spec.seed, maxUsers, `plan-${it.design.layout}`);
      return { it, slice, hash: inputHash(slice.input) };
    });
    const todo = prepared.filter((p, i) => !cache.has(p.hash) && prepared.findIndex((q) => q.hash === p.hash) === i);
    if (todo.length) {
      const texts = await runLargestFirst(runner, todo.map((p) => p.slice.input), onProgress);
      todo.forEach((p, i) => cache.set(p.hash, JSON.parse(texts[i]) as Report));
    }
    return prepared.map((p) => {
      const cached = !todo.includes(p);
      if (cached) cacheHits++;
      const report = cache.get(p.hash)!;
      const rec: RunRecord = {
        id: runs.length + 1,
        phase: p.it.phase,
        family: p.it.family,
        design: p.it.design,
        hash: p.hash,
        simulatedUsers: p.slice.simulatedUsers,
        scale: p.slice.scale,
        simulatedCounts: p.slice.counts,
        simulatedProcesses: p.slice.processes,
        simulatedS: p.slice.input.scenario.users / p.slice.input.scenario.rampPerS + p.slice.input.scenario.durationS,
        costPerHour: costOf(p.it.design),
        cached,
        verdict: judge(report, spec.slo, spec.minConnectedShare),
        report,
      };
      runs.push(rec);
      return rec;
    });
  }

  /**
   * The data tier of a sharded family: for every RDS type, the fewest shards per region that
   * keep each shard's masters under the pre-check's limit; the type whose shards cost least
   * (each shard priced with one server instance, so fewer shards win ties) is kept. Regions
   * that one pair of masters carries keep one shard (the design is then the plain layout).
   */
  function shardedDataTier(base: Omit<Design, 'counts'>): Omit<Design, 'counts'> {
    let best: { d: Omit<Design, 'counts'>; cost: number; fits: boolean } | null = null;
    for (const mysqlType of spec.mysqlTypes) {
      const plain = { ...base, mysqlType, shards: undefined };
      const shards = shardsNeeded(plain, spec.scenario, spec.params);
      const d = { ...plain, shards: Object.values(shards).some((k) => k > 1) ? shards : undefined };
      const fits = sharedLoadProblem(sharedLoad({ ...d, counts: {} }, spec.scenario, spec.params), { ...d, counts: {} }) === null;
      const cost = costOf({ ...d, counts: Object.fromEntries(clientRegions.map((r) => [r, 1])) });
      if (!best || (fits && !best.fits) || (fits === best.fits && cost < best.cost)) best = { d, cost, fits };
    }
    return best!.d;
  }

  // 1. families, each with its capacity pre-check and a first guess of server counts
  const states: State[] = [];
  for (const layout of spec.layouts) {
    for (const serverType of spec.serverTypes) {
      for (const dbMode of spec.dbModes) {
        for (const windowS of spec.windowsS) {
          const groups = isCentral(layout) ? [spec.hub] : clientRegions;
          const procs = processesFor(serverType);
          const guess = (users: number): number => Math.min(spec.maxCount, Math.max(1, Math.ceil(users / (procs * GUESS_USERS_PER_PROCESS))));
          let base: Omit<Design, 'counts'> = { layout, hub: spec.hub, serverType, dbMode, windowS, redisType: spec.redisType, mysqlType: spec.mysqlTypes[spec.mysqlTypes.length - 1], replicaType: spec.replicaType };
          let reason: string | null = null;
          if (layout === 'regional-sharded') {
            base = shardedDataTier(base);
          } else if (layout !== 'central-colocated') {
            const fit = spec.mysqlTypes.find((t) => sharedLoad({ ...base, mysqlType: t, counts: {} }, spec.scenario, spec.params).mysqlUtilisation <= SHARED_NODE_MAX_UTILISATION);
            base = { ...base, mysqlType: fit ?? base.mysqlType };
          }
          // server instances per group (per shard when a region is split)
          const cur = Object.fromEntries(groups.map((g) => [g, guess(isCentral(layout) ? spec.scenario.users : full[g] / shardsOf(base, g))]));
          const shared = sharedLoad({ ...base, counts: cur }, spec.scenario, spec.params);
          reason = sharedLoadProblem(shared, { ...base, counts: cur });
          if (reason) reason = `capacity pre-check: ${reason}`;
          states.push({
            key: familyKey(base), base, groups, cur,
            lo: Object.fromEntries(groups.map((g) => [g, 0])),
            hi: Object.fromEntries(groups.map((g) => [g, null])),
            prevWorst: {},
            steps: 0,
            status: reason ? 'infeasible' : 'searching',
            reason,
            last: null,
            passing: null,
            shared,
          });
        }
      }
    }
  }
  log(`plan: ${states.length} candidate families, ${states.filter((s) => s.status === 'infeasible').length} ruled out by the capacity pre-check`);

  // 2. screening: per family, exponential then bisection search on each group's count, all families in one batch per step
  for (let round = 0; states.some((s) => s.status === 'searching'); round++) {
    prune();
    const active = states.filter((s) => s.status === 'searching');
    if (!active.length) break;
    // cores left idle by this round (a few families bisecting): probe each of those at two points, thirds instead of halves
    const spare = Number.isFinite(runner.slots) ? Math.max(0, runner.slots - active.length) : 0;
    const probed = active.filter((s) => s.groups.every((g) => s.hi[g] !== null && s.hi[g]! - s.lo[g] > 2)).slice(0, spare);
    const alt = new Map<State, Record<string, number>>();
    for (const s of probed) {
      const second: Record<string, number> = {};
      for (const g of s.groups) {
        const lo = s.lo[g];
        const width = s.hi[g]! - lo;
        s.cur[g] = lo + Math.max(1, Math.floor(width / 3));
        second[g] = Math.max(s.cur[g] + 1, lo + Math.ceil((2 * width) / 3));
      }
      alt.set(s, second);
    }
    const recs = await runAll([
      ...active.map((s) => ({ family: s.key, design: { ...s.base, counts: { ...s.cur } }, phase: 'screen' as const })),
      ...probed.map((s) => ({ family: s.key, design: { ...s.base, counts: { ...alt.get(s)! } }, phase: 'screen' as const })),
    ]);
    probed.forEach((s, i) => {
      // what the upper probe says narrows the interval before the lower probe takes its step
      const rec = recs[active.length + i];
      for (const g of s.groups) {
        if (groupOk(s, g, rec)) s.hi[g] = Math.min(s.hi[g]!, alt.get(s)![g]);
        else s.lo[g] = Math.max(s.lo[g], alt.get(s)![g]);
      }
      if (rec.verdict.pass) s.passing = rec;
    });
    active.forEach((s, i) => {
      step(s, recs[i]);
      // noise can make a larger count fail where a smaller one passed: keep the interval well-formed
      for (const g of s.groups) if (s.hi[g] !== null && s.lo[g] >= s.hi[g]!) s.lo[g] = s.hi[g]! - 1;
    });
    const searching = states.filter((s) => s.status === 'searching').length;
    log(`plan: screening round ${round + 1}: ${active.length} runs, ${searching} families still searching, ${states.filter((s) => s.status === 'feasible').length} feasible`);
  }

  /**
   * Stops families that cannot be among the two cheapest: their cheapest possible design (one
   * more server than the largest count known to fail, per group) already costs more than the
   * second cheapest design known to meet the objective (with different servers).
   */
  function prune(): void {
    const passing = states.filter((s) => s.passing).map((s) => ({ cost: s.passing!.costPerHour, hw: `${s.base.layout}/${s.base.serverType}/${JSON.stringify(s.passing!.design.counts)}/${JSON.stringify(s.base.shards ?? {})}` }))
      .sort((a, b) => a.cost - b.cost);
    const distinct = passing.filter((p, i) => passing.findIndex((q) => q.hw === p.hw) === i);
    if (distinct.length < 2) return;
    const bound = distinct[1].cost;
    for (const s of states) {
      if (s.status !== 'searching') continue;
      const least = Object.fromEntries(s.groups.map((g) => [g, Math.max(1, s.lo[g] + 1)]));
      const cost = costOf({ ...s.base, counts: least });
      if (cost > bound && s.passing) {
        // it meets the objective, only not among the two cheapest: keep its passing design
        s.cur = { ...s.passing.design.counts };
        s.status = 'feasible';
      } else if (cost > bound) {
        s.status = 'infeasible';
        s.reason = `costs more than two cheaper designs that meet the objective: it needs more than ${Object.entries(s.lo).filter(([, c]) => c > 0).map(([g, c]) => `${c} instance${c > 1 ? 's' : ''} in ${g}`).join(', ')} (at least $${cost.toFixed(3)}/h > $${bound.toFixed(3)}/h); last run: ${s.last ? s.last.verdict.violations.slice(0, 2).map(describe).join('; ') : 'none'}`;
      }
    }
  }

  /** Whether the regions a group serves meet the objective in a run (a global-only miss counts against every group). */
  function groupOk(s: State, g: string, rec: RunRecord): boolean {
    const globalOnly = !rec.verdict.pass && Object.values(rec.verdict.regionPass).every(Boolean);
    return rec.verdict.pass || (!globalOnly && regionsOfGroup(s, g, spec).every((r) => rec.verdict.regionPass[r] !== false));
  }

  function step(s: State, rec: RunRecord): void {
    s.last = rec;
    s.steps++;
    if (rec.verdict.pass) {
      s.passing = rec;
      for (const g of s.groups) s.hi[g] = s.cur[g];
    }
    const globalOnly = !rec.verdict.pass && Object.values(rec.verdict.regionPass).every(Boolean);
    let allDone = true;
    const next: Record<string, number> = {};
    for (const g of s.groups) {
      const regions = regionsOfGroup(s, g, spec);
      const ok = groupOk(s, g, rec);
      if (ok) s.hi[g] = s.hi[g] === null ? s.cur[g] : Math.min(s.hi[g]!, s.cur[g]);
      else s.lo[g] = Math.max(s.lo[g], s.cur[g]);
      const worst = Math.max(...regions.map((r) => worstRatio(rec.verdict.violations, r)), globalOnly ? worstRatio(rec.verdict.violations, 'global') : 0);
      const hi = s.hi[g];
      if (hi === null) {
        // no passing count yet: double, unless doubling did not help
        const prev = s.prevWorst[g];
        if (prev !== undefined && Number.isFinite(prev) && Number.isFinite(worst) && worst >= NO_HELP_RATIO * prev) {
          s.status = 'infeasible';
          s.reason = `more servers do not help: with ${s.cur[g]} instances in ${g}, still ${rec.verdict.violations.filter((v) => regions.includes(v.region) || v.region === 'global').slice(0, 3).map(describe).join('; ')}`;
          return;
        }
        s.prevWorst[g] = worst;
        if (s.cur[g] >= spec.maxCount) {
          s.status = 'infeasible';
          s.reason = `fails even with ${spec.maxCount} instances per group: ${rec.verdict.violations.slice(0, 3).map(describe).join('; ')}`;
          return;
        }
        next[g] = Math.min(spec.maxCount, s.cur[g] * 2);
        allDone = false;
      } else if (hi - s.lo[g] > Math.max(1, Math.ceil(hi * BISECTION_TOLERANCE))) {
        next[g] = Math.floor((hi + s.lo[g]) / 2);
        allDone = false;
      } else {
        next[g] = hi;
      }
    }
    if (allDone) {
      const sameAsRun = s.groups.every((g) => next[g] === s.cur[g]);
      if (sameAsRun && rec.verdict.pass) {
        s.status = 'feasible';
        return;
      }
      // the per-group answers came from different runs: check them together; if that fails, those groups go up again
      if (sameAsRun) {
        for (const g of s.groups) {
          const regions = regionsOfGroup(s, g, spec);
          if (globalOnly || regions.some((r) => rec.verdict.regionPass[r] === false)) {
            s.lo[g] = s.cur[g];
            s.hi[g] = null;
            next[g] = Math.min(spec.maxCount, Math.ceil(s.cur[g] * 1.25));
          }
        }
      }
    }
    if (s.steps >= MAX_STEPS) {
      s.status = 'infeasible';
      s.reason = `no stable server count within ${MAX_STEPS} steps (last: ${rec.verdict.violations.slice(0, 2).map(describe).join('; ')})`;
      return;
    }
    if (spec.budgetPerHour !== null) {
      const cost = costOf({ ...s.base, counts: next });
      if (cost > spec.budgetPerHour && s.groups.some((g) => next[g] > s.cur[g])) {
        s.status = 'infeasible';
        s.reason = `over budget: meeting the objective needs more than ${Object.entries(s.cur).map(([g, c]) => `${c} in ${g}`).join(', ')} (next step costs $${cost.toFixed(2)}/h > $${spec.budgetPerHour}/h); last run: ${rec.verdict.violations.slice(0, 2).map(describe).join('; ')}`;
        return;
      }
    }
    s.cur = next;
  }

  // 3. confirmation of the cheapest feasible designs at full duration, two at a time (best and runner-up)
  const outcome = (s: State, confirmed: boolean | null, run: RunRecord | null): FamilyOutcome => ({
    key: s.key, layout: s.base.layout, serverType: s.base.serverType, dbMode: s.base.dbMode, windowS: s.base.windowS,
    status: s.status === 'feasible' ? 'feasible' : 'infeasible',
    reason: s.reason,
    design: s.status === 'feasible' ? { ...s.base, counts: { ...s.cur } } : null,
    costPerHour: s.status === 'feasible' ? costOf({ ...s.base, counts: s.cur }) : null,
    run: run ?? s.passing ?? s.last,
    confirmed,
    shared: s.shared,
  });
  const queue = states.filter((s) => s.status === 'feasible').sort((a, b) => costOf({ ...a.base, counts: a.cur }) - costOf({ ...b.base, counts: b.cur }) || (a.key < b.key ? -1 : 1));
  const confirmed: FamilyOutcome[] = [];
  const rejected = new Map<State, FamilyOutcome>();
  const hardware = (d: Design): string => `${d.layout}/${d.serverType}/${JSON.stringify(d.counts)}/${JSON.stringify(d.shards ?? {})}`;
  while (confirmed.length < 2 && queue.length) {
    // confirm the next candidates whose hardware differs from what is already confirmed
    const batch: State[] = [];
    while (queue.length && batch.length < Math.max(1, 2 - confirmed.length)) {
      const s = queue.shift()!;
      const hw = hardware({ ...s.base, counts: s.cur });
      if (confirmed.some((c) => c.design && hardware(c.design) === hw)) {
        rejected.set(s, { ...outcome(s, null, null), reason: `same servers as ${confirmed.find((c) => c.design && hardware(c.design) === hw)!.key}; also meets the objective in screening` });
        continue;
      }
      batch.push(s);
    }
    if (!batch.length) break;
    for (let attempt = 1; batch.length; attempt++) {
      const recs = await runAll(batch.map((s) => ({ family: s.key, design: { ...s.base, counts: { ...s.cur } }, phase: 'confirm' as const })));
      log(`plan: confirming ${batch.length} design(s), attempt ${attempt}: ${recs.map((r) => (r.verdict.pass ? 'pass' : 'fail')).join(', ')}`);
      for (let i = batch.length - 1; i >= 0; i--) {
        const s = batch[i];
        const rec = recs[i];
        if (rec.verdict.pass) {
          confirmed.push(outcome(s, true, rec));
          batch.splice(i, 1);
        } else if (attempt >= CONFIRM_ATTEMPTS) {
          rejected.set(s, { ...outcome(s, false, rec), status: 'infeasible', reason: `passed screening but failed the confirming run ${CONFIRM_ATTEMPTS} times: ${rec.verdict.violations.slice(0, 3).map(describe).join('; ')}` });
          batch.splice(i, 1);
        } else {
          for (const g of s.groups) {
            const regions = regionsOfGroup(s, g, spec);
            if (regions.some((r) => rec.verdict.regionPass[r] === false) || Object.values(rec.verdict.regionPass).every(Boolean)) {
              s.cur[g] = Math.min(spec.maxCount, Math.max(s.cur[g] + 1, Math.ceil(s.cur[g] * 1.25)));
            }
          }
        }
      }
    }
    confirmed.sort((a, b) => a.costPerHour! - b.costPerHour! || (a.key < b.key ? -1 : 1));
  }
  const families = states.map((s) => confirmed.find((c) => c.key === s.key) ?? rejected.get(s) ?? outcome(s, null, null));
  return { spec, best: confirmed[0] ?? null, runnerUp: confirmed[1] ?? null, families, runs, cacheHits };
}

