import { describe, expect, it } from 'vitest';
import { builtInArchitecture } from '../../../model/architecture.ts';
import { mergeParams, type OpCounts } from '../../../model/params.ts';
import { Kernel } from '../../../sim/engine/kernel.ts';
import { Streams } from '../../../sim/engine/random.ts';
import { Database } from '../../../sim/runner/database.ts';
import { FluidQueues } from '../../../sim/runner/fluid.ts';
import { RedisSaves } from '../../../sim/runner/redis-save.ts';
import { buildTopology, REDIS } from '../../../sim/runner/topology.ts';
import { driverOf, unitsOf } from '../../../sim/runner/units.ts';
import { Usage } from '../../../sim/runner/usage.ts';

/** Redis background saves (sim/runner/redis-save.ts): the fork stalls a Redis-bound loop, on the save rule's clock. */

const GIB = 2 ** 30;
const MIB = 2 ** 20;

/** handlers per second: sparse enough that the commands piled up behind a fork add no backlog of their own */
const PER_S = 100;

/**
 * One process of the baseline (Redis co-located, blocking driver) runs a Redis-only handler
 * (one read, one write, stored as a prediction) every 1 / PER_S s for `seconds`; returns each
 * handler's time over the quiet one's (the stall it saw) and the saves.
 */
function drive(overrides: Record<string, unknown>, seconds: number): { extraS: Float64Array; saves: RedisSaves; normalS: number } {
  const params = mergeParams({ redisMissProbability: 0, ...overrides }, 'test');
  const arch = builtInArchitecture('baseline');
  const topo = buildTopology(arch, params, ['eu-west-1']);
  const usage = new Usage(topo.instances.length, seconds + 1);
  const fluid = new FluidQueues(topo.nodes.map((n) => n.cores), topo.nodes.map((n) => n.instance), usage);
  const kernel = new Kernel();
  const db = new Database(kernel, () => {}, topo, fluid, usage, new Streams(1).get('database'), params, unitsOf(params), driverOf('blocking'), { windowS: 3, check: 'atomic' }, 1);
  const ops: OpCounts = { redisReads: 1, redisWrites: 1, mysqlReads: 0, mysqlWrites: 0 };
  const n = seconds * PER_S;
  const took = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / PER_S;
    took[i] = db.chain(0, ops, 0, t, t) - t;
  }
  const normalS = took.reduce((a, b) => (b < a ? b : a), Infinity);
  return { extraS: took.map((x) => x - normalS), saves: db.saves, normalS };
}

