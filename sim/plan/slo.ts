import { UserError } from '../../model/errors.ts';
import type { RegionResult, Report, Summary } from '../../model/report.ts';

/**
 * A service-level objective: bounds on latency statistics that every client region with users
 * (and the global figures) must meet, e.g. `request.p98<500ms,broadcast.p98<1s`.
 */
export type SloMetric = 'handshake' | 'request' | 'broadcast';
export const SLO_METRICS: readonly SloMetric[] = ['handshake', 'request', 'broadcast'];
export const SLO_STATS = ['mean', 'median', 'p50', 'p66', 'p75', 'p80', 'p90', 'p95', 'p98', 'p99', 'max'] as const;
export type SloStat = (typeof SLO_STATS)[number];

export interface SloTerm {
  metric: SloMetric;
  stat: SloStat;
  /** the statistic must be strictly below this (`<`) or at most this (`<=`), in ms */
  limitMs: number;
  inclusive: boolean;
  /** the term as the user wrote it, normalised: `request.p98<500ms` */
  text: string;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000 };

function bad(term: string, rule: string): UserError {
  return new UserError('CONFIG_INVALID', `--slo term ${JSON.stringify(term)} ${rule} (example: "request.p98<500ms,broadcast.p98<1s")`);
}

/**
 * Parses `metric.stat<limit` terms separated by commas. metric: handshake, request, broadcast;
 * stat: mean, median, p50..p99, max; limit: a number with unit ms or s; `<` or `<=`.
 * @throws UserError CONFIG_INVALID naming the term and the rule it breaks
 */
export function parseSlo(text: string): SloTerm[] {
  const parts = String(text).split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new UserError('CONFIG_INVALID', `--slo must list at least one term such as "request.p98<500ms" (got ${JSON.stringify(text)})`);
  const terms: SloTerm[] = [];
  for (const part of parts) {
    const m = /^([a-z]+)\.([a-z0-9]+)\s*(<=|<)\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([a-z]*)$/i.exec(part);
    if (!m) throw bad(part, 'must look like metric.stat<limit with a unit, e.g. request.p98<500ms');
    const [, metric, stat, op, num, unit] = m;
    if (!(SLO_METRICS as readonly string[]).includes(metric)) throw bad(part, `must start with one of ${SLO_METRICS.join(', ')}`);
    if (!(SLO_STATS as readonly string[]).includes(stat)) throw bad(part, `must use a statistic among ${SLO_STATS.join(', ')}`);
    if (!unit) throw bad(part, 'must give a unit for the limit: ms or s');
    const scale = UNIT_MS[unit.toLowerCase()];
    if (scale === undefined) throw bad(part, `must give the limit in ms or s (got unit ${JSON.stringify(unit)})`);
    const limitMs = Number(num) * scale;
    if (!(limitMs > 0) || !Number.isFinite(limitMs)) throw bad(part, 'must give a positive limit');
    if (terms.some((t) => t.metric === metric && t.stat === stat)) throw bad(part, `must not repeat ${metric}.${stat}`);
    terms.push({ metric: metric as SloMetric, stat: stat as SloStat, limitMs, inclusive: op === '<=', text: `${metric}.${stat}${op}${limitMs}ms` });
  }
  return terms;
}

/** One broken term: where, which figure, how far. */
export interface SloViolation {
  /** a client region id, or `global` */
  region: string;
  term: string;
  metric: SloMetric;
  stat: SloStat;
  /** null when the region has no sample of this metric at all (nobody connected, nothing answered) */
  valueMs: number | null;
  /** the limit in ms; for a `connected` shortfall, the share required (0..1) */
  limitMs: number;
  /** set for a shortfall of connected users instead of a latency: the share that connected */
  connectedShare?: number;
}

function statOf(s: Summary, stat: SloStat): number | null {
  return s[stat];
}

function meets(value: number | null, t: SloTerm): boolean {
  return value !== null && (t.inclusive ? value <= t.limitMs : value < t.limitMs);
}

/**
 * The terms a report breaks, per client region that has users in the report and globally,
 * worst first (by value / limit; a missing figure counts as worst).
 */
export function sloViolations(report: Report, terms: readonly SloTerm[]): SloViolation[] {
  const out: SloViolation[] = [];
  const check = (region: string, r: RegionResult): void => {
    if (r.connected + r.failed === 0) return;
    for (const t of terms) {
      const v = statOf(r[t.metric], t.stat);
      if (!meets(v, t)) out.push({ region, term: t.text, metric: t.metric, stat: t.stat, valueMs: v, limitMs: t.limitMs });
    }
  };
  for (const [id, r] of Object.entries(report.regions)) check(id, r);
  check('global', report.global);
  const badness = (v: SloViolation): number => (v.valueMs === null ? Infinity : v.valueMs / v.limitMs);
  return out.sort((a, b) => badness(b) - badness(a) || (a.region < b.region ? -1 : a.region > b.region ? 1 : 0));
}

/** `ap-southeast-2 request.p98 = 1,840 ms (limit 500 ms)` */
export function describeViolation(v: SloViolation): string {
  if (v.connectedShare !== undefined) return `${v.region} only ${(v.connectedShare * 100).toFixed(1)}% connected (need ${v.limitMs * 100}%)`;
  const value = v.valueMs === null ? 'no samples' : `${Math.round(v.valueMs).toLocaleString('en-US')} ms`;
  return `${v.region} ${v.metric}.${v.stat} = ${value} (limit ${v.limitMs.toLocaleString('en-US')} ms)`;
}
