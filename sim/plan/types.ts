import type { DbMode } from '../../model/architecture.ts';
import type { Params } from '../../model/params.ts';
import type { PriceTable } from '../../model/prices.ts';
import type { Report } from '../../model/report.ts';
import type { Scenario } from '../../model/workload.ts';
import type { SharedLoad } from './capacity.ts';
import type { Design, Layout } from './design.ts';
import type { RunVerdict } from './evaluate.ts';
import type { SloTerm } from './slo.ts';

/**
 * The data of a plan: what to search (PlanSpec), each simulated run (RunRecord), each candidate
 * family's verdict (FamilyOutcome) and the whole answer (PlanResult). The search is search.ts.
 */

/** What to search and how hard. */
export interface PlanSpec {
  /** the full workload: users, region mix, ramp, duration of a confirming run */
  scenario: Scenario;
  params: Params;
  seed: number;
  slo: SloTerm[];
  minConnectedShare: number;
  budgetPerHour: number | null;
  hub: string;
  layouts: Layout[];
  serverTypes: string[];
  dbModes: DbMode[];
  windowsS: number[];
  redisType: string;
  /** RDS types for a dedicated MySQL master, cheapest first; the cheapest that carries the load is used */
  mysqlTypes: string[];
  replicaType: string;
  prices: PriceTable;
  /** screening runs: seconds of load after the ramp, and most simulated users (larger runs are sliced) */
  screen: { steadyS: number; maxUsers: number };
  /** confirming runs: the scenario's full duration, at most this many simulated users */
  confirm: { maxUsers: number };
  /** most server instances per group the search will try */
  maxCount: number;
}

export interface RunRecord {
  id: number;
  phase: 'screen' | 'confirm';
  family: string;
  design: Design;
  hash: string;
  /** users simulated and the factor to the full load (1: not sliced) */
  simulatedUsers: number;
  scale: number;
  simulatedCounts: Record<string, number>;
  /** simulated processes per instance, per group (fewer than the type's when a slice keeps part of an instance) */
  simulatedProcesses: Record<string, number>;
  simulatedS: number;
  costPerHour: number;
  cached: boolean;
  verdict: RunVerdict;
  report: Report;
}

export interface FamilyOutcome {
  key: string;
  layout: Layout;
  serverType: string;
  dbMode: DbMode;
  windowS: number;
  status: 'feasible' | 'infeasible';
  /** why no server count works (which region, which metric), or the capacity / budget limit */
  reason: string | null;
  /** the cheapest counts that passed screening, and their cost */
  design: Design | null;
  costPerHour: number | null;
  /** the run behind the verdict (passing run, or the last failing one) */
  run: RunRecord | null;
  confirmed: boolean | null;
  /** load of the masters at full scale (capacity pre-check) */
  shared: SharedLoad;
}

export interface PlanResult {
  spec: PlanSpec;
  best: FamilyOutcome | null;
  runnerUp: FamilyOutcome | null;
  families: FamilyOutcome[];
  runs: RunRecord[];
  cacheHits: number;
}
