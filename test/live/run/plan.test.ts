import { describe, expect, it } from 'vitest';
import { builtInArchitecture } from '../../../model/architecture.ts';
import { leightonRttMs, networkMatrix, pathBetween } from '../../../model/network.ts';
import { DEFAULT_PARAMS } from '../../../model/params.ts';
import { CLIENT_REGION_IDS, findRegion } from '../../../model/regions.ts';
import { DEFAULT_NETWORK, planLive, processesToRun } from '../../../live/run/plan.ts';

const noJitter = { jitterFraction: 0, loss: false };

describe('planLive', () => {
  it('baseline: every client region goes to Ireland over its own RTT; data is co-located (no proxy)', () => {
    const p = planLive(builtInArchitecture('baseline'), noJitter);
    expect(p.routes.map((r) => r.clientRegion)).toEqual([...CLIENT_REGION_IDS]);
    for (const r of p.routes) {
      expect(r.group).toBe('eu');
      expect(r.path.rttMs).toBeCloseTo(pathBetween(findRegion(r.clientRegion)!, findRegion('eu-west-1')!, { network: 'aws-2016' }).rttMs, 9);
    }
    expect(p.groups).toHaveLength(1);
    expect(p.groups[0].processes).toBe(16);
    for (const d of Object.values(p.groups[0].data)) expect(d.path).toBeNull();
  });

  it('uses the simulator\'s network by default (aws-2016), as sim run does', () => {
    expect(DEFAULT_NETWORK).toBe(DEFAULT_PARAMS.network);
    expect(DEFAULT_NETWORK).toBe('aws-2016');
    const p = planLive(builtInArchitecture('baseline'), noJitter);
    expect(p.network).toBe('aws-2016');
    const sydney = p.routes.find((r) => r.clientRegion === 'ap-southeast-2')!;
    expect(sydney.path.rttMs).toBe(networkMatrix('aws-2016')!['ap-southeast-2']?.['eu-west-1'] ?? networkMatrix('aws-2016')!['eu-west-1']['ap-southeast-2']);
  });

  it('--network leighton: the distance prior alone, shorter than the published routes', () => {
    const aws = planLive(builtInArchitecture('baseline'), noJitter);
    const prior = planLive(builtInArchitecture('baseline'), { ...noJitter, network: 'leighton' });
    expect(prior.network).toBe('leighton');
    const ie = findRegion('eu-west-1')!;
    for (const r of prior.routes) {
      const c = findRegion(r.clientRegion)!;
      expect(r.path.rttMs).toBeCloseTo(pathBetween(c, ie).rttMs, 9);
      if (c.id !== ie.id) expect(r.path.rttMs).toBeLessThan(aws.routes.find((x) => x.clientRegion === c.id)!.path.rttMs);
    }
  });

  it('proposed1: clients stay local, servers reach Ireland over the network\'s RTT', () => {
    const p = planLive(builtInArchitecture('proposed1'), noJitter);
    for (const r of p.routes) expect(r.group).toBe(r.clientRegion);
    const sydney = p.groups.find((g) => g.region === 'ap-southeast-2')!;
    const miles = 10_000; // sanity: Sydney-Dublin is ~10,000 miles
    expect(sydney.data.mysqlWrite.path!.rttMs).toBeGreaterThan(leightonRttMs(miles * 0.9));
    expect(sydney.data.mysqlWrite.path!.rttMs).toBe(pathBetween(findRegion('ap-southeast-2')!, findRegion('eu-west-1')!, { network: 'aws-2016' }).rttMs);
    expect(sydney.data.redisRead.path!.rttMs).toBe(sydney.data.mysqlWrite.path!.rttMs);
    const ireland = p.groups.find((g) => g.region === 'eu-west-1')!;
    expect(ireland.data.mysqlWrite.path!.rttMs).toBe(1); // own instance in the same region
  });

  it('proposed2: reads from the nearby replica, writes to the Irish master; a matrix overrides the network', () => {
    const p = planLive(builtInArchitecture('proposed2'), { ...noJitter, matrix: { 'ap-southeast-2': { 'eu-west-1': 320 } } });
    const sydney = p.groups.find((g) => g.region === 'ap-southeast-2')!;
    expect(sydney.data.redisRead.path).toBeNull(); // replica on the server itself
    expect(sydney.data.mysqlRead.region).toBe('ap-southeast-1');
    expect(sydney.data.mysqlWrite.path!.rttMs).toBe(320);
  });

  it('jitter and loss follow the options; RTO follows the RTT model', () => {
    const p = planLive(builtInArchitecture('baseline'), { jitterFraction: 0.1, loss: true });
    const r = p.routes.find((x) => x.clientRegion === 'ap-southeast-2')!;
    expect(r.path.jitterMs).toBeCloseTo(r.path.rttMs / 2 * 0.1, 9);
    expect(r.path.loss).toBeGreaterThan(0.01);
    expect(r.path.rtoMs).toBeGreaterThanOrEqual(200);
  });

  it('server processes: async and batched groups at most one per core; blocking groups keep the architecture\'s count; --max-processes caps either', () => {
    const eu = { id: 'eu', processes: 16 };
    expect(processesToRun(eu, 'batched', undefined, 2)).toMatchObject({ processes: 2, line: expect.stringMatching(/2 processes instead of the architecture's 16 \(one per core/) });
    expect(processesToRun(eu, 'async', undefined, 2).processes).toBe(2);
    expect(processesToRun(eu, 'blocking', undefined, 2)).toMatchObject({ processes: 16, line: expect.stringMatching(/the architecture's 16 processes on 2 cores/) });
    expect(processesToRun(eu, 'blocking', 4, 2)).toMatchObject({ processes: 4, line: expect.stringMatching(/--max-processes 4/) });
    expect(processesToRun(eu, 'batched', 32, 2)).toEqual({ processes: 16, line: null });
    expect(processesToRun({ id: 'p', processes: 2 }, 'blocking', undefined, 2)).toEqual({ processes: 2, line: null });
    expect(processesToRun(eu, 'batched', undefined, 32)).toEqual({ processes: 16, line: null });
  });
});
