import { describe, expect, it } from 'vitest';
import { redisMissEstimate } from '../../calibrate/fit/direct.ts';
import type { MeasuredRun } from '../../calibrate/fit/measured.ts';
import { liveHandlerOps } from '../../model/handler-ops.ts';
import type { Report } from '../../model/report.ts';
import { syntheticReport, TRUE_RTT_MS } from './fit-fixtures.ts';

function runOf(report: Report): MeasuredRun {
  return { spec: 'synthetic', report, regions: Object.keys(report.regions), usersPerRegion: {}, hash: { path: 'synthetic', sha256: '0'.repeat(64), files: [] }, fingerprints: {}, derivedFrom: [], subset: false };
}

/** A report with 600 connected users and the given counters, imported or live with a driver mode. */
function withCounters(hits: number, misses: number, live?: 'blocking' | 'batched'): MeasuredRun {
  const r = syntheticReport(TRUE_RTT_MS, 6, 12, live ? 'live' : 'import');
  r.global = { ...r.global, connected: 600 };
  r.counts = { ...r.counts, redisHits: hits, redisMisses: misses };
  if (live) r.params = { dbMode: live, windowCheck: 'racy', timeScale: 2.5, rampPerSecond: 120, processes: { eu: 2 }, handlerOps: liveHandlerOps(live, 'racy') };
  return runOf(r);
}

describe('redisMissEstimate (the Redis miss probability from measured counters)', () => {
  it('is misses over key reads for a run whose handlers have no account step', () => {
    expect(redisMissEstimate([withCounters(16_169, 603)])).toBeCloseTo(603 / 16_772, 4);
    expect(redisMissEstimate([withCounters(16_169, 603, 'batched')])).toBeCloseTo(603 / 16_772, 4);
  });

  it('leaves out one miss per connected user when the handlers make an account on a first prediction (opsFirstPredict): those the simulator makes itself', () => {
    // the live 2026-12-05 baseline: 603 misses of which 600 are its users' first predictions
    expect(redisMissEstimate([withCounters(16_169, 603, 'blocking')])).toBeCloseTo(3 / 16_772, 6);
    // never below zero
    expect(redisMissEstimate([withCounters(16_169, 500, 'blocking')])).toBe(0);
  });

  it('is null without counters', () => {
    const r = withCounters(0, 0);
    r.report.counts = { ...r.report.counts, redisHits: null, redisMisses: null };
    expect(redisMissEstimate([r])).toBeNull();
  });
});
