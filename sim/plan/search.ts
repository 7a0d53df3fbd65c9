import type { CellRunner, ManyProgress } from '../many/index.ts';
import { confirm, outcomeOf } from './confirm.ts';
import { addFamilies } from './families.ts';
import { screen } from './screen.ts';
import { newSearch } from './state.ts';
import type { PlanResult, PlanSpec } from './types.ts';

export type { FamilyOutcome, PlanResult, PlanSpec, RunRecord } from './types.ts';
export { GUESS_USERS_PER_PROCESS } from './families.ts';
export { BISECTION_TOLERANCE, MAX_STEPS, NO_HELP_RATIO } from './screen.ts';
export { CONFIRM_ATTEMPTS } from './confirm.ts';

/**
 * The plan search (see docs/plan.md for the method), as steps over one explicit state
 * (state.ts): the candidate families with their capacity pre-check (families.ts), screening
 * with pruning (screen.ts), confirmation of the cheapest at full duration (confirm.ts).
 * Deterministic for a given spec: wall time decides only the order cells run in.
 */
export async function searchPlan(spec: PlanSpec, runner: CellRunner, log: (line: string) => void = () => {}, onProgress?: (p: ManyProgress) => void): Promise<PlanResult> {
  const search = newSearch(spec, runner, log, onProgress);
  addFamilies(search);
  await screen(search);
  const { confirmed, rejected } = await confirm(search);
  const families = search.families.map((s) => confirmed.find((c) => c.key === s.key) ?? rejected.get(s) ?? outcomeOf(search, s, null, null));
  return { spec, best: confirmed[0] ?? null, runnerUp: confirmed[1] ?? null, families, runs: search.runs, cacheHits: search.cacheHits };
}
