import { describe, expect, it } from 'vitest';
import { builtInArchitecture } from '../../model/architecture.ts';
import { mergeParams } from '../../model/params.ts';
import type { Report } from '../../model/report.ts';
import { THESIS_SCENARIO, type Scenario } from '../../model/workload.ts';
import { Streams } from '../../sim/engine/random.ts';
import { simulate } from '../../sim/run.ts';
import { LoopPauses } from '../../sim/runner/pauses.ts';

/** Event-loop pauses, the disk model and whole Summary counts. */

function run(name: string, scenario: Partial<Scenario>, params: Record<string, unknown> = {}, seed = 3): Report {
  return simulate({ arch: builtInArchitecture(name), scenario: { ...THESIS_SCENARIO, ...scenario }, params: mergeParams(params, 'test'), seed }).report;
}

describe('LoopPauses', () => {
  it('pauses once per `everyMessages` messages on average, with the given median length', () => {
    const pauses = new LoopPauses(4, new Streams(1).get('pauses'), 50, 0.2, 1);
    const lengths: number[] = [];
    const messages = 400_000;
    for (let i = 0; i < messages; i++) {
      const s = pauses.before(i % 4);
      if (s > 0) lengths.push(s);
    }
    expect(lengths.length / (messages / 50)).toBeGreaterThan(0.95);
    expect(lengths.length / (messages / 50)).toBeLessThan(1.05);
    lengths.sort((a, b) => a - b);
    const median = lengths[lengths.length >> 1];
    expect(median).toBeGreaterThan(0.18);
    expect(median).toBeLessThan(0.22);
    // lognormal sigma 1: the 84th percentile is e × the median
    expect(lengths[Math.floor(lengths.length * 0.8413)] / median).toBeCloseTo(Math.E, 0);
  });
  it('takes no pause before the onset, and pauses at the same rate after it', () => {
    const onset = 20_000;
    const pauses = new LoopPauses(2, new Streams(1).get('pauses'), 50, 0.2, 1, onset);
    let before = 0;
    let after = 0;
    for (let i = 0; i < 2 * onset + 200_000; i++) {
      const s = pauses.before(i % 2);
      if (s > 0 && i < 2 * onset) before++;
      else if (s > 0) after++;
    }
    expect(before).toBe(0);
    expect(after / (200_000 / 50)).toBeGreaterThan(0.9);
    expect(after / (200_000 / 50)).toBeLessThan(1.1);
  });
  it("gives a process the same pauses whatever the other processes' messages in between", () => {
    const alone = new LoopPauses(3, new Streams(1).get('pauses'), 50, 0.2, 1, 100);
    const mixed = new LoopPauses(3, new Streams(1).get('pauses'), 50, 0.2, 1, 100);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 20_000; i++) a.push(alone.before(0));
    for (let i = 0; i < 20_000; i++) {
      if (i % 3 === 0) mixed.before(1);
      if (i % 5 === 0) mixed.before(2);
      b.push(mixed.before(0));
    }
    expect(a.filter((s) => s > 0).length).toBeGreaterThan(300);
    expect(b).toEqual(a);
  });
  it('never pauses when switched off (0 messages or 0 ms)', () => {
    for (const [every, median] of [[0, 0.2], [50, 0]]) {
      const pauses = new LoopPauses(2, new Streams(1).get('pauses'), every, median, 1);
      let total = 0;
      for (let i = 0; i < 10_000; i++) total += pauses.before(i % 2);
      expect(total).toBe(0);
      expect(pauses.count).toBe(0);
    }
  });
});

