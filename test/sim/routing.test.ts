import { describe, expect, it } from 'vitest';
import { parseArchitecture } from '../../model/architecture.ts';
import { DEFAULT_PARAMS } from '../../model/params.ts';
import { THESIS_SCENARIO } from '../../model/workload.ts';
import { simulate } from '../../sim/run.ts';
import { buildPopulation } from '../../sim/runner/clients.ts';
import { buildTopology } from '../../sim/runner/topology.ts';

// Latency routing with two server groups (two shards, each with its own masters) in eu-west-1
// and one in us-east-1: Irish clients spread over both Irish groups in proportion to their
// processes (4 and 2), American clients all go to the American group.
const arch = parseArchitecture({
  name: 'two-shards', routing: { mode: 'latency' }, dbMode: 'batched', broadcast: { windowS: 3, check: 'racy' },
  servers: [
    { id: 'eu-a', region: 'eu-west-1', instanceType: 'm3.xlarge', count: 2, processesPerInstance: 2, redis: { read: 'r-a', write: 'r-a' }, mysql: { read: 'm-a', write: 'm-a' } },
    { id: 'us', region: 'us-east-1', instanceType: 'm3.xlarge', count: 1, processesPerInstance: 2, redis: { read: 'r-us', write: 'r-us' }, mysql: { read: 'm-us', write: 'm-us' } },
    { id: 'eu-b', region: 'eu-west-1', instanceType: 'm3.xlarge', count: 1, processesPerInstance: 2, redis: { read: 'r-b', write: 'r-b' }, mysql: { read: 'm-b', write: 'm-b' } },
  ],
  redis: [
    { id: 'r-a', region: 'eu-west-1', instanceType: 'm2.xlarge' },
    { id: 'r-b', region: 'eu-west-1', instanceType: 'm2.xlarge' },
    { id: 'r-us', region: 'us-east-1', instanceType: 'm2.xlarge' },
  ],
  mysql: [
    { id: 'm-a', region: 'eu-west-1', instanceType: 'db.m3.medium' },
    { id: 'm-b', region: 'eu-west-1', instanceType: 'db.m3.medium' },
    { id: 'm-us', region: 'us-east-1', instanceType: 'db.m3.medium' },
  ],
}, 'routing test');

describe('latency routing to several groups in one region', () => {
  const topo = buildTopology(arch, DEFAULT_PARAMS, ['eu-west-1', 'us-east-1']);

  it('spreads a region over every group there in proportion to processes, and over processes within a group', () => {
    const pop = buildPopulation(topo, 600, { 'eu-west-1': 0.5, 'us-east-1': 0.5 });
    const perGroup = [0, 0, 0];
    for (let p = 0; p < topo.processes; p++) perGroup[topo.procGroup[p]] += pop.perProcess[p];
    expect(perGroup).toEqual([200, 300, 100]); // eu-a (4 processes), us, eu-b (2 processes)
    for (let p = 0; p < topo.processes; p++) expect(pop.perProcess[p]).toBe(topo.procGroup[p] === 1 ? 150 : 50);
    // Irish users never reach the American group and vice versa
    for (let u = 0; u < pop.users; u++) expect(topo.procGroup[pop.proc[u]] === 1).toBe(topo.clientRegions[pop.region[u]] === 'us-east-1');
  });

  it('interleaves the groups in connection order (no group gets a burst of the ramp)', () => {
    const eu = topo.regionGroupCycle[0];
    expect([...eu].sort()).toEqual([0, 0, 0, 0, 2, 2]);
    expect([...topo.regionGroupCycle[1]]).toEqual([1]);
    // within the first half of the cycle each Irish group already has half its slots
    const half = [...eu.slice(0, 3)];
    expect(half.filter((g) => g === 0).length).toBe(2);
  });

  it('runs: each shard serves its users from its own masters', () => {
    const { report } = simulate({ arch, scenario: { ...THESIS_SCENARIO, users: 600, regionMix: { 'eu-west-1': 0.5, 'us-east-1': 0.5 }, rampPerS: 60, durationS: 120 }, params: DEFAULT_PARAMS, seed: 1 });
    expect(report.regions['eu-west-1'].connected).toBe(300);
    expect(report.regions['us-east-1'].connected).toBe(300);
    expect(report.regions['eu-west-1'].request.count).toBeGreaterThan(0);
    expect(report.regions['eu-west-1'].broadcast.count).toBeGreaterThan(0);
    // local masters: requests answer within a few intra-datacentre round trips
    expect(report.regions['eu-west-1'].request.p98!).toBeLessThan(100);
  });
});
