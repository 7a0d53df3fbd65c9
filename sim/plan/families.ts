import { SHARED_NODE_MAX_UTILISATION, sharedLoad, sharedLoadProblem, shardsNeeded } from './capacity.ts';
import { familyKey, isCentral, processesFor, shardsOf, type Design, type Layout } from './design.ts';
import { costOf, type FamilyState, type Search } from './state.ts';

/**
 * Step 1 of the plan search: the candidate families (layout × server type × driver mode ×
 * window), each with its data tier chosen, a first guess of server counts, and the capacity
 * pre-check that rules a family out without a run when its masters cannot carry the load.
 */

/** A first guess of users one server process carries (the bisection corrects it either way). */
export const GUESS_USERS_PER_PROCESS = 4000;

type Base = Omit<Design, 'counts'>;

/**
 * The data tier of a sharded family: for every RDS type, the fewest shards per region that
 * keep each shard's masters under the pre-check's limit; the type whose shards cost least
 * (each shard priced with one server instance, so fewer shards win ties) is kept. Regions
 * that one pair of masters carries keep one shard (the design is then the plain layout).
 */
function shardedDataTier(search: Search, base: Base): Base {
  const { spec } = search;
  let best: { d: Base; cost: number; fits: boolean } | null = null;
  for (const mysqlType of spec.mysqlTypes) {
    const plain = { ...base, mysqlType, shards: undefined };
    const shards = shardsNeeded(plain, spec.scenario, spec.params);
    const d = { ...plain, shards: Object.values(shards).some((k) => k > 1) ? shards : undefined };
    const fits = sharedLoadProblem(sharedLoad({ ...d, counts: {} }, spec.scenario, spec.params), { ...d, counts: {} }) === null;
    const cost = costOf(spec, { ...d, counts: Object.fromEntries(search.clientRegions.map((r) => [r, 1])) });
    if (!best || (fits && !best.fits) || (fits === best.fits && cost < best.cost)) best = { d, cost, fits };
  }
  return best!.d;
}

/** The data tier of a family: sharded as above; else the cheapest MySQL master that carries the load (the dearest when none does). */
function dataTier(search: Search, base: Base): Base {
  const { spec } = search;
  if (base.layout === 'regional-sharded') return shardedDataTier(search, base);
  if (base.layout === 'central-colocated') return base;
  const fit = spec.mysqlTypes.find((t) => sharedLoad({ ...base, mysqlType: t, counts: {} }, spec.scenario, spec.params).mysqlUtilisation <= SHARED_NODE_MAX_UTILISATION);
  return { ...base, mysqlType: fit ?? base.mysqlType };
}

function familyState(search: Search, layout: Layout, serverType: string, dbMode: Design['dbMode'], windowS: number): FamilyState {
  const { spec, full } = search;
  const groups = isCentral(layout) ? [spec.hub] : search.clientRegions;
  const procs = processesFor(serverType);
  const guess = (users: number): number => Math.min(spec.maxCount, Math.max(1, Math.ceil(users / (procs * GUESS_USERS_PER_PROCESS))));
  const base = dataTier(search, { layout, hub: spec.hub, serverType, dbMode, windowS, redisType: spec.redisType, mysqlType: spec.mysqlTypes[spec.mysqlTypes.length - 1], replicaType: spec.replicaType });
  // server instances per group (per shard when a region is split)
  const cur = Object.fromEntries(groups.map((g) => [g, guess(isCentral(layout) ? spec.scenario.users : full[g] / shardsOf(base, g))]));
  const shared = sharedLoad({ ...base, counts: cur }, spec.scenario, spec.params);
  const problem = sharedLoadProblem(shared, { ...base, counts: cur });
  const reason = problem ? `capacity pre-check: ${problem}` : null;
  return {
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
  };
}

/** Fills `search.families` with every candidate family, in the spec's order. */
export function addFamilies(search: Search): void {
  const { spec } = search;
  for (const layout of spec.layouts) {
    for (const serverType of spec.serverTypes) {
      for (const dbMode of spec.dbModes) {
        for (const windowS of spec.windowsS) search.families.push(familyState(search, layout, serverType, dbMode, windowS));
      }
    }
  }
  const ruledOut = search.families.filter((s) => s.status === 'infeasible').length;
  search.log(`plan: ${search.families.length} candidate families, ${ruledOut} ruled out by the capacity pre-check`);
}
