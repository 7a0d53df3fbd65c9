import { describe } from './evaluate.ts';
import { costOf, designOf, hardwareKey, regionsOfGroup, runDesigns, type FamilyState, type Search } from './state.ts';
import type { FamilyOutcome, RunRecord } from './types.ts';

/**
 * Step 4 of the plan search: the cheapest feasible designs run the full scenario duration, two
 * at a time (best and runner-up), until two with different servers pass. A design that fails
 * gets ~25% more servers in its failing groups, up to {@link CONFIRM_ATTEMPTS} attempts.
 */

/** Confirmation attempts of one family (each adds ~25% servers to the groups that failed). */
export const CONFIRM_ATTEMPTS = 3;

/** What confirmation decided: the designs that passed (cheapest first) and the families it set aside, with why. */
export interface Confirmation {
  confirmed: FamilyOutcome[];
  rejected: Map<FamilyState, FamilyOutcome>;
}

/** The verdict of a family as the plan reports it. */
export function outcomeOf(search: Search, s: FamilyState, confirmed: boolean | null, run: RunRecord | null): FamilyOutcome {
  const feasible = s.status === 'feasible';
  return {
    key: s.key, layout: s.base.layout, serverType: s.base.serverType, dbMode: s.base.dbMode, windowS: s.base.windowS,
    status: feasible ? 'feasible' : 'infeasible',
    reason: s.reason,
    design: feasible ? designOf(s) : null,
    costPerHour: feasible ? costOf(search.spec, designOf(s)) : null,
    run: run ?? s.passing ?? s.last,
    confirmed,
    shared: s.shared,
  };
}

/** The next candidates to confirm, skipping (and setting aside) those with the same servers as one already confirmed. */
function nextBatch(search: Search, queue: FamilyState[], c: Confirmation): FamilyState[] {
  const batch: FamilyState[] = [];
  while (queue.length && batch.length < Math.max(1, 2 - c.confirmed.length)) {
    const s = queue.shift()!;
    const hw = hardwareKey(designOf(s));
    const twin = c.confirmed.find((o) => o.design && hardwareKey(o.design) === hw);
    if (twin) {
      c.rejected.set(s, { ...outcomeOf(search, s, null, null), reason: `same servers as ${twin.key}; also meets the objective in screening` });
      continue;
    }
    batch.push(s);
  }
  return batch;
}

/** Confirming runs of a batch until each passes or has failed {@link CONFIRM_ATTEMPTS} times. */
async function confirmBatch(search: Search, batch: FamilyState[], c: Confirmation): Promise<void> {
  const { spec } = search;
  for (let attempt = 1; batch.length; attempt++) {
    const recs = await runDesigns(search, batch.map((s) => ({ family: s.key, design: designOf(s), phase: 'confirm' as const })));
    search.log(`plan: confirming ${batch.length} design(s), attempt ${attempt}: ${recs.map((r) => (r.verdict.pass ? 'pass' : 'fail')).join(', ')}`);
    for (let i = batch.length - 1; i >= 0; i--) {
      const s = batch[i];
      const rec = recs[i];
      if (rec.verdict.pass) {
        c.confirmed.push(outcomeOf(search, s, true, rec));
        batch.splice(i, 1);
      } else if (attempt >= CONFIRM_ATTEMPTS) {
        const worst = rec.verdict.violations.slice(0, 3).map(describe).join('; ');
        c.rejected.set(s, { ...outcomeOf(search, s, false, rec), status: 'infeasible', reason: `passed screening but failed the confirming run ${CONFIRM_ATTEMPTS} times: ${worst}` });
        batch.splice(i, 1);
      } else {
        const globalOnly = Object.values(rec.verdict.regionPass).every(Boolean);
        for (const g of s.groups) {
          if (globalOnly || regionsOfGroup(spec, s, g).some((r) => rec.verdict.regionPass[r] === false)) {
            s.cur[g] = Math.min(spec.maxCount, Math.max(s.cur[g] + 1, Math.ceil(s.cur[g] * 1.25)));
          }
        }
      }
    }
  }
}

/** Confirms the cheapest feasible families, best and runner-up. */
export async function confirm(search: Search): Promise<Confirmation> {
  const cost = (s: FamilyState): number => costOf(search.spec, designOf(s));
  const queue = search.families.filter((s) => s.status === 'feasible').sort((a, b) => cost(a) - cost(b) || (a.key < b.key ? -1 : 1));
  const c: Confirmation = { confirmed: [], rejected: new Map() };
  while (c.confirmed.length < 2 && queue.length) {
    const batch = nextBatch(search, queue, c);
    if (!batch.length) break;
    await confirmBatch(search, batch, c);
    c.confirmed.sort((a, b) => a.costPerHour! - b.costPerHour! || (a.key < b.key ? -1 : 1));
  }
  return c;
}
