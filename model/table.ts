import { findRegion } from './regions.ts';
import type { MinAvgMax, Report, Summary } from './report.ts';

/**
 * A Report as text for a person: a per-region table like the measured WebSocket-bench reports,
 * then the headline figures. Pure: the same Report gives the same text. Used by `sim run`,
 * `sim import` and `sim live run`.
 */
export function formatReport(report: Report): string {
  const lines: string[] = [];
  const title = [
    `${report.arch}`,
    `${fmtInt(report.users)} users`,
    typeof report.extra?.dbMode === 'string' ? `${report.extra.dbMode} drivers` : null,
    report.seed !== null ? `seed ${report.seed}` : null,
    `${fmtInt(report.durationS)} s ${report.kind === 'sim' ? 'simulated' : report.kind === 'live' ? 'run live' : 'measured'}`,
  ].filter(Boolean);
  lines.push(title.join(' · '));
  lines.push('');
  const header = ['region', 'connected', 'failed', 'pending', 'handshake ms', 'request ms', 'broadcast ms'];
  const sub = ['', '', '', '', 'mean / p50 / p98', 'mean / p50 / p98', 'mean / p50 / p98'];
  const rows: string[][] = [];
  for (const [id, r] of Object.entries(report.regions)) {
    rows.push([regionLabel(id), fmtInt(r.connected), fmtInt(r.failed), fmtInt(r.pending ?? 0), triple(r.handshake), triple(r.request), triple(r.broadcast)]);
  }
  const g = report.global;
  rows.push(['global', fmtInt(g.connected), fmtInt(g.failed), fmtInt(g.pending ?? 0), triple(g.handshake), triple(g.request), triple(g.broadcast)]);
  lines.push(...table([header, sub, ...rows], [false, true, true, true, true, true, true]));
  lines.push('');
  const ci = ciTable(report);
  if (ci.length) lines.push(...ci, '');
  lines.push(...headline(report));
  if (report.notes?.length) {
    lines.push('');
    for (const n of report.notes) lines.push(`note: ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

interface CiInterval { mean: number | null; lo: number | null; hi: number | null }
type CiRegion = { connected: CiInterval } & Record<'handshake' | 'request' | 'broadcast', Record<string, CiInterval>>;

/** When the Report holds replications (`extra.ci`), every key figure with its 95% interval. */
function ciTable(report: Report): string[] {
  const ci = report.extra?.ci as { level: number; replications: number; regions: Record<string, CiRegion>; global: CiRegion } | undefined;
  if (!ci?.regions || !ci.global) return [];
  const cell = (i: CiInterval | undefined): string =>
    !i || i.mean === null ? '—' : i.lo === null || i.hi === null ? fmtMs(i.mean) : `${fmtMs(i.mean)} [${fmtMs(i.lo)}, ${fmtMs(i.hi)}]`;
  const count = (i: CiInterval | undefined): string =>
    !i || i.mean === null ? '—' : i.lo === null || i.hi === null ? fmtInt(i.mean) : `${fmtInt(i.mean)} [${fmtInt(i.lo)}, ${fmtInt(i.hi)}]`;
  const rows = [['region', 'connected', 'handshake mean', 'request mean', 'request p98', 'broadcast mean', 'broadcast p98']];
  const add = (label: string, r: CiRegion) =>
    rows.push([label, count(r.connected), cell(r.handshake?.mean), cell(r.request?.mean), cell(r.request?.p98), cell(r.broadcast?.mean), cell(r.broadcast?.p98)]);
  for (const [id, r] of Object.entries(ci.regions)) add(regionLabel(id), r);
  add('global', ci.global);
  return [`${Math.round(ci.level * 100)}% confidence intervals over ${ci.replications} replications (ms; mean [lo, hi])`, ...table(rows, [false, true, true, true, true, true, true])];
}

function headline(report: Report): string[] {
  const out: string[] = [];
  const g = report.global;
  // launched: a Report from before `pending` has none
  const pending = g.pending ?? 0;
  const total = g.connected + g.failed + pending;
  const notOpen = [g.failed ? `${fmtInt(g.failed)} failed` : '', pending ? `${fmtInt(pending)} still pending at the end` : ''].filter(Boolean).join(', ');
  out.push(`connected        ${fmtInt(g.connected)} of ${fmtInt(total)} launched${notOpen ? ` (${notOpen})` : ''}`);
  out.push(`request latency  mean ${fmtMs(g.request.mean)}, median ${fmtMs(g.request.median)}, p98 ${fmtMs(g.request.p98)}, max ${fmtMs(g.request.max)}`);
  out.push(`broadcast        mean ${fmtMs(g.broadcast.mean)}, p98 ${fmtMs(g.broadcast.p98)}`);
  const c = report.counts;
  out.push(`load             ${fmtInt(c.handledRequests)} requests, ${fmtInt(c.broadcasts)} broadcasts, Redis ${fmtInt(c.redisHits)} hits / ${fmtInt(c.redisMisses)} misses, MySQL ${fmtInt(c.mysqlQueries)} queries`);
  if (report.resources) {
    for (const i of report.resources.instances) {
      out.push(`cpu              ${i.name} (${i.type}, ${i.cores} vCPU, ${i.region}): ${mam(i.cpu, '%')}`);
      if (report.resources.instances.length > 6 && out.length > 12) {
        out.push(`                 ... ${report.resources.instances.length} instances in all`);
        break;
      }
    }
  }
  if (report.network) out.push(`network          in ${fmtBytes(report.network.inBytes)}, out ${fmtBytes(report.network.outBytes)}`);
  if (report.cost) out.push(`cost             $${report.cost.totalHourly.toFixed(4)} per hour`);
  if (report.meters) {
    const m = report.meters;
    out.push(`meters           CRUM ${mam(m.crum)}; SPM ${mam(m.spm)}; SLM ${fmtNum(m.slm)}; SEC ${mam(m.sec)}`);
  }
  return out;
}

export function regionLabel(id: string): string {
  const r = findRegion(id);
  return r ? `${r.name} (${id})` : id;
}

function triple(s: Summary): string {
  if (s.count === 0) return '—';
  return `${fmtMs(s.mean)} / ${fmtMs(s.median)} / ${fmtMs(s.p98)}`;
}

/** ms with sensible precision; minutes and hours spelled out where a collapsed system reports them */
export function fmtMs(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  if (v >= 3_600_000) return `${(v / 3_600_000).toFixed(1)} h`;
  if (v >= 120_000) return `${(v / 60_000).toFixed(1)} min`;
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  return v >= 100 ? `${Math.round(v)}` : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function fmtInt(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  return Math.round(v).toLocaleString('en-US');
}

function fmtNum(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  return Math.abs(v) >= 100 ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : v.toPrecision(4);
}

function mam(m: MinAvgMax | null, unit = ''): string {
  if (!m) return '—';
  return `${fmtNum(m.min)}${unit} / ${fmtNum(m.avg)}${unit} / ${fmtNum(m.max)}${unit} (min/avg/max)`;
}

export function fmtBytes(v: number | null): string {
  if (v === null) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let x = v;
  let i = 0;
  while (x >= 1000 && i < units.length - 1) { x /= 1000; i++; }
  return `${x.toFixed(i === 0 ? 0 : 2)} ${units[i]}`;
}

/** Aligns columns; `right[i]` right-aligns column i. */
export function table(rows: string[][], right: boolean[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (right[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd());
}