describe('simulate: event-loop pauses', () => {
  // ~20,000 requests per region: a region's p98 rests on ~400 of them (2,000 users for 300 s left
  // ~100, and which region's p98 fell between two stalls was the seed's draw)
  const small = { users: 4000, rampPerS: 100, durationS: 600 };
  // the pauses alone: no Redis background saves (their forks stall every loop too)
  const off = run('baseline', small, { loopPauseEveryMessages: 0, redisSaveAfterS: 0 });
  const on = run('baseline', small, { loopPauseEveryMessages: 300, loopPauseMedianMs: 1500, loopPauseSigma: 0.5, redisSaveAfterS: 0 });
  it('stall a few per cent of requests for seconds, in every region, and leave the median', () => {
    expect(off.extra!.loopPauses).toBe(0);
    expect(on.extra!.loopPauses as number).toBeGreaterThan(0);
    for (const region of Object.keys(on.regions)) {
      const a = off.regions[region].request;
      const b = on.regions[region].request;
      expect(b.p98! - a.p98!).toBeGreaterThan(500);
      expect(Math.abs(b.median! - a.median!)).toBeLessThan(0.2 * a.median! + 5);
    }
  });
  it('leave broadcasts alone (they run on the broadcast thread, not the loop)', () => {
    const a = off.global.broadcast.mean!;
    const b = on.global.broadcast.mean!;
    expect(Math.abs(b - a) / a).toBeLessThan(0.1);
  });
});

describe('simulate: pause onset', () => {
  it('keeps the connection ramp free of pauses while requests after it still stall', () => {
    const small = { users: 2000, rampPerS: 20, durationS: 600 };
    // no loss and no jitter: a handshake's tail is then the loop's alone
    const stall = { loopPauseEveryMessages: 200, loopPauseMedianMs: 1500, loopPauseSigma: 0.3, lossFactor: 0, jitterRelative: 0, jitterAbsMs: 0 };
    const from0 = run('baseline', small, stall);
    // under 1,000 messages per process pass during the 100 s ramp (16 processes, 2,000 users)
    const late = run('baseline', small, { ...stall, loopPauseOnsetMessages: 1200 });
    for (const region of Object.keys(late.regions)) {
      const h0 = from0.regions[region].handshake;
      const h1 = late.regions[region].handshake;
      expect(h0.max! - h0.median!).toBeGreaterThan(500);
      expect(h1.max! - h1.median!).toBeLessThan(300);
      expect(late.regions[region].request.p98! - late.regions[region].request.median!).toBeGreaterThan(500);
    }
  });
});

describe('simulate: broadcast pace spread', () => {
  it('pulls the broadcast median below the mean and keeps the mean and the CPU', () => {
    const small = { users: 3000, rampPerS: 100, durationS: 600 };
    const even = run('baseline', small, { loopPauseEveryMessages: 0, cpuBroadcastPerSocketUs: 300 });
    const spread = run('baseline', small, { loopPauseEveryMessages: 0, cpuBroadcastPerSocketUs: 300, broadcastPaceSigma: 0.8 });
    // in the server's region, where the fan-out is nearly all of a broadcast's latency
    const a = even.regions['eu-west-1'].broadcast;
    const b = spread.regions['eu-west-1'].broadcast;
    expect(b.median! / b.mean!).toBeLessThan(a.median! / a.mean! - 0.05);
    expect(Math.abs(b.mean! - a.mean!) / a.mean!).toBeLessThan(0.1);
    expect(spread.resources!.instances[0].cpu.avg).toBeCloseTo(even.resources!.instances[0].cpu.avg!, 1);
  });
});

