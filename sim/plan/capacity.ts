import type { DbMode } from '../../model/architecture.ts';
import { instanceType } from '../../model/instances.ts';
import type { Params } from '../../model/params.ts';
import type { Scenario } from '../../model/workload.ts';
import { shardsOf, type Design } from './design.ts';

/**
 * The capacity pre-check of the masters every server writes to (the Redis and MySQL in the
 * hub). A scaled-down simulation (slice.ts) sends them only a slice of the load, so for a
 * sliced run their load at full scale is computed here instead, from the same priors the
 * simulator uses: steady-state predictions per second (every user predicts once per mean
 * think time, with instant answers: an upper bound), the database operations of a prediction
 * handler (params.opsPredict, plus the batching check at the write node), and the service
 * times (params.redisCommandUs, redisRoundTripUs, mysqlReadMs, mysqlWriteMs, mysqlMaxCores).
 * Requests other than predictions (3 per user per run) and broadcasts (one per window) are
 * negligible at steady state and left out.
 */

/** A shared master busier than this at full scale fails the candidate. */
export const SHARED_NODE_MAX_UTILISATION = 0.9;

export interface SharedLoad {
  predictionsPerS: number;
  /** busy fraction of the single Redis thread of the master */
  redisUtilisation: number;
  /** busy fraction of the MySQL master's usable cores */
  mysqlUtilisation: number;
}

function redisServiceUs(ops: number, mode: DbMode, p: Params): number {
  if (ops <= 0) return 0;
  // batched: one pipeline per message; otherwise a round trip per command
  return mode === 'batched' ? ops * p.redisCommandUs + p.redisRoundTripUs : ops * (p.redisCommandUs + p.redisRoundTripUs);
}

/** Most shards the plan splits one region into. */
export const MAX_SHARDS_PER_REGION = 256;

/**
 * Load of the hub masters (for `regional-sharded`: of the busiest shard's masters, a region's
 * load divided by its shards) at the full scenario (not sliced).
 */
export function sharedLoad(d: Design, scenario: Scenario, p: Params): SharedLoad {
  const thinkS = (scenario.predictThinkS[0] + scenario.predictThinkS[1]) / 2;
  // sharded: each shard has its own masters and an equal part of its region's users; the busiest shard decides
  const share = d.layout === 'regional-sharded' ? Math.max(...Object.entries(scenario.regionMix).map(([r, w]) => w / shardsOf(d, r))) : 1;
  const predictionsPerS = (scenario.users * share) / thinkS;
  const redisReplicas = d.layout === 'regional-redis-replicas' || d.layout === 'regional-replicas';
  const mysqlReplicas = d.layout === 'regional-replicas';
  const ops = p.opsPredict;
  // reads served by local replicas do not reach the master (except the hub's own servers; a bound)
  const redisOps = ops.redisWrites + 1 + (redisReplicas ? 0 : ops.redisReads);
  const redisUtilisation = (predictionsPerS * redisServiceUs(redisOps, d.dbMode, p)) / 1e6;
  const mysqlMs = ops.mysqlWrites * p.mysqlWriteMs + (mysqlReplicas ? 0 : ops.mysqlReads * p.mysqlReadMs);
  const hostType = d.layout === 'central-colocated' ? d.serverType : d.mysqlType;
  const cores = Math.min(instanceType(hostType)!.vcpu, p.mysqlMaxCores);
  const mysqlUtilisation = (predictionsPerS * mysqlMs) / 1000 / cores;
  return { predictionsPerS, redisUtilisation, mysqlUtilisation };
}

/**
 * Shards per client region for `regional-sharded`: the fewest that keep each shard's Redis and
 * MySQL masters at most `limit` busy (the region's load split evenly over its shards), at most
 * MAX_SHARDS_PER_REGION (the result may then still be over the limit: the pre-check says so).
 */
export function shardsNeeded(d: Omit<Design, 'counts' | 'shards'>, scenario: Scenario, p: Params, limit = SHARED_NODE_MAX_UTILISATION): Record<string, number> {
  const shards: Record<string, number> = {};
  // utilisation is linear in the share of users: the load of the whole scenario on one pair of masters
  const whole = sharedLoad({ ...d, layout: 'central-dedicated', counts: {} }, scenario, p);
  const perUser = Math.max(whole.redisUtilisation, whole.mysqlUtilisation);
  for (const [r, w] of Object.entries(scenario.regionMix)) {
    if (w <= 0) continue;
    shards[r] = Math.min(MAX_SHARDS_PER_REGION, Math.max(1, Math.ceil((w * perUser) / limit - 1e-9)));
  }
  return shards;
}

/** Why the masters cannot carry the full load, or null when they can. */
export function sharedLoadProblem(load: SharedLoad, d: Design): string | null {
  const problems: string[] = [];
  const limit = SHARED_NODE_MAX_UTILISATION;
  const which = d.layout === 'regional-sharded' ? (Object.values(d.shards ?? {}).some((k) => k > 1) ? ' of the busiest shard' : ' of the busiest region') : '';
  if (load.redisUtilisation > limit) problems.push(`the Redis master${which} would be ${(load.redisUtilisation * 100).toFixed(0)}% busy (${Math.round(load.predictionsPerS).toLocaleString('en-US')} predictions/s; limit ${limit * 100}%)`);
  if (load.mysqlUtilisation > limit) {
    const on = d.layout === 'central-colocated' ? `co-located on ${d.serverType}` : d.mysqlType;
    problems.push(`the MySQL master${which} (${on}) would be ${(load.mysqlUtilisation * 100).toFixed(0)}% busy (limit ${limit * 100}%)`);
  }
  return problems.length ? problems.join('; ') : null;
}
