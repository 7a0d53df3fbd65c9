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
interface Window { from: number; to: number; decided: number }

function drive(overrides: Record<string, unknown>, seconds: number): { extraS: Float64Array; saves: RedisSaves; normalS: number; windows: Window[]; db: Database } {
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
  const windows: Window[] = [];
  for (let i = 0; i < n; i++) {
    const t = i / PER_S;
    took[i] = db.chain(0, ops, 0, t, t) - t;
    const s = db.saves;
    if (s.forkToS[0] > 0 && (windows.length === 0 || windows[windows.length - 1].from !== s.forkFromS[0])) {
      windows.push({ from: s.forkFromS[0], to: s.forkToS[0], decided: s.decidedS[0] });
    }
  }
  const normalS = took.reduce((a, b) => (b < a ? b : a), Infinity);
  return { extraS: took.map((x) => x - normalS), saves: db.saves, normalS, windows, db };
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

  /** predictions stored when the save is decided at t: one per handler before the one at t (it decides first) */
  const storedBy = (t: number): number => Math.round(t * PER_S);

  it('forks when the save rule is met, for ms/GB × the resident set, and again afterS after the save ends', () => {
    const [w1, w2] = on.windows;
    expect(on.saves.count).toBe(2);
    expect(on.windows.length).toBe(2);
    // the first save: the rule allows it 60 s after the start; decided when the writes reached 10,000
    expect(w1.decided).toBeLessThan(60);
    expect(w1.from).toBeGreaterThanOrEqual(60);
    expect(w1.from).toBeLessThan(60.011); // the queues advance every 10 ms
    // the fork lasts ms/GB × the resident set of the dataset when the save was decided
    expect(w1.to - w1.from).toBeCloseTo(forkOf(storedBy(w1.decided)), 6);
    expect(w1.to - w1.from).toBeGreaterThan(0.35);
    // the second: 60 s after the first save ended (its fork, then the child writing the RDB)
    const second = w1.to + saveOf(storedBy(w1.decided)) + 60;
    expect(w2.from).toBeGreaterThanOrEqual(second - 1e-9);
    expect(w2.from).toBeLessThan(second + 0.011);
    expect(w2.to - w2.from).toBeCloseTo(forkOf(storedBy(w2.decided)), 6);
  });

  it('stalls a Redis-bound handler by what is left of the fork, at the fork times only', () => {
    const [w1, w2] = on.windows;
    const stalled: number[] = [];
    on.extraS.forEach((x, i) => { if (x > 1e-5) stalled.push(i / PER_S); });
    for (const t of stalled) {
      const inside = on.windows.some((w) => t >= w.from - 0.011 && t < w.to);
      expect(inside, `a stall at ${t} s (${on.extraS[Math.round(t * PER_S)]} s), outside the forks ${JSON.stringify(on.windows)}`).toBe(true);
    }
    // a handler that starts in a fork ends when the fork does: its extra time is what is left of
    // it, less the driver CPU before its first command leaves, plus the service of the commands
    // that piled up before it (Redis serves them one after the other when the fork ends)
    const serviceS = (params.redisCommandUs + params.redisRoundTripUs) * 1e-6;
    for (const w of [w1, w2]) {
      const first = Math.ceil(w.from * PER_S);
      const mid = Math.ceil(((w.from + w.to) / 2) * PER_S);
      const expected = w.to - mid / PER_S - params.cpuRedisOpUs * 1e-6 + (mid - first) * serviceS;
      expect(on.extraS[mid]).toBeCloseTo(expected, 6);
    }
    // every handler that starts during a fork is stalled, and none other
    const inForks = on.windows.reduce((n, w) => n + Math.ceil(w.to * PER_S) - Math.ceil(w.from * PER_S), 0);
    expect(Math.abs(stalled.length - inForks)).toBeLessThanOrEqual(2);
  });

  it('holds alike the operations computed ahead of the clock (a handler behind a held loop)', () => {
    // the clock at 59 s: the first fork (60 s) is decided; a handler computed now that will
    // start at 60.1 s, on another process, stalls as one computed then would
    const ahead = drive({ redisSaveBytesPerPrediction: bytes }, 59);
    const [w] = ahead.windows;
    expect(w.from).toBeGreaterThan(59);
    const ops: OpCounts = { redisReads: 1, redisWrites: 0, mysqlReads: 0, mysqlWrites: 0 };
    const end = ahead.db.chain(1, ops, -1, 59, 60.1);
    expect(end).toBeGreaterThan(w.to);
    expect(end - w.to).toBeLessThan(1e-3);
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
