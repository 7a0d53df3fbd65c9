import { describe, expect, it } from 'vitest';
import { builtInArchitecture, type Architecture } from '../../model/architecture.ts';
import { mergeParams } from '../../model/params.ts';
import type { Report } from '../../model/report.ts';
import { THESIS_SCENARIO, type Scenario } from '../../model/workload.ts';
import { simulate } from '../../sim/run.ts';

/** Scenario.hostCores: every server process of a run on one machine of that many cores (a live run). */

const arch = builtInArchitecture('proposed2');

function run(scenario: Partial<Scenario>, seed = 3, architecture: Architecture = arch): Report {
  const params = mergeParams({ loopPauseEveryMessages: 0, lossFactor: 0, cpuBroadcastPerSocketUs: 500 }, 'test');
  return simulate({ arch: architecture, scenario: { ...THESIS_SCENARIO, users: 1600, rampPerS: 100, durationS: 300, fanOutOnLoop: true, ...scenario }, params, seed }).report;
}

describe('simulate: the server processes share one machine (Scenario.hostCores)', () => {
  const own = run({});
  it('16 processes on 2 cores write an update two fan-outs at a time: every region receives it later', () => {
    const shared = run({ hostCores: 2 });
    for (const region of Object.keys(own.regions)) {
      const a = own.regions[region].broadcast;
      const b = shared.regions[region].broadcast;
      // 100 sockets per process at 0.5 ms: 50 ms a fan-out, 8 of them in turn on each core
      expect(b.mean! - a.mean!).toBeGreaterThan(50);
      // the same updates, but the last are still being written when the run ends
      expect(b.count!).toBeGreaterThan(0.9 * a.count!);
      expect(b.count!).toBeLessThanOrEqual(a.count!);
    }
    // handlers wait for a core too, but are short: the requests hardly move
    expect(Math.abs(shared.global.request.median! - own.global.request.median!)).toBeLessThan(0.05 * own.global.request.median!);
  });
  it('the processes an update wakes together take the cores in a fresh order each time, not by number: no region comes last every time', () => {
    // as a live run has it: every process subscribed through a path of its own to the one Redis,
    // its local node (no replica chain), so all 16 receive each update at the same moment
    const live = { ...arch, redis: arch.redis.map(({ replicaOf: _, ...n }) => n) };
    const alone = run({}, 3, live);
    const shared = run({ hostCores: 2 }, 3, live);
    const adds = Object.keys(alone.regions).map((r) => shared.regions[r].broadcast.mean! - alone.regions[r].broadcast.mean!);
    // 8 turns of 50 ms on each core: taken by number, the last region's processes would wait 350 ms more than the first's
    expect(Math.max(...adds) - Math.min(...adds)).toBeLessThan(60);
    // every region waits about half the 8 turns: 4 × 50 ms, and the queue they leave
    expect(Math.min(...adds)).toBeGreaterThan(150);
  });
  it('is deterministic: the same seed, the same report', () => {
    expect(run({ hostCores: 2 }, 5)).toEqual(run({ hostCores: 2 }, 5));
  });
  it('a machine with a core per process changes nothing', () => {
    expect(run({ hostCores: 16 }).regions).toEqual(own.regions);
  });
  it('fewer cores, longer waits', () => {
    const mean = (r: Report) => r.global.broadcast.mean!;
    expect(mean(run({ hostCores: 1 }))).toBeGreaterThan(mean(run({ hostCores: 4 })) + 20);
  });
});
