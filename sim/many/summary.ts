import type { Interval } from '../../model/report.ts';
import { halfWidth } from './ci.ts';
import type { SweepResult } from './sweep.ts';

/** A latency figure, with ± half the 95% interval when the report is replicated. */
function ms(value: number | null, iv?: Interval): string {
  if (value === null) return '-';
  const h = iv ? halfWidth(iv) : null;
  return h === null ? `${Math.round(value)}` : `${Math.round(value)}±${Math.round(h)}`;
}

/** Plain-text table: aligned columns; figures right-aligned, words left-aligned. */
export function textTable(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)));
  const figure = /^[-+\d.,%±]+$/;
  return rows.map((r) => r.map((v, c) => (c > 0 && figure.test(v) ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ').trimEnd());
}

/**
 * The summary of a sweep for a person: one row per cell with the global figures (p98 ± half
 * the 95% interval when replicated) and the keep-up verdict, then per architecture the load at
 * which it stops keeping up, and the rule used.
 */
export function formatSweep(result: SweepResult): string {
  const rows: string[][] = [['arch', 'drivers', 'users', 'connected', 'handshake p98', 'request p50', 'request p98', 'broadcast p98', 'served', 'keeps up']];
  for (const { cell, report, verdict } of result.cells) {
    const g = report.global;
    const ci = report.extra?.ci?.global;
    rows.push([
      cell.arch, cell.dbMode, String(cell.users),
      `${(verdict.connectedShare * 100).toFixed(1)}%`,
      ms(g.handshake.p98, ci?.handshake.p98),
      ms(g.request.p50, ci?.request.p50),
      ms(g.request.p98, ci?.request.p98),
      ms(g.broadcast.p98, ci?.broadcast.p98),
      verdict.servedShare === null ? '-' : `${(verdict.servedShare * 100).toFixed(0)}%`,
      verdict.keepsUp ? 'yes' : `no: ${verdict.reasons.join('; ')}`,
    ]);
  }
  const lines = ['latencies in ms (global); ± is half the 95% confidence interval over replications', '', ...textTable(rows), ''];
  lines.push('capacity (load at which each architecture stops keeping up):');
  for (const c of result.capacity) {
    const upTo = c.keepsUpTo === null ? 'keeps up at none of the loads tried' : `keeps up to ${c.keepsUpTo} users`;
    const stops = c.stopsAt === null ? 'keeps up at every load tried' : `stops at ${c.stopsAt} users (${c.reasons.join('; ')})`;
    lines.push(`  ${c.arch} (${c.dbMode}): ${upTo}; ${stops}`);
  }
  const r = result.rule;
  lines.push('', `keeps up = at least ${r.minConnectedShare * 100}% connected, global request p98 <= ${r.maxRequestP98Ms} ms, and handled requests at least ${r.minServedShare * 100}% of what the connected users would send with instant answers (no growing backlog)`);
  return `${lines.join('\n')}\n`;
}

/** The machine-readable summary written next to the cell reports (summary.json). */
export function sweepSummaryJson(result: SweepResult): unknown {
  return {
    rule: result.rule,
    cells: result.cells.map(({ cell, report, verdict }) => ({
      ...cell,
      file: `${cell.id}.json`,
      connected: report.global.connected,
      failed: report.global.failed,
      handshakeP98Ms: report.global.handshake.p98,
      requestP50Ms: report.global.request.p50,
      requestP98Ms: report.global.request.p98,
      broadcastP98Ms: report.global.broadcast.p98,
      handledRequests: report.counts.handledRequests,
      ci: report.extra?.ci?.global ?? null,
      verdict,
    })),
    capacity: result.capacity,
  };
}
