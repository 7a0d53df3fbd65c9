import { median } from '../model/levels.ts';
import { findRegion } from '../model/regions.ts';
import type { RegionResult, Report } from '../model/report.ts';
import { formatCount, formatDollarsPerHour, formatMs } from './format.ts';
import type { ReportOptions } from './options.ts';
import type { RegionView } from './region-order.ts';
import type { Source } from './sources.ts';

/** CPU use at or above this share of the cores (%) is reported as saturated. */
export const CPU_SATURATED_PCT = 90;

const MS_PER_MIN = 60_000;
const MS_PER_H = 3_600_000;

/** A region's typical request wait: its median, else its mean; null when nothing was answered. */
function typicalRequestMs(r: RegionResult): number | null {
  return r.request.median ?? r.request.p50 ?? r.request.mean;
}

/** Whether a region keeps up: its typical request wait is under the limit and it answered something. */
export function keepsUp(r: RegionResult, limitMs: number): boolean {
  if (r.connected === 0 && r.failed > 0) return false;
  const ms = typicalRequestMs(r);
  if (ms === null) return r.connected === 0; // connected users but no answered request: stalled
  return ms <= limitMs;
}

function waitWord(ms: number): string {
  if (ms >= MS_PER_H) return 'hours';
  if (ms >= MS_PER_MIN) return 'minutes';
  return 'seconds';
}

function nameOf(id: string): string {
  return findRegion(id)?.name ?? id;
}

function listNames(ids: readonly string[]): string {
  const names = ids.map(nameOf);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * The database driver mode (blocking / async / batched) when the Report names one, in `extra`
 * (the simulator's `extra.dbMode`) or in `params`, under a key like driver / dbMode.
 */
export function driverMode(report: Pick<Report, 'params' | 'extra'>): string | null {
  const visit = (o: unknown, depth: number): string | null => {
    if (o === null || typeof o !== 'object' || depth > 3) return null;
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
      if (typeof v === 'string' && /driver|db.?mode|database.?mode/i.test(k) && /^(blocking|async|batched)$/.test(v)) return v;
      const inner = visit(v, depth + 1);
      if (inner) return inner;
    }
    return null;
  };
  return visit(report.extra ?? null, 0) ?? visit(report.params, 0);
}

/** Region of the database instance, when the Report's instances name one (MySQL / RDS). */
export function databaseRegion(report: Report): string | null {
  const db = report.resources?.instances.find((i) => /mysql|mariadb|rds|\bdb\b|^db\./i.test(`${i.name} ${i.type}`));
  return db?.region ?? null;
}

/** Highest CPU use (%) any instance or minute reports, or null. */
export function peakCpuPct(report: Report): number | null {
  const values = [
    ...(report.resources?.instances.map((i) => i.cpu.max) ?? []),
    ...(report.resources?.perMinute.map((m) => m.cpu) ?? []),
  ].filter((v): v is number => v !== null);
  return values.length ? Math.max(...values) : null;
}

/** A likely cause of slow regions, read from the Report's own figures; null when none shows. */
function causeOf(report: Report, slow: readonly string[], fast: readonly string[]): string | null {
  const causes: string[] = [];
  const cpu = peakCpuPct(report);
  if (cpu !== null && cpu >= CPU_SATURATED_PCT) causes.push(`CPU saturated (peak ${Math.round(cpu)}%)`);
  const mode = driverMode(report);
  const dbRegion = databaseRegion(report);
  // remote round trips show when every slow region is away from the database and its own region keeps up
  const remote = dbRegion !== null && slow.length > 0 && !slow.includes(dbRegion) && fast.includes(dbRegion);
  if (remote && mode) causes.push(`${mode} database round trips to ${nameOf(dbRegion)}`);
  else if (remote) causes.push(`remote database round trips (the database's region, ${nameOf(dbRegion)}, keeps up)`);
  else if (mode === 'blocking' && slow.length > 0) causes.push('blocking database calls');
  return causes.length ? causes.join(', ') : null;
}

/**
 * A plain-language headline for one source, generated from its figures:
 * `proposed1 (sim): 7 of 8 regions cannot keep up (all but Ireland); requests wait minutes
 * (median 5.1 min in Sydney); ...`.
 */
export function headline(source: Source, regions: readonly RegionView[], options: ReportOptions): string {
  const r = source.report;
  const ids = regions.map((v) => v.id).filter((id) => r.regions[id]);
  const slow = ids.filter((id) => !keepsUp(r.regions[id], options.keepUpLimitMs));
  const fast = ids.filter((id) => !slow.includes(id));
  const parts: string[] = [];

  if (slow.length === 0) {
    const medians = ids.map((id) => ({ id, ms: typicalRequestMs(r.regions[id]) })).filter((m): m is { id: string; ms: number } => m.ms !== null);
    const lo = medians.reduce((a, b) => (b.ms < a.ms ? b : a), medians[0]);
    const hi = medians.reduce((a, b) => (b.ms > a.ms ? b : a), medians[0]);
    parts.push(`all ${ids.length} regions keep up`);
    if (lo && hi) parts.push(`request median ${formatMs(lo.ms)} (${nameOf(lo.id)}) to ${formatMs(hi.ms)} (${nameOf(hi.id)})`);
  } else {
    const but = fast.length > 0 && fast.length <= 2 ? `all but ${listNames(fast)}` : slow.length <= 3 ? listNames(slow) : `${fast.length} keep up`;
    parts.push(`${slow.length} of ${ids.length} regions cannot keep up (${but})`);
    const waits = slow.map((id) => ({ id, ms: typicalRequestMs(r.regions[id]) })).filter((m): m is { id: string; ms: number } => m.ms !== null);
    if (waits.length) {
      const worst = waits.reduce((a, b) => (b.ms > a.ms ? b : a));
      const mid = median(waits.map((w) => w.ms))!;
      parts.push(`requests wait ${waitWord(mid)} (median up to ${formatMs(worst.ms)}, in ${nameOf(worst.id)})`);
    } else parts.push('no request answered there');
  }
  if (r.global.request.p98 !== null) parts.push(`request p98 ${formatMs(r.global.request.p98)}`);

  const total = r.global.connected + r.global.failed;
  if (r.global.failed > 0) parts.push(`${formatCount(r.global.failed)} of ${formatCount(total)} users failed to connect (${((100 * r.global.failed) / total).toPrecision(2)}%)`);
  else parts.push(`all ${formatCount(r.global.connected)} users connected`);

  const cause = slow.length > 0 ? causeOf(r, slow, fast) : null;
  if (cause) parts.push(`cause: ${cause}`);
  if (r.cost) parts.push(formatDollarsPerHour(r.cost.totalHourly));
  return `${source.label}: ${parts.join('; ')}.`;
}
