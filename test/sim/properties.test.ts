import { describe, expect, it } from 'vitest';
import { BUILT_IN_ARCHITECTURES, DB_MODES, builtInArchitecture, type Architecture, type DbMode } from '../../model/architecture.ts';
import { mergeParams } from '../../model/params.ts';
import type { Report } from '../../model/report.ts';
import { THESIS_SCENARIO, type Scenario } from '../../model/workload.ts';
import type { Progress } from '../../sim/input.ts';
import { simulate } from '../../sim/run.ts';

/** Properties every architecture and driver mode must have (STYLE.md: tests at three depths). */

function arch(name: string, dbMode: DbMode): Architecture {
  return { ...builtInArchitecture(name), dbMode };
}

function run(a: Architecture, scenario: Partial<Scenario>, onProgress?: (p: Progress) => void): Report {
  return simulate({ arch: a, scenario: { ...THESIS_SCENARIO, ...scenario }, params: mergeParams({}, 'test'), seed: 3 }, { onProgress }).report;
}

/** Mean CPU % over all instances and minutes (cores-weighted). */
function meanCpu(r: Report): number {
  const m = r.resources!.perMinute;
  return m.reduce((s, x) => s + x.cpu!, 0) / m.length;
}

const small = { users: 300, rampPerS: 30, durationS: 120 };

describe.each(BUILT_IN_ARCHITECTURES)('%s', (name) => {
  it.each(DB_MODES)('time never runs backwards (%s)', (mode) => {
    const seen: Progress[] = [];
    const r = run(arch(name, mode), small, (p) => seen.push(p));
    expect(seen.length).toBeGreaterThan(1);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i].simTimeS).toBeGreaterThanOrEqual(seen[i - 1].simTimeS);
      expect(seen[i].events).toBeGreaterThanOrEqual(seen[i - 1].events);
    }
    expect(seen[seen.length - 1].simTimeS).toBe(r.durationS);
    // every latency is a receive after its send
    for (const reg of Object.values(r.regions)) {
      for (const s of [reg.handshake, reg.request, reg.broadcast]) if (s.count > 0) expect(s.min!).toBeGreaterThan(0);
    }
  });

  it.each(DB_MODES)('more users never lowers CPU utilisation (%s)', (mode) => {
    const cpu = [100, 400, 1600].map((users) => meanCpu(run(arch(name, mode), { users, rampPerS: users / 10, durationS: 120 })));
    expect(cpu[1]).toBeGreaterThanOrEqual(cpu[0]);
    expect(cpu[2]).toBeGreaterThanOrEqual(cpu[1]);
  });
});

describe.each(['proposed1', 'proposed2'])('%s (a remote database)', (name) => {
  it('blocking is never faster than async where the database is in another region', () => {
    const scenario = { users: 800, rampPerS: 40, durationS: 120 };
    const blocking = run(arch(name, 'blocking'), scenario);
    const async = run(arch(name, 'async'), scenario);
    // clients are routed to their own region's server; the masters are in Ireland
    const remote = Object.keys(blocking.regions).filter((id) => id !== 'eu-west-1');
    expect(remote.length).toBe(7);
    for (const id of remote) {
      expect(blocking.regions[id].request.mean!).toBeGreaterThanOrEqual(async.regions[id].request.mean!);
      expect(blocking.regions[id].request.p98!).toBeGreaterThanOrEqual(async.regions[id].request.p98!);
    }
    expect(blocking.global.request.mean!).toBeGreaterThan(async.global.request.mean!);
  });
});