describe('Redis background saves', () => {
  // 100 predictions/s of 357,913 bytes: the RDB is ~2 GiB when the first save forks at 60 s
  const bytes = 357_913;
  const seconds = 200;
  const on = drive({ redisSaveBytesPerPrediction: bytes }, seconds);
  const params = mergeParams({}, 'test');
  const base = params.memRedisBaseMiB * MIB;
  const forkOf = (predictions: number): number => ((base + predictions * bytes) / GIB) * params.redisForkMsPerGB * 1e-3;
  const saveOf = (predictions: number): number => (predictions * bytes) / (params.redisSaveMiBps * MIB);

  it('forks when the save rule is met, for ms/GB × the resident set, and again afterS after the save ends', () => {
    const s = on.saves;
    const node = 0;
    expect(s.count).toBe(2);
    // the second save: its window is the one kept; the first is recomputed from the rule
    const first = 60;
    const f1 = forkOf(first * PER_S);
    const second = first + f1 + saveOf(first * PER_S) + 60;
    expect(s.forkFromS[node]).toBeGreaterThanOrEqual(second - 1e-9);
    expect(s.forkFromS[node]).toBeLessThan(second + 0.011); // decided when the queues next advance (10 ms bins)
    const f2 = s.forkToS[node] - s.forkFromS[node];
    // the RDB then holds the predictions stored up to the fork, within one
    expect(Math.abs(f2 - forkOf(s.forkFromS[node] * PER_S))).toBeLessThanOrEqual(forkOf(1) - forkOf(0) + 1e-9);
    expect(f1).toBeGreaterThan(0.45);
  });

  it('stalls a Redis-bound handler by what is left of the fork, at the fork times only', () => {
    const stalled: number[] = [];
    on.extraS.forEach((x, i) => { if (x > 1e-5) stalled.push(i / PER_S); });
    const f1 = forkOf(60 * PER_S);
    const firstEnd = 60 + f1;
    const secondFrom = on.saves.forkFromS[0];
    const secondTo = on.saves.forkToS[0];
    for (const t of stalled) {
      const inFirst = t >= 60 - 1e-9 && t < firstEnd + 0.011;
      const inSecond = t >= secondFrom - 0.011 && t < secondTo;
      expect(inFirst || inSecond, `a stall at ${t} s (${on.extraS[Math.round(t * PER_S)]} s), outside both forks [60, ${firstEnd}) [${secondFrom}, ${secondTo})`).toBe(true);
    }
    // a handler that starts in the fork ends when the fork does: its extra time is what is left of it
    const at = 60.2;
    expect(on.extraS[Math.round(at * PER_S)]).toBeCloseTo(firstEnd - at, 2);
    const mid = Math.ceil(((secondFrom + secondTo) / 2) * PER_S);
    // (less the driver CPU before the first command leaves, plus the service of the commands
    // that piled up before it in the fork: Redis serves them one after the other when it ends)
    const before = mid - Math.ceil(secondFrom * PER_S);
    const serviceS = (params.redisCommandUs + params.redisRoundTripUs) * 1e-6;
    expect(on.extraS[mid]).toBeCloseTo(secondTo - mid / PER_S - params.cpuRedisOpUs * 1e-6 + before * serviceS, 6);
    // every handler that starts during a fork is stalled
    expect(stalled.length).toBeGreaterThanOrEqual(Math.floor((f1 + (secondTo - secondFrom)) * PER_S) - 3);
  });

  it('never stalls with saves off (redisSaveAfterS 0), nor forks', () => {
    const off = drive({ redisSaveBytesPerPrediction: bytes, redisSaveAfterS: 0 }, 130);
    expect(off.saves.count).toBe(0);
    // (the queue's own in-bin wait varies by a few µs)
    expect(off.extraS.reduce((a, b) => (b > a ? b : a), 0)).toBeLessThan(1e-5);
    expect(off.normalS).toBeCloseTo(on.normalS, 9);
  });

  it('waits for the save rule\'s changes: no fork before redisSaveChanges writes', () => {
    // the writes a second reach the node at a steady rate (the handler's write and the check's set)
    const never = drive({ redisSaveBytesPerPrediction: bytes, redisSaveChanges: 1e9 }, 20);
    expect(never.saves.count).toBe(0);
    const perS = never.saves.dirty[0] / 20;
    const slow = drive({ redisSaveBytesPerPrediction: bytes, redisSaveChanges: Math.round(100 * perS) }, 130);
    expect(slow.saves.count).toBe(1);
    expect(slow.saves.forkFromS[0]).toBeGreaterThan(99.9);
    expect(slow.saves.forkFromS[0]).toBeLessThan(100.1);
  });

  it('runs on every Redis copy of an architecture, replicas included, and on no MySQL node', () => {
    const params = mergeParams({}, 'test');
    const topo = buildTopology(builtInArchitecture('proposed2'), params, ['eu-west-1']);
    const usage = new Usage(topo.instances.length, 100);
    const saves = new RedisSaves(topo.nodes.map((n) => n.store === REDIS), topo.nodes.map((n) => n.instance), usage, 60, 1, 100, 0, 1e-9, 1e6);
    topo.nodes.forEach((_, i) => { saves.dirty[i] = 10; saves.predictions[i] = 1000; });
    saves.tick(61);
    expect(saves.count).toBe(topo.nodes.filter((n) => n.store === REDIS).length);
    topo.nodes.forEach((n, i) => expect(saves.forkToS[i] > 0).toBe(n.store === REDIS));
  });
});
