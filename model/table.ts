import { findRegion } from './regions.ts';
import type { MinAvgMax, RegionResult, Report, Summary } from './report.ts';

/**
 * A Report as text for a person: a per-region table like the measured WebSocket-bench reports,
 * then the headline figures. Every number carries its unit; a column of latencies has one unit,
 * chosen for the column (ms, s, min or h by its largest value); lines fit `width` columns (notes
 * wrap). Pure: the same Report and width give the same text. Used by `sim run`.
 */
export function formatReport(report: Report, width = DEFAULT_WIDTH): string {
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
  const regions = [...Object.entries(report.regions).map(([id, r]) => [regionName(id), r] as const), ['global', report.global] as const];
  const groups = (['handshake', 'request', 'broadcast'] as const).map((kind) => {
    const unit = unitFor(regions.flatMap(([, r]) => [r[kind].mean, r[kind].median, r[kind].p98]));
    return { kind, unit };
  });
  // connections that failed or were still pending at the end get a column when there are any
  // (a column of zeros says nothing the headline's "connected N of N launched" does not)
  const counts = [
    { name: 'connected', of: (r: RegionResult) => r.connected, shown: true },
    { name: 'failed', of: (r: RegionResult) => r.failed, shown: regions.some(([, r]) => r.failed > 0) },
    { name: 'pending', of: (r: RegionResult) => r.pending ?? 0, shown: regions.some(([, r]) => (r.pending ?? 0) > 0) },
  ].filter((c) => c.shown);
  const header = ['region', ...counts.map((c) => c.name), ...groups.map((g) => `${g.kind}, ${g.unit.name}`)];
  const sub = ['', ...counts.map(() => ''), ...groups.map(() => 'mean / p50 / p98')];
  const rows = regions.map(([label, r]) => [label, ...counts.map((c) => fmtInt(c.of(r))), ...groups.map((g) => triple(r[g.kind], g.unit))]);
  lines.push(...table([header, sub, ...rows], [false, ...counts.map(() => true), true, true, true]));
  lines.push('');
  const ci = ciTable(report);
  if (ci.length) lines.push(...ci, '');
  lines.push(...headline(report));
  if (report.notes?.length) {
    lines.push('');
    for (const n of report.notes) lines.push(...wrap(`note: ${n}`, width, '      '));
  }
  return `${lines.join('\n')}\n`;
}

/** Columns a report's text fits in when the terminal does not say. */
export const DEFAULT_WIDTH = 100;

interface CiInterval { mean: number | null; lo: number | null; hi: number | null }
type CiRegion = { connected: CiInterval } & Record<'handshake' | 'request' | 'broadcast', Record<string, CiInterval>>;

/** When the Report holds replications (`extra.ci`), every key figure with its 95% interval. */
function ciTable(report: Report): string[] {
  const ci = report.extra?.ci as { level: number; replications: number; regions: Record<string, CiRegion>; global: CiRegion } | undefined;
  if (!ci?.regions || !ci.global) return [];
  const all = [...Object.entries(ci.regions).map(([id, r]) => [regionName(id), r] as const), ['global', ci.global] as const];
  const count = (i: CiInterval | undefined): string =>
    !i || i.mean === null ? '—' : i.lo === null || i.hi === null ? fmtInt(i.mean) : `${fmtInt(i.mean)} ± ${fmtInt((i.hi - i.lo) / 2)}`;
  const figures = [['handshake', 'mean'], ['request', 'mean'], ['request', 'p98'], ['broadcast', 'mean'], ['broadcast', 'p98']] as const;
  const columns = figures.map(([kind, stat]) => {
    const pick = (r: CiRegion) => r[kind]?.[stat];
    const unit = unitFor(all.flatMap(([, r]) => [pick(r)?.mean ?? null, pick(r)?.lo ?? null, pick(r)?.hi ?? null]));
    const cell = (i: CiInterval | undefined): string =>
      !i || i.mean === null ? '—' : i.lo === null || i.hi === null ? inUnit(i.mean, unit) : `${inUnit(i.mean, unit)} ± ${inUnit((i.hi - i.lo) / 2, unit)}`;
    return { title: `${kind === 'handshake' ? 'hs.' : kind === 'broadcast' ? 'bcast' : 'req.'} ${stat}, ${unit.name}`, pick, cell };
  });
  const rows = [['region', 'connected', ...columns.map((c) => c.title)]];
  for (const [label, r] of all) rows.push([label, count(r.connected), ...columns.map((c) => c.cell(c.pick(r)))]);
  return [`${Math.round(ci.level * 100)}% intervals over ${ci.replications} replications (mean ± half-width; hs. = handshake, bcast = broadcast)`, ...table(rows, [false, true, true, true, true, true, true])];
}

/** Instances listed one per line; beyond this many, the busiest are shown and the rest counted. */
const MAX_CPU_LINES = 10;

