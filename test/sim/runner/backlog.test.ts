import { describe, expect, it } from 'vitest';
import { builtInArchitecture, parseArchitecture, type Architecture } from '../../../model/architecture.ts';
import { mergeParams } from '../../../model/params.ts';
import type { Report } from '../../../model/report.ts';
import { THESIS_SCENARIO, usersPerRegion, type Scenario } from '../../../model/workload.ts';
import { simulate } from '../../../sim/run.ts';
import { ListenBacklog } from '../../../sim/runner/backlog.ts';

/** The listen backlog of a server process and nginx's upstream SYN retries (sim/runner/backlog.ts). */

describe('listen queue', () => {
  it('holds backlog + 1 connections (the kernel drops a SYN when more than the backlog wait), and frees a place at each acceptance', () => {
    const q = new ListenBacklog(Int32Array.from([1000]), 4);
    // five connections enter at 0..4 s; the loop accepts them at 10..14 s
    for (let k = 0; k < 5; k++) {
      expect(q.admit(0, k)).toBe(true);
      q.accepted(0, 10 + k);
    }
    expect(q.admit(0, 5)).toBe(false);
    expect(q.admit(0, 9.99)).toBe(false);
    // the first is accepted at 10 s: one place
    expect(q.admit(0, 10)).toBe(true);
    q.accepted(0, 15);
    expect(q.admit(0, 10.5)).toBe(false);
    expect(q.drops).toBe(3);
    // all accepted by 15 s: empty again, the ring wraps
    for (let k = 0; k < 5; k++) {
      expect(q.admit(0, 15 + k)).toBe(true);
      q.accepted(0, 20);
    }
    expect(q.admit(0, 19.5)).toBe(false);
  });
  it('keeps no queue for a process with no more users than fit (it cannot overflow)', () => {
    const q = new ListenBacklog(Int32Array.from([5, 6]), 4);
    for (let k = 0; k < 5; k++) {
      expect(q.admit(0, 0)).toBe(true);
      q.accepted(0, 100);
    }
    for (let k = 0; k < 5; k++) {
      expect(q.admit(1, 0)).toBe(true);
      q.accepted(1, 100);
    }
    expect(q.admit(1, 0)).toBe(false);
  });
  it('checks that acceptance times do not go backwards', () => {
    const q = new ListenBacklog(Int32Array.from([100]), 4);
    q.admit(0, 0);
    q.accepted(0, 5);
    q.admit(0, 1);
    expect(() => q.accepted(0, 4)).toThrow(/listen backlog invariant violated/);
  });
});

/**
 * One process in Ireland, its clients in Ireland (1 ms RTT, no jitter, no loss, no pauses), MySQL
 * in Sydney at a 5 s round trip: the first user's `list games` (`mysqlReads` round trips under
 * the blocking driver) holds the loop while the next users keep launching, 10 a second.
 */
const ONE_PROCESS: Architecture = parseArchitecture({
  name: 'one-process',
  routing: { mode: 'single', endpoint: 'eu' },
  dbMode: 'blocking',
  broadcast: { windowS: 3, check: 'racy' },
  servers: [{ id: 'eu', region: 'eu-west-1', instanceType: 'm3.xlarge', count: 1, processesPerInstance: 1, redis: { read: 'redis', write: 'redis' }, mysql: { read: 'mysql', write: 'mysql' } }],
  redis: [{ id: 'redis', region: 'eu-west-1', colocatedWith: 'eu' }],
  mysql: [{ id: 'mysql', region: 'ap-southeast-2', instanceType: 'db.r3.4xlarge' }],
}, 'test architecture');

const RAMP_PER_S = 10;

function blocked(mysqlReads: number, users: number, durationS: number, overrides: Record<string, unknown> = {}): Report {
  const params = mergeParams({
    rttMatrixMs: { 'eu-west-1': { 'ap-southeast-2': 5000 } },
    jitterRelative: 0, jitterAbsMs: 0, lossFactor: 0, loopPauseEveryMessages: 0,
    opsListGames: { redisReads: 0, redisWrites: 0, mysqlReads, mysqlWrites: 0 },
    ...overrides,
  }, 'test');
  const scenario: Scenario = { ...THESIS_SCENARIO, users, rampPerS: RAMP_PER_S, durationS, regionMix: { 'eu-west-1': 1 } };
  return simulate({ arch: ONE_PROCESS, scenario, params, seed: 1 }).report;
}

/** when user k launches (users spread evenly over the ramp), s */
const launchS = (k: number, users: number) => ((k + 0.5) / users) * (users / RAMP_PER_S);

