import { describe, expect, it } from 'vitest';
import { DEFAULT_KEEP_UP, keepUpVerdict } from '../../../sim/many/keepup.ts';
import { formatSweep, sweepSummaryJson } from '../../../sim/many/summary.ts';
import { capacityOf, type CellResult, type SweepResult } from '../../../sim/many/sweep.ts';
import { TEXT_WIDTH } from '../../../sim/many/text.ts';
import { THESIS_SCENARIO } from '../../../model/workload.ts';
import { fixture } from '../../reports/helpers.ts';

// Two cells from the report fixtures: with a 2 s request p98 limit the baseline keeps up at
// 24,000 users, Proposed I does not.
const RULE = { ...DEFAULT_KEEP_UP, maxRequestP98Ms: 2000 };
function result(): SweepResult {
  const cells: CellResult[] = (['baseline-sim', 'proposed1-sim'] as const).map((name) => {
    const report = fixture(name);
    const cell = { id: `${report.arch}-blocking-24000`, arch: report.arch, dbMode: 'blocking' as const, users: report.users };
    return { cell, report, verdict: keepUpVerdict(report, THESIS_SCENARIO, RULE) };
  });
  return { cells, capacity: capacityOf(cells), rule: RULE };
}

describe('the sweep summary for a person', () => {
  it('fits the text width, gives every latency column its unit, and says why a cell does not keep up', () => {
    const r = result();
    expect(r.cells.map((c) => c.verdict.keepsUp)).toEqual([true, false]);
    const text = formatSweep(r);
    const lines = text.trimEnd().split('\n');
    expect(lines.every((l) => l.length <= TEXT_WIDTH)).toBe(true);
    const header = lines.find((l) => l.startsWith('arch'))!;
    expect(header.match(/p\d\d ms/g)).toHaveLength(4);
    expect(text).toMatch(/^baseline +blocking +24,000 .* yes$/m);
    expect(text).toMatch(/^proposed1 +blocking +24,000 .* no$/m);
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain(`proposed1, blocking drivers, 24,000 users: ${r.cells[1].verdict.reasons.join('; ')}`);
    expect(flat).toContain('proposed1, blocking drivers: keeps up at none of the loads tried; stops at 24,000 users');
  });

  it('leaves the JSON summary as data: figures in their own fields, the reasons as the verdict gives them', () => {
    const r = result();
    const json = sweepSummaryJson(r) as { cells: { users: number; requestP98Ms: number | null; verdict: { reasons: string[] } }[] };
    expect(json.cells[1]).toMatchObject({ users: 24000, requestP98Ms: r.cells[1].report.global.request.p98 });
    expect(json.cells[1].verdict.reasons).toEqual(r.cells[1].verdict.reasons);
  });
});
