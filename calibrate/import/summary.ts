import { minAvgMax } from '../../model/levels.ts';
import type { MinAvgMax, Report, Summary } from '../../model/report.ts';

/**
 * A short human summary of an imported Report: the per-region latency table and a headline of
 * resources, network, cost and meters. For people; the JSON Report is the contract.
 */
export function formatImportSummary(report: Report): string {
  const info = (report.extra?.import ?? {}) as { clientReports?: number; cloudWatchFiles?: number; window?: { from: string; to: string; minutes: number } | null };
  const out: string[] = [];
  const window = info.window ? `, window ${info.window.from} .. ${info.window.to} UTC (${info.window.minutes} min)` : '';
  out.push(`Imported "${report.arch}": ${info.clientReports ?? 0} client reports, ${info.cloudWatchFiles ?? 0} CloudWatch files${window}`);
  out.push(`${report.users} users, ${(report.durationS / 60).toFixed(1)} min`);
  out.push('');
  out.push(`${'region'.padEnd(16)}${'connected'.padStart(10)}${'failed'.padStart(7)}${'pending'.padStart(8)}   ${'handshake'.padStart(16)}${'request'.padStart(16)}${'broadcast'.padStart(16)}`);
  out.push(`${''.padEnd(41)}   ${'mean / p98 ms'.padStart(16)}${'mean / p98 ms'.padStart(16)}${'mean / p98 ms'.padStart(16)}`);
  const row = (name: string, r: Report['global']): string =>
    `${name.padEnd(16)}${String(r.connected).padStart(10)}${String(r.failed).padStart(7)}${String(r.pending ?? 0).padStart(8)}   ${lat(r.handshake)}${lat(r.request)}${lat(r.broadcast)}`;
  for (const [name, r] of Object.entries(report.regions)) out.push(row(name, r));
  out.push(row('global', report.global));
  out.push('');
  if (report.resources) {
    const at = (k: 'cpu' | 'memory' | 'disk'): MinAvgMax => minAvgMax(report.resources!.perMinute.map((m) => m[k]));
    out.push(`resources min/avg/max %: CPU ${mam(at('cpu'))}, memory ${mam(at('memory'))}, disk ${mam(at('disk'))}`);
  }
  if (report.network) {
    const gib = (b: number | null): string => (b === null ? '-' : `${(b / 2 ** 30).toFixed(2)} GB`);
    out.push(`network: in ${gib(report.network.inBytes)}, out ${gib(report.network.outBytes)}`);
  }
  out.push(`cost: ${report.cost ? `${report.cost.totalHourly.toFixed(4)} $/h` : '- (architecture or network unknown)'}`);
  const m = report.meters;
  if (m) {
    out.push(`meters: CRUM ${mam(m.crum, 2)}, SPM ${mam(m.spm, 2)}, SLM ${m.slm === null ? '-' : m.slm.toFixed(2)}, SEC ${mam(m.sec, 2)}`);
  }
  out.push('');
  out.push('Percentiles are approximations (count-weighted averages of report percentiles). Full Report: --out report.json');
  return out.join('\n');
}

function lat(s: Summary): string {
  const f = (v: number | null): string => (v === null ? '-' : v.toFixed(0));
  return `${f(s.mean)} / ${f(s.p98)}`.padStart(16);
}

function mam(x: MinAvgMax | null, digits = 2): string {
  if (!x || x.avg === null) return '-';
  const f = (v: number | null): string => (v === null ? '-' : v.toFixed(digits));
  return `${f(x.min)} / ${f(x.avg)} / ${f(x.max)}`;
}
