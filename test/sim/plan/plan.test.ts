import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../model/errors.ts';
import { TEXT_WIDTH } from '../../../sim/many/index.ts';
import { poolRunner } from '../../../sim/many/pool.ts';
import { formatPlan } from '../../../sim/plan/format.ts';
import { planSpecFromFlags, type PlanFlagValues } from '../../../sim/plan/options.ts';
import { searchPlan } from '../../../sim/plan/search.ts';

// The thesis question at 24,000 users (uniform mix). Shorter runs than the CLI defaults
// (2 min of screening load, 10 min confirming) and two server types keep the test fast.
const flags = (over: Partial<PlanFlagValues>): PlanFlagValues => ({
  users: '24000', regions: 'uniform', slo: 'request.p98<500ms,broadcast.p98<1s', dbMode: 'blocking',
  windows: '3', hub: 'eu-west-1', duration: '10m', screenDuration: '2m', screenUsers: '30000', confirmUsers: '200000',
  maxCount: '64', minConnected: '0.99', seed: '1', serverTypes: 'm3.xlarge,c3.8xlarge', ...over,
});

describe('sim plan at the thesis load', () => {
  const pool = poolRunner(2);
  afterAll(() => pool.close());
  // Both searches start at once on the one pool, so a search's single confirming runs leave no
  // thread idle; every run's Report depends on its own input alone (sim/many/runner.ts).
  let blockingSearch: ReturnType<typeof searchPlan>;
  let batchedSearch: ReturnType<typeof searchPlan>;
  beforeAll(() => {
    blockingSearch = searchPlan(planSpecFromFlags(flags({})), pool);
    batchedSearch = searchPlan(planSpecFromFlags(flags({ slo: 'handshake.p98<1s,request.p98<500ms,broadcast.p98<1s', dbMode: 'blocking,batched' })), pool);
    // each is awaited by its own test, which reports its failure
    blockingSearch.catch(() => {});
    batchedSearch.catch(() => {});
  });

  it('with blocking drivers recommends a layout whose data is local to its servers, and says why the others fail', async () => {
    const result = await blockingSearch;
    // blocking drivers: only data next to the servers works (central, or every region its own shard);
    // which of the two is cheaper depends on the far regions' round trips to the hub
    expect(result.best?.layout).toMatch(/^central|^regional-sharded$/);
    expect(result.best?.confirmed).toBe(true);
    expect(result.runnerUp).not.toBeNull();
    const regional = result.families.filter((f) => f.layout.startsWith('regional') && f.layout !== 'regional-sharded');
    expect(regional.every((f) => f.status === 'infeasible' && /request\.p98|connected/.test(f.reason ?? ''))).toBe(true);
    const printed = formatPlan(result, 1);
    expect(printed.split('\n').every((line) => line.length <= TEXT_WIDTH)).toBe(true);
    const text = printed.replace(/\s+/g, ' '); // prose is wrapped: match across line ends
    expect(text).toMatch(/RECOMMENDED: (central|regional-sharded)/);
    expect(text).toMatch(/what was simulated/);
    expect(text).toMatch(/every run simulated the full number of users/);
  }, 600_000);

  it('with batched drivers and a handshake objective recommends a regional one, and explains the difference', async () => {
    const result = await batchedSearch;
    expect(result.best?.layout).toMatch(/^regional/);
    expect(result.best?.dbMode).toBe('batched');
    // central layouts fail on handshakes of far regions whatever the server count
    const central = result.families.filter((f) => f.layout.startsWith('central'));
    expect(central.every((f) => f.status === 'infeasible')).toBe(true);
    expect(central.some((f) => /handshake\.p98/.test(f.reason ?? ''))).toBe(true);
    const text = formatPlan(result, 1).replace(/\s+/g, ' ');
    expect(text).toMatch(/driver modes compared/);
    // with blocking drivers only a layout whose data is local to every region (sharded) can work, and it costs more
    const cheapest = (mode: string) => Math.min(...result.families.filter((f) => f.dbMode === mode && f.status === 'feasible').map((f) => f.costPerHour!));
    expect(cheapest('blocking')).toBeGreaterThan(cheapest('batched'));
    expect(result.families.filter((f) => f.dbMode === 'blocking' && f.status === 'feasible').every((f) => f.layout === 'regional-sharded')).toBe(true);
    expect(text).toMatch(/regional-remote meets it with batched drivers but not with blocking/);
    expect(text).toMatch(/why: a blocking driver holds the process for every database round trip/);
  }, 600_000);
});

describe('plan flags', () => {
  it('reject bad values with one line naming the flag', () => {
    expect(() => planSpecFromFlags(flags({ slo: 'request.p98<fast' }))).toThrow(UserError);
    expect(() => planSpecFromFlags(flags({ serverTypes: 'x9.huge' }))).toThrow(/--server-types must list EC2 instance types/);
    expect(() => planSpecFromFlags(flags({ hub: 'mars-1' }))).toThrow(/--hub must be a known region/);
    expect(() => planSpecFromFlags(flags({ minConnected: '1.5' }))).toThrow(/--min-connected/);
    expect(() => planSpecFromFlags(flags({ dbMode: 'fast' }))).toThrow(/--db-mode must list driver modes/);
  });
});