describe('simulate: the loop waits for the interpreter lock during fan-outs', () => {
  const small = { users: 3000, rampPerS: 100, durationS: 600 };
  const base = { loopPauseEveryMessages: 0, lossFactor: 0, cpuBroadcastPerSocketUs: 3000 };
  it('lifts the request p90 in every region and leaves the median', () => {
    const free = run('baseline', small, base);
    const locked = run('baseline', small, { ...base, broadcastLockHandoff: 0.01 });
    for (const region of Object.keys(free.regions)) {
      const a = free.regions[region].request;
      const b = locked.regions[region].request;
      expect(b.p90! - a.p90!).toBeGreaterThan(15);
      expect(Math.abs(b.median! - a.median!)).toBeLessThan(0.1 * a.median! + 3);
    }
  });
  it('servers that write their fan-outs on their loops (sim live) wait for the end, whatever the parameter', () => {
    const onLoop = run('baseline', { ...small, fanOutOnLoop: true }, base);
    const never = run('baseline', small, { ...base, broadcastLockHandoff: 0 });
    expect(onLoop.regions).toEqual(never.regions);
    expect(onLoop.global.request.mean!).toBeGreaterThan(run('baseline', small, base).global.request.mean! + 5);
  });
  it('waits longer the less often the loop wins the lock, at most to the fan-out\'s end', () => {
    const mean = (r: Report) => r.global.request.mean!;
    const often = run('baseline', small, { ...base, broadcastLockHandoff: 0.05 });
    const seldom = run('baseline', small, { ...base, broadcastLockHandoff: 0.002 });
    const never = run('baseline', small, { ...base, broadcastLockHandoff: 0 });
    expect(mean(seldom)).toBeGreaterThan(mean(often));
    // one chance in 500 per socket is hardly more than none: the fan-out's end bounds the wait
    expect(mean(never)).toBeGreaterThanOrEqual(mean(seldom) * 0.98);
    expect(mean(never) - mean(seldom)).toBeLessThan(0.25 * (mean(seldom) - mean(often)) + 1);
  });
});

describe('simulate: disk', () => {
  it('grows the disk of the MySQL host with stored predictions and gives CRUM and SEC', () => {
    const r = run('baseline', { users: 1000, rampPerS: 50, durationS: 600 });
    const minutes = r.resources!.perMinute;
    expect(minutes.every((m) => m.disk !== null)).toBe(true);
    expect(minutes.at(-1)!.disk!).toBeGreaterThan(minutes[0].disk!);
    const inst = r.resources!.instances[0];
    expect(inst.disk.max!).toBeGreaterThan(inst.disk.min!);
    expect(r.meters!.crum).not.toBeNull();
    expect(r.meters!.sec).not.toBeNull();
  });
  it('adds nothing per prediction on instances without MySQL (base / available)', () => {
    const r = run('proposed1', { users: 800, rampPerS: 80, durationS: 300 }, { diskBaseGB: 7, diskFilesystemFraction: 0.5 });
    const eu = r.resources!.instances.find((i) => i.name === 'eu-west-1')!;
    expect(eu.disk.min).toBeCloseTo((100 * 7) / (140 * 0.5), 9);
    expect(eu.disk.max).toBeCloseTo((100 * 7) / (140 * 0.5), 9);
    const mysql = r.resources!.instances.find((i) => i.name === 'mysql')!;
    expect(mysql.disk.max!).toBeGreaterThan((100 * 7) / (100 * 0.5));
  });
});

describe('simulate: Summary counts', () => {
  it('are whole numbers, also for weighted broadcast samples', () => {
    const r = run('proposed2', { users: 700, rampPerS: 70, durationS: 200 });
    const sums = [r.global, ...Object.values(r.regions)].flatMap((g) => [g.handshake, g.request, g.broadcast]);
    for (const s of sums) expect(Number.isInteger(s.count)).toBe(true);
    expect(r.global.broadcast.count).toBeGreaterThan(0);
  });
});

describe('simulate: an instance type without a price', () => {
  it('keeps the run: cost null with the reason, meters still computed', () => {
    const a = builtInArchitecture('proposed1');
    const arch = { ...a, mysql: a.mysql.map((n) => ({ ...n, instanceType: 'db.r3.8xlarge' })) };
    const r = simulate({ arch, scenario: { ...THESIS_SCENARIO, users: 300, rampPerS: 60, durationS: 120 }, params: mergeParams({}, 'test'), seed: 1 }).report;
    expect(r.cost).toBeNull();
    expect(r.notes!.some((n) => n.startsWith('cost not computed') && n.includes('db.r3.8xlarge'))).toBe(true);
    expect(r.meters!.crum).not.toBeNull();
    expect(r.global.connected).toBeGreaterThan(0);
  });
});