function headline(report: Report): string[] {
  const out: string[] = [];
  const g = report.global;
  // launched: a Report from before `pending` has none
  const pending = g.pending ?? 0;
  const total = g.connected + g.failed + pending;
  const notOpen = [g.failed ? `${fmtInt(g.failed)} failed` : '', pending ? `${fmtInt(pending)} still pending at the end` : ''].filter(Boolean).join(', ');
  out.push(`connected        ${fmtInt(g.connected)} of ${fmtInt(total)} launched${notOpen ? ` (${notOpen})` : ''}`);
  out.push(`request latency  mean ${fmtMs(g.request.mean)}, median ${fmtMs(g.request.median)}, p98 ${fmtMs(g.request.p98)}, max ${fmtMs(g.request.max)}`);
  out.push(`broadcast        mean ${fmtMs(g.broadcast.mean)}, median ${fmtMs(g.broadcast.median)}, p98 ${fmtMs(g.broadcast.p98)}`);
  const c = report.counts;
  out.push(`load             ${fmtInt(c.handledRequests)} requests, ${fmtInt(c.broadcasts)} broadcasts`);
  out.push(`                 Redis ${fmtInt(c.redisHits)} hits, ${fmtInt(c.redisMisses)} misses; MySQL ${fmtInt(c.mysqlQueries)} queries`);
  if (report.resources) {
    const all = report.resources.instances;
    const shown = all.length <= MAX_CPU_LINES ? all : [...all].sort((a, b) => (b.cpu?.avg ?? 0) - (a.cpu?.avg ?? 0)).slice(0, MAX_CPU_LINES - 1);
    out.push(`cpu              % of vCPUs per minute, min / avg / max${shown.length < all.length ? ` (the ${shown.length} busiest of ${all.length} instances)` : ''}`);
    const rows = shown.map((i) => ['', i.name, i.type, `${i.cores} vCPU`, regionName(i.region), cpuTriple(i.cpu)]);
    out.push(...table(rows, [false, false, false, true, false, true]).map((l) => `               ${l}`));
    if (shown.length < all.length) out.push(`                 ... and ${all.length - shown.length} more (every instance is in the Report JSON: --out or --format json)`);
  }
  if (report.network) out.push(`network          in ${fmtBytes(report.network.inBytes)}, out ${fmtBytes(report.network.outBytes)}`);
  if (report.cost) out.push(`cost             $${report.cost.totalHourly.toFixed(2)} per hour`);
  if (report.meters) {
    const m = report.meters;
    out.push('meters           polygon areas, no unit (docs/meters.md); min / avg / max');
    out.push(`                 CRUM ${mam(m.crum)}; SLM ${fmtNum(m.slm)}`);
    out.push(`                 SPM ${mam(m.spm)}`);
    out.push(`                 SEC ${mam(m.sec)}`);
  }
  return out;
}

/** A region's name (`Sydney`), or its id when it is not one of the known regions. */
function regionName(id: string): string {
  return findRegion(id)?.name ?? id;
}

function triple(s: Summary, unit: Unit): string {
  if (s.count === 0) return '—';
  return `${inUnit(s.mean, unit)} / ${inUnit(s.median, unit)} / ${inUnit(s.p98, unit)}`;
}

interface Unit { name: string; ms: number }
const UNITS: readonly Unit[] = [{ name: 'ms', ms: 1 }, { name: 's', ms: 1000 }, { name: 'min', ms: 60_000 }, { name: 'h', ms: 3_600_000 }];

/**
 * The unit of a column of milliseconds: the one its largest value reads best in (ms below 10 s,
 * s below 2 min, min below 2 h, else h), or a smaller one when the column's smallest value
 * would read below 0.005 in it (9 ms and 7.4 min in one column read 0.009 and 446 s).
 */
export function unitFor(valuesMs: readonly (number | null | undefined)[]): Unit {
  const finite = valuesMs.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
  const max = Math.max(0, ...finite);
  let i = max >= 7_200_000 ? 3 : max >= 120_000 ? 2 : max >= 10_000 ? 1 : 0;
  const min = Math.min(...finite);
  while (i > 0 && min / UNITS[i].ms < 0.005) i--;
  return UNITS[i];
}

/** A value of milliseconds in a column's unit, about three significant digits, without the unit. */
export function inUnit(v: number | null, unit: Unit): string {
  if (v === null || !Number.isFinite(v)) return '—';
  const x = v / unit.ms;
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(1) : x >= 1 || x === 0 ? x.toFixed(2) : x.toFixed(3);
}

function cpuTriple(m: MinAvgMax | null): string {
  if (!m) return '—';
  const pct = (v: number | null) => (v === null ? '—' : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  return `${pct(m.min)} / ${pct(m.avg)} / ${pct(m.max)} %`;
}

/** Words of `text` in lines of at most `width` columns (its own leading spaces kept), continuation lines indented. */
export function wrap(text: string, width: number, indent: string): string[] {
  const lead = /^ */.exec(text)![0];
  const out: string[] = [];
  let line = lead;
  // split on single spaces: runs of spaces inside (aligned columns) come back as empty words
  for (const word of text.slice(lead.length).split(' ')) {
    if (line.trim() && word && `${line} ${word}`.length > width) {
      out.push(line);
      line = `${indent}${word}`;
    } else {
      line = line.trim() || line.length > lead.length ? `${line} ${word}` : `${line}${word}`;
    }
  }
  if (line.trim()) out.push(line);
  return out;
}

/** One duration of milliseconds with its unit, chosen for the value: `7.43 ms`, `51.6 s`, `7.4 min`. */
export function fmtMs(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  const unit = unitFor([v]);
  return `${inUnit(v, unit)} ${unit.name}`;
}

export function fmtInt(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  return Math.round(v).toLocaleString('en-US');
}

function fmtNum(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  return Math.abs(v) >= 100 ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : v.toPrecision(4);
}

function mam(m: MinAvgMax | null): string {
  if (!m) return '—';
  return `${fmtNum(m.min)} / ${fmtNum(m.avg)} / ${fmtNum(m.max)}`;
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
