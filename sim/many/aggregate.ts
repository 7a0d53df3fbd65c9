import type { Counts, Interval, RegionCi, RegionResult, ReplicationCi, Report, Summary } from '../../model/report.ts';
import { CONFIDENCE_LEVEL, intervalOf } from './ci.ts';

/**
 * Combines the Reports of independent replications of one input into one Report whose
 * figures are the means, with the 95% intervals in `extra.ci`.
 *
 * `extra.ci` (typed in model/report.ts as {@link ReplicationCi}):
 *     { level: 0.95, replications: n, seeds: [...],
 *       regions: { "<region>": { connected: Interval, failed: Interval,
 *                                handshake: { "<stat>": Interval }, request: {...}, broadcast: {...} } },
 *       global: { same shape as a region },
 *       counts: { handledRequests: Interval, redisHits: Interval, ... } }
 *     Interval = { mean, lo, hi, n }   (lo/hi null when fewer than 2 replications had the figure)
 */

function summaryCi(summaries: Summary[]): Record<string, Interval> {
  const out: Record<string, Interval> = {};
  for (const key of Object.keys(summaries[0]) as (keyof Summary)[]) out[key] = intervalOf(summaries.map((s) => s[key]));
  return out;
}

function regionCi(rs: RegionResult[]): RegionCi {
  return {
    connected: intervalOf(rs.map((r) => r.connected)),
    failed: intervalOf(rs.map((r) => r.failed)),
    handshake: summaryCi(rs.map((r) => r.handshake)),
    request: summaryCi(rs.map((r) => r.request)),
    broadcast: summaryCi(rs.map((r) => r.broadcast)),
  };
}

/**
 * Mean of every numeric leaf over the replicas, following the first replica's shape: numbers
 * average over the replicas that have a number there (null when none), arrays element by
 * element, strings and booleans from the first replica.
 */
export function meanOf(values: unknown[]): unknown {
  const first = values[0];
  if (typeof first === 'number' || first === null) {
    const iv = intervalOf(values as (number | null)[]);
    return iv.mean;
  }
  if (Array.isArray(first)) {
    const len = Math.max(...values.map((v) => (Array.isArray(v) ? v.length : 0)));
    return Array.from({ length: len }, (_, i) => meanOf(values.map((v) => (Array.isArray(v) ? v[i] : undefined)).filter((v) => v !== undefined)));
  }
  if (first && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(first)) {
      out[k] = meanOf(values.map((v) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined)).filter((v) => v !== undefined));
    }
    return out;
  }
  return first;
}

/**
 * One Report from n replications of the same input (same arch, scenario, params; seeds in
 * `seeds`, in replication order). Deterministic: the same replicas in the same order give the
 * same bytes. @throws Error when the replicas are not of one architecture and load.
 */
export function combineReplications(replicas: Report[], seeds: number[]): Report {
  if (replicas.length === 0) throw new Error('aggregate invariant violated: no replications to combine');
  const first = replicas[0];
  for (const r of replicas) {
    if (r.arch !== first.arch || r.users !== first.users || r.durationS !== first.durationS) {
      throw new Error(`aggregate invariant violated: replications of different inputs (${r.arch}/${r.users} vs ${first.arch}/${first.users})`);
    }
  }
  const regions: Record<string, RegionCi> = {};
  for (const id of Object.keys(first.regions)) regions[id] = regionCi(replicas.map((r) => r.regions[id]).filter(Boolean));
  const counts: Record<string, Interval> = {};
  for (const k of Object.keys(first.counts) as (keyof Counts)[]) counts[k] = intervalOf(replicas.map((r) => r.counts[k]));
  const ci: ReplicationCi = {
    level: CONFIDENCE_LEVEL,
    replications: replicas.length,
    seeds,
    regions,
    global: regionCi(replicas.map((r) => r.global)),
    counts,
  };
  const meanReport = meanOf(replicas.map(({ extra: _e, notes: _n, provenance: _p, params: _q, ...rest }) => rest)) as Omit<Report, 'extra' | 'notes' | 'provenance' | 'params'>;
  return {
    ...meanReport,
    kind: first.kind,
    arch: first.arch,
    users: first.users,
    seed: seeds[0] ?? first.seed,
    durationS: first.durationS,
    params: first.params,
    notes: [
      ...(first.notes ?? []),
      `Figures are means over ${replicas.length} independent replications (seeds in extra.ci.seeds); extra.ci holds their ${CONFIDENCE_LEVEL * 100}% confidence intervals (Student t).`,
    ],
    ...(first.provenance ? { provenance: first.provenance } : {}),
    extra: { ...(first.extra ?? {}), ci },
  };
}