describe('a loop blocked while connections keep arriving', () => {
  // 600 users over 60 s; the first user's list games blocks the loop for 50 × 5 s, past the end (63 s)
  const users = 600;
  const endS = users / RAMP_PER_S + 3;
  const r = blocked(50, users, 3);
  const eu = r.regions['eu-west-1'];

  it('lets the first 129 (backlog 128, + 1 as the kernel counts) wait in the queue; later SYNs are dropped, retried at 1 s and 3 s, and fail 7 s after the first', () => {
    // user 0 connected before the block; users 1..129 wait, never accepted before the end: pending
    expect(eu.connected).toBe(1);
    // user k >= 130 fails at its upgrade's arrival (< 10 ms after launch) + 7 s + one one-way (0.5 ms)
    let failed = 0;
    for (let k = 130; k < users; k++) if (launchS(k, users) + 7.01 <= endS) failed++;
    expect(failed).toBeGreaterThan(400);
    expect(eu.failed).toBe(failed);
    expect(eu.pending).toBe(users - 1 - failed);
    // the failed sent nothing
    expect(eu.request.count).toBe(0);
  });
  it('with the backlog set huge, nobody fails: every handshake waits for the loop', () => {
    const huge = blocked(50, users, 3, { listenBacklog: 1e9 }).regions['eu-west-1'];
    expect(huge.failed).toBe(0);
    expect(huge.connected).toBe(1);
    expect(huge.pending).toBe(users - 1);
  });
  it('without retries a dropped SYN fails after one timeout (1 s), with longer ones later', () => {
    const noRetry = blocked(50, users, 3, { synRetries: 0 }).regions['eu-west-1'];
    let failed = 0;
    for (let k = 130; k < users; k++) if (launchS(k, users) + 1.01 <= endS) failed++;
    expect(noRetry.failed).toBe(failed);
    const slow = blocked(50, users, 3, { synInitialRtoMs: 2000 }).regions['eu-west-1'];
    failed = 0;
    for (let k = 130; k < users; k++) if (launchS(k, users) + 14.01 <= endS) failed++;
    expect(slow.failed).toBe(failed);
  });
  it('when the block ends, the queued connections are accepted and connect', () => {
    // a 20 s block (4 round trips) from 0.06 s; 200 users launch over 20 s and the run ends at
    // 25 s: users 1..129 connect once the block ends, then their own list games block the loop again
    const short = blocked(4, 200, 5).regions['eu-west-1'];
    expect(short.connected).toBe(130);
    expect(short.handshake.max!).toBeGreaterThan(19_000);
    expect(short.handshake.max!).toBeLessThan(20_100);
    // dropped users whose retries all came during the block fail; none after it (room again)
    expect(short.failed).toBeGreaterThan(30);
    expect(short.failed).toBeLessThan(45);
  });
});

describe('every launched user is connected, failed or pending', () => {
  const small = { ...THESIS_SCENARIO, users: 2000, rampPerS: 100 };
  const cases: [string, string, Partial<Scenario>, Record<string, unknown>][] = [
    ['proposed1 blocking, backlog 4', 'proposed1', { durationS: 60 }, { listenBacklog: 4 }],
    ['proposed1 blocking, backlog 4, no retries, run ends in the ramp\'s wake', 'proposed1', { durationS: 2 }, { listenBacklog: 4, synRetries: 0 }],
    ['proposed2 blocking, backlog 16, client timeout 5 s', 'proposed2', { durationS: 30 }, { listenBacklog: 16, handshakeTimeoutS: 5 }],
    ['proposed1 blocking, default backlog', 'proposed1', { durationS: 30 }, {}],
  ];
  for (const [name, archName, scenario, overrides] of cases) {
    it(name, () => {
      const s = { ...small, ...scenario };
      const r = simulate({ arch: builtInArchitecture(archName), scenario: s, params: mergeParams(overrides, 'test'), seed: 3 }).report;
      const launched = usersPerRegion(s.users, s.regionMix);
      let failed = 0;
      for (const [id, reg] of Object.entries(r.regions)) {
        expect(reg.connected).toBeGreaterThanOrEqual(0);
        expect(reg.failed).toBeGreaterThanOrEqual(0);
        expect(reg.pending).toBeGreaterThanOrEqual(0);
        expect(reg.connected + reg.failed + reg.pending).toBe(launched[id]);
        expect(reg.handshake.count).toBe(reg.connected);
        failed += reg.failed;
      }
      expect(r.global.failed).toBe(failed);
      if (overrides.listenBacklog !== undefined) expect(failed).toBeGreaterThan(0);
    });
  }
});

describe('overflowing listen queues', () => {
  it('give the same report for the same seed (no clock, no unseeded draw)', () => {
    const s = { ...THESIS_SCENARIO, users: 2000, rampPerS: 100, durationS: 60 };
    const once = () => JSON.stringify(simulate({ arch: builtInArchitecture('proposed1'), scenario: s, params: mergeParams({ listenBacklog: 4 }, 'test'), seed: 5 }).report);
    const a = once();
    expect(JSON.parse(a).global.failed).toBeGreaterThan(0);
    expect(once()).toBe(a);
  });
});
