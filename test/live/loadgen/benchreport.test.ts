import { describe, expect, it } from 'vitest';
import { parseBenchReport } from '../../../calibrate/import/bench-report.ts';
import { formatBenchReport } from '../../../live/loadgen/benchreport.ts';
import { newHistogram, recordMs, summaryOf } from '../../../live/loadgen/hdr.ts';

describe('WebSocket-bench style report', () => {
  it('is read back by the importer of the thesis reports with the same figures', () => {
    const hs = newHistogram();
    const rq = newHistogram();
    const bc = newHistogram();
    for (let i = 0; i < 200; i++) recordMs(hs, 700 + i);
    for (let i = 0; i < 5000; i++) recordMs(rq, 180 + (i % 300));
    for (let i = 0; i < 9000; i++) recordMs(bc, 90 + (i % 50));
    const f = { timeTakenMs: 60_000, connected: 200, disconnected: 0, failed: 0, handshake: summaryOf(hs), request: summaryOf(rq), broadcast: summaryOf(bc) };
    const parsed = parseBenchReport(formatBenchReport(f, '# ap-southeast-2'), 'live');
    expect(parsed.connected).toBe(200);
    expect(parsed.failed).toBe(0);
    expect(parsed.timeTakenMs).toBe(60_000);
    for (const [m, s] of [['handshake', f.handshake], ['request', f.request], ['broadcast', f.broadcast]] as const) {
      const p = parsed.metrics[m]!;
      expect(p.count).toBe(s.count);
      expect(p.mean).toBe(Math.round(s.mean!));
      expect(p.median).toBe(Math.round(s.median!));
      expect(p.max).toBe(Math.round(s.max!));
      expect(p.percentiles.p99).toBe(Math.round(s.p99!));
    }
  });
});
