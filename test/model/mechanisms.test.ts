import { describe, expect, it } from 'vitest';
import { builtInArchitecture } from '../../model/architecture.ts';
import { MECHANISMS, withoutMechanism } from '../../model/mechanisms.ts';
import { loadParams } from '../../model/params-file.ts';
import { DEFAULT_PARAMS, mergeParams } from '../../model/params.ts';
import type { Report } from '../../model/report.ts';
import { THESIS_SCENARIO } from '../../model/workload.ts';
import { simulate } from '../../sim/run.ts';

describe('mechanisms (model/mechanisms.ts)', () => {
  it('have distinct names and a one-line description, and switch off with valid parameters', () => {
    expect(new Set(MECHANISMS.map((m) => m.name)).size).toBe(MECHANISMS.length);
    for (const m of MECHANISMS) {
      expect(m.what).not.toMatch(/\n/);
      expect(Object.keys(m.off.params ?? {}).length + (m.off.broadcastCheck ? 1 : 0)).toBeGreaterThan(0);
      expect(() => mergeParams(m.off.params ?? {}, m.name)).not.toThrow();
    }
  });

  it('switching one off changes only its own overrides and leaves the inputs untouched', () => {
    const arch = builtInArchitecture('proposed2');
    const params = structuredClone(DEFAULT_PARAMS);
    for (const m of MECHANISMS) {
      const out = withoutMechanism(arch, params, m);
      expect(params).toEqual(DEFAULT_PARAMS);
      const changed = Object.keys(out.params).filter((k) => JSON.stringify(out.params[k as keyof typeof params]) !== JSON.stringify(params[k as keyof typeof params]));
      expect(changed.every((k) => k in (m.off.params ?? {}))).toBe(true);
      expect(out.arch.broadcast.check).toBe(m.off.broadcastCheck ?? arch.broadcast.check);
      expect({ ...out.arch, broadcast: arch.broadcast }).toEqual(arch);
    }
  });

  it('each one, switched off alone, moves what a short run of proposed2 reports', () => {
    // the calibrated parameters (every mechanism on), with the first loop pause early enough to
    // fall inside a short run, and listen queues short enough to fill in one (a tenth of the users)
    const params = { ...loadParams('calibrate/fit/data/baseline-params.json'), loopPauseOnsetMessages: 0, listenBacklog: 16 };
    const arch = builtInArchitecture('proposed2');
    const scenario = { ...THESIS_SCENARIO, users: 2400, rampPerS: 24, durationS: 120 };
    const figures = (r: Report) => JSON.stringify([r.regions, r.global, r.counts, r.resources]);
    const on = figures(simulate({ arch, scenario, params, seed: 1 }).report);
    for (const m of MECHANISMS) {
      const off = withoutMechanism(arch, params, m);
      expect(figures(simulate({ ...off, scenario, seed: 1 }).report), m.name).not.toBe(on);
    }
  }, 120_000);
});
