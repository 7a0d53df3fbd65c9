import { describe, expect, it } from 'vitest';
import { masterOf } from '../../../model/architecture.ts';
import { mergeParams } from '../../../model/params.ts';
import { defaultPriceTable } from '../../../model/prices.ts';
import { REGION_MIXES, THESIS_SCENARIO, usersPerRegion } from '../../../model/workload.ts';
import { sharedLoad, sharedLoadProblem } from '../../../sim/plan/capacity.ts';
import { hourlyCostOf } from '../../../sim/plan/cost.ts';
import { LAYOUTS, MAX_DIRECT_REPLICAS, buildArchitecture, type Design } from '../../../sim/plan/design.ts';
import { sliceInput } from '../../../sim/plan/slice.ts';

const regions = Object.keys(THESIS_SCENARIO.regionMix);
const design = (layout: Design['layout'], counts: Record<string, number>, over: Partial<Design> = {}): Design => ({
  layout, hub: 'eu-west-1', serverType: 'm3.xlarge', counts, dbMode: 'batched', windowS: 3,
  redisType: 'm2.xlarge', mysqlType: 'db.r3.2xlarge', replicaType: 'db.m3.medium', ...over,
});
const perRegion = (c: number): Record<string, number> => Object.fromEntries(regions.map((r) => [r, c]));

describe('plan candidates', () => {
  it('every layout builds a valid architecture', () => {
    for (const layout of LAYOUTS) {
      const d = layout.startsWith('central') ? design(layout, { 'eu-west-1': 2 }) : design(layout, perRegion(1));
      const arch = buildArchitecture(d, layout);
      expect(arch.servers.length).toBe(layout.startsWith('central') ? 1 : 8);
      expect(arch.routing.mode).toBe(layout.startsWith('central') ? 'single' : 'latency');
    }
  });

  it('regional-replicas keeps at most 5 direct MySQL replicas and one hop for the others', () => {
    const arch = buildArchitecture(design('regional-replicas', perRegion(1)), 'r');
    const replicas = arch.mysql.filter((n) => n.replicaOf);
    expect(replicas.length).toBe(7);
    expect(replicas.filter((n) => n.replicaOf === 'mysql').length).toBe(MAX_DIRECT_REPLICAS);
    for (const n of replicas) expect(masterOf(arch.mysql, n.id).hops.length).toBeLessThanOrEqual(2);
  });

  it('costs follow the price table: the thesis baseline shape costs what §7 says without data transfer', () => {
    const prices = defaultPriceTable();
    const baseline = hourlyCostOf(buildArchitecture(design('central-colocated', { 'eu-west-1': 1 }, { serverType: 'c3.8xlarge' }), 'b'), prices);
    // 1.912 EC2 + 140 GB·0.00019 + 4000·0.0001 + 0.005 monitoring
    expect(baseline).toBeCloseTo(1.912 + 140 * 0.00019 + 0.4 + 0.005, 6);
    const more = hourlyCostOf(buildArchitecture(design('central-colocated', { 'eu-west-1': 2 }, { serverType: 'c3.8xlarge' }), 'b'), prices);
    expect(more).toBeGreaterThan(baseline);
  });
});

describe('scaled-down slices', () => {
  it('keep the users per process of every group, and the ramp per process', () => {
    const scenario = { ...THESIS_SCENARIO, users: 10_000_000, rampPerS: 50_000, regionMix: { ...REGION_MIXES['ucl-final'] } };
    const counts = { 'eu-west-1': 650, 'sa-east-1': 200, 'us-east-1': 30, 'us-west-1': 10, 'us-west-2': 10, 'ap-northeast-1': 45, 'ap-southeast-1': 45, 'ap-southeast-2': 10 };
    const full = usersPerRegion(scenario.users, scenario.regionMix);
    const s = sliceInput(design('regional-remote', counts), scenario, mergeParams({}, 't'), 1, 30_000, 'slice');
    // at most the cap plus one process's worth per group (every group keeps at least one process)
    const procs = 2; // m3.xlarge: 4 vCPU, 2 processes
    const oneEach = Object.entries(counts).reduce((sum, [r, c]) => sum + full[r] / (c * procs), 0);
    expect(s.simulatedUsers).toBeLessThanOrEqual(30_000 + oneEach);
    expect(s.scale).toBeGreaterThan(100);
    const sim = usersPerRegion(s.input.scenario.users, s.input.scenario.regionMix);
    for (const [r, c] of Object.entries(counts)) {
      const perProcessFull = full[r] / (c * procs);
      const perProcessSim = sim[r] / (s.counts[r] * s.processes[r]);
      expect(Math.abs(perProcessSim - perProcessFull) / perProcessFull).toBeLessThan(0.01);
      const group = s.input.arch.servers.find((g) => g.id === r)!;
      expect(group.count * group.processesPerInstance).toBe(s.counts[r] * s.processes[r]);
    }
    expect(s.input.scenario.rampPerS / s.input.scenario.users).toBeCloseTo(scenario.rampPerS / scenario.users, 9);
  });

  it('are not used when the full load fits', () => {
    const s = sliceInput(design('central-colocated', { 'eu-west-1': 3 }), { ...THESIS_SCENARIO }, mergeParams({}, 't'), 1, 30_000, 'x');
    expect(s.scale).toBe(1);
    expect(s.input.scenario.users).toBe(24_000);
    expect(s.counts).toEqual({ 'eu-west-1': 3 });
    expect(s.processes).toEqual({ 'eu-west-1': 2 });
  });
});

describe('capacity pre-check of the shared masters', () => {
  const params = mergeParams({}, 't');
  it('passes the thesis load and fails ten million users on one Redis and one MySQL master', () => {
    const d = design('regional-remote', perRegion(1), { mysqlType: 'db.r3.4xlarge' });
    expect(sharedLoadProblem(sharedLoad(d, { ...THESIS_SCENARIO }, params), d)).toBeNull();
    const big = sharedLoad(d, { ...THESIS_SCENARIO, users: 10_000_000 }, params);
    expect(big.redisUtilisation).toBeGreaterThan(1);
    expect(sharedLoadProblem(big, d)).toMatch(/Redis master would be \d+% busy/);
  });

  it('counts fewer master operations with replicas and with batched drivers', () => {
    const s = { ...THESIS_SCENARIO, users: 1_000_000 };
    const remote = sharedLoad(design('regional-remote', perRegion(1), { dbMode: 'blocking' }), s, params);
    const batched = sharedLoad(design('regional-remote', perRegion(1)), s, params);
    const replicas = sharedLoad(design('regional-replicas', perRegion(1)), s, params);
    expect(batched.redisUtilisation).toBeLessThan(remote.redisUtilisation);
    expect(replicas.redisUtilisation).toBeLessThan(batched.redisUtilisation);
    expect(replicas.mysqlUtilisation).toBeLessThan(batched.mysqlUtilisation);
  });
});
