import type { Interval, Report } from '../../model/report.ts';
import { halfWidth } from './ci.ts';
import { textTable, TEXT_WIDTH, wrap } from './text.ts';
import type { SweepResult } from './sweep.ts';

/** A latency figure, with ± half the 95% interval when the report is replicated. */
function ms(value: number | null, iv?: Interval): string {
  if (value === null) return '-';
  const h = iv ? halfWidth(iv) : null;
  return h === null ? `${Math.round(value)}` : `${Math.round(value)}±${Math.round(h)}`;
}

const count = (x: number): string => x.toLocaleString('en-US');

/**
 * The summary of a sweep for a person: one row per cell with the global figures (p98 ± half
 * the 95% interval when replicated) and the keep-up verdict, why the cells that do not keep up
 * fail, then per architecture the load at which it stops keeping up, and the rule used. Every
 * line fits {@link TEXT_WIDTH} but the table's (ten short columns).
 */
export function formatSweep(result: SweepResult): string {
  const rows: string[][] = [
    ['', '', '', '', 'handshake', 'request', 'request', 'broadcast', '', ''],
    ['arch', 'drivers', 'users', 'connected', 'p98 ms', 'p50 ms', 'p98 ms', 'p98 ms', 'served', 'keeps up'],
  ];
  const whyNot: string[] = [];
  for (const { cell, report, verdict } of result.cells) {
    const g = report.global;
    const ci = report.extra?.ci?.global;
    rows.push([
      cell.arch, cell.dbMode, count(cell.users),
      `${(verdict.connectedShare * 100).toFixed(1)}%`,
      ms(g.handshake.p98, ci?.handshake.p98),
      ms(g.request.p50, ci?.request.p50),
      ms(g.request.p98, ci?.request.p98),
      ms(g.broadcast.p98, ci?.broadcast.p98),
      verdict.servedShare === null ? '-' : `${(verdict.servedShare * 100).toFixed(0)}%`,
      verdict.keepsUp ? 'yes' : 'no',
    ]);
    if (!verdict.keepsUp) whyNot.push(...wrap(verdict.reasons.join('; '), `  ${cell.arch}, ${cell.dbMode} drivers, ${count(cell.users)} users: `, '      '));
  }
  const replications = result.cells[0]?.report.extra?.ci?.replications ?? 1;
  const lines = [
    ...wrap(`latencies are global, in ms${replications > 1 ? `; ± is half the 95% confidence interval over ${replications} replications` : ''}; served: handled requests as a share of what the connected users would send with instant answers`),
    '',
    ...textTable(rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']),
  ];
  if (whyNot.length) lines.push('', 'why these cells do not keep up:', ...whyNot);
  lines.push('', 'capacity (the load at which each architecture stops keeping up):');
  for (const c of result.capacity) {
    const upTo = c.keepsUpTo === null ? 'keeps up at none of the loads tried' : `keeps up to ${count(c.keepsUpTo)} users`;
    const stops = c.stopsAt === null ? 'keeps up at every load tried' : `stops at ${count(c.stopsAt)} users (why: see above)`;
    lines.push(...wrap(`${upTo}; ${stops}`, `  ${c.arch}, ${c.dbMode} drivers: `, '      '));
  }
  const r = result.rule;
  lines.push('', ...wrap(`keeps up = at least ${r.minConnectedShare * 100}% connected, global request p98 <= ${r.maxRequestP98Ms} ms, and handled requests at least ${r.minServedShare * 100}% of what the connected users would send with instant answers (no growing backlog)`));
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
