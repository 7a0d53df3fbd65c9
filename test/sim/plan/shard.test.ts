import { afterAll, describe, expect, it } from 'vitest';
import { hourlyCostOf } from '../../../sim/plan/cost.ts';
import { mergeParams } from '../../../model/params.ts';
import { poolRunner } from '../../../sim/many/pool.ts';
import { SHARED_NODE_MAX_UTILISATION, sharedLoad, shardsNeeded } from '../../../sim/plan/capacity.ts';
import { buildArchitecture, type Design } from '../../../sim/plan/design.ts';
import { formatPlan } from '../../../sim/plan/format.ts';
import { planSpecFromFlags, type PlanFlagValues } from '../../../sim/plan/options.ts';
import { searchPlan } from '../../../sim/plan/search.ts';
import { sliceInput } from '../../../sim/plan/slice.ts';

// A data tier made slow on purpose (a what-if: MySQL 40 ms per write, 10 ms per read), so
// that at a few thousand users one pair of masters per region cannot carry the load and the
// plan has to split regions into shards by user.
const slow = mergeParams({ mysqlWriteMs: 40, mysqlReadMs: 10 }, 'shard test params');
const flags: PlanFlagValues = {
  users: '6000', regions: 'uniform', slo: 'request.p98<500ms,broadcast.p98<1s', dbMode: 'batched',
  windows: '3', hub: 'eu-west-1', duration: '5m', screenDuration: '1m', screenUsers: '30000', confirmUsers: '200000',
  maxCount: '16', minConnected: '0.99', seed: '1', serverTypes: 'm3.xlarge', layouts: 'regional-sharded,regional-remote',
};
const spec = () => {
  const s = planSpecFromFlags(flags);
  return { ...s, params: slow, scenario: { ...s.scenario, regionMix: { 'eu-west-1': 0.75, 'us-east-1': 0.25 } } };
};

describe('sharded regions in the plan', () => {
  it('splits a region until each shard\'s masters are under the limit, and builds one group with its own masters per shard', () => {
    const s = spec();
    const base: Omit<Design, 'counts'> = { layout: 'regional-sharded', hub: 'eu-west-1', serverType: 'm3.xlarge', dbMode: 'batched', windowS: 3, redisType: s.redisType, mysqlType: 'db.r3.4xlarge', replicaType: s.replicaType };
    const shards = shardsNeeded(base, s.scenario, s.params);
    expect(shards['eu-west-1']).toBeGreaterThan(shards['us-east-1']);
    expect(shards['eu-west-1']).toBeGreaterThan(1);
    const d: Design = { ...base, shards, counts: { 'eu-west-1': 1, 'us-east-1': 1 } };
    expect(sharedLoad(d, s.scenario, s.params).mysqlUtilisation).toBeLessThanOrEqual(SHARED_NODE_MAX_UTILISATION);
    // one fewer shard in the busier region would be over the limit
    const fewer = { ...d, shards: { ...shards, 'eu-west-1': shards['eu-west-1'] - 1 } };
    expect(sharedLoad(fewer, s.scenario, s.params).mysqlUtilisation).toBeGreaterThan(SHARED_NODE_MAX_UTILISATION);
    const arch = buildArchitecture(d, 'shards');
    const total = shards['eu-west-1'] + shards['us-east-1'];
    expect(arch.servers).toHaveLength(total);
    expect(new Set(arch.servers.map((g) => g.mysql.write)).size).toBe(total);
    expect(new Set(arch.servers.map((g) => g.redis.write)).size).toBe(total);
    // the cost counts every shard; the simulation keeps one shard per region with its share of users
    expect(hourlyCostOf(arch, s.prices)).toBeGreaterThan(hourlyCostOf(buildArchitecture({ ...d, shards: undefined }, 'one'), s.prices) * (total / 2) * 0.95);
    const slice = sliceInput(d, s.scenario, s.params, 1, 30_000, 'slice');
    expect(slice.input.arch.servers).toHaveLength(2);
    expect(slice.simulatedUsers).toBe(Math.round(4500 / shards['eu-west-1'] + 1500 / shards['us-east-1']));
  });

  const pool = poolRunner(2);
  afterAll(() => pool.close());

  it('recommends a design with several shards per region where one master per region is over capacity', async () => {
    const result = await searchPlan(spec(), pool);
    const remote = result.families.find((f) => f.layout === 'regional-remote')!;
    expect(remote.reason).toMatch(/capacity pre-check/);
    expect(result.best?.layout).toBe('regional-sharded');
    expect(result.best?.confirmed).toBe(true);
    expect(result.best!.design!.shards!['eu-west-1']).toBeGreaterThan(1);
    const text = formatPlan(result, 1).replace(/\s+/g, ' '); // prose is wrapped: match across line ends
    expect(text).toMatch(/one shard per region \(of eu-west-1 \d+/);
    expect(text).toMatch(/simulated as ONE shard per region/);
    expect(text).toMatch(/aggregation the model does not charge for/);
  }, 120_000);
});
