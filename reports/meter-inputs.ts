import { levelsOf } from '../model/levels.ts';
import { BYTES_PER_MB, hoursPerDollar, slmInputsOf, slmRadii, spmInputsAt, spmRadii } from '../model/meters.ts';
import type { Report } from '../model/report.ts';
import { formatMs, formatNumber } from './format.ts';

/**
 * The raw inputs of the scalability meters (SYSTEM.md §5) at their average level, so each
 * meter can be drawn as the polygon it is and its inputs shown beside it. The inputs and their
 * order come from model/meters.ts (the code that computes the meters); this file adds only what
 * a chart needs (labels, units) and, where a Report lacks a per-minute series, an average from
 * its totals. Inputs a Report does not carry are null.
 */
export interface MeterAxis {
  key: string;
  label: string;
  unit: string;
}

export interface MeterDef {
  /** `crum`, `spm`, `slm`, `sec` */
  key: string;
  title: string;
  axes: MeterAxis[];
  /** the inputs in axis order; null entries are unknown */
  inputs: (r: Report) => (number | null)[];
  /** the meter as the Report states it (avg for min/avg/max meters) */
  reported: (r: Report) => number | null;
  /** true when all inputs have one unit, so the chart draws them on one shared scale */
  sameUnit?: boolean;
}

function avg(values: readonly (number | null)[]): number | null {
  return levelsOf(values.filter((v): v is number => v !== null && Number.isFinite(v)))?.avg ?? null;
}

/** Average CPU, memory and disk use in % over the run's minutes (else over instances, by cores). */
export function utilisationPct(r: Report, key: 'cpu' | 'memory' | 'disk'): number | null {
  const perMinute = avg(r.resources?.perMinute.map((m) => m[key]) ?? []);
  if (perMinute !== null) return perMinute;
  const inst = r.resources?.instances.filter((i) => i[key].avg !== null) ?? [];
  const cores = inst.reduce((a, i) => a + i.cores, 0);
  return cores > 0 ? inst.reduce((a, i) => a + i.cores * (i[key].avg as number), 0) / cores : null;
}

/** Network traffic in MB per minute over the run's whole duration, from its totals (for a Report without per-minute figures). */
function totalMbPerMin(r: Report, key: 'inBytes' | 'outBytes'): number | null {
  const total = r.network?.[key] ?? null;
  return total !== null && r.durationS > 0 ? total / BYTES_PER_MB / (r.durationS / 60) : null;
}

/** The SPM inputs at their average level, network from the totals where the Report has no per-minute series. */
function spmAverages(r: Report): (number | null)[] {
  const x = spmInputsAt(r, 'avg');
  return spmRadii({ ...x, networkInMbPerMin: x.networkInMbPerMin ?? totalMbPerMin(r, 'inBytes'), networkOutMbPerMin: x.networkOutMbPerMin ?? totalMbPerMin(r, 'outBytes') });
}

export const CRUM: MeterDef = {
  key: 'crum',
  title: 'CRUM — resource utilisation',
  axes: [{ key: 'cpu', label: 'CPU', unit: '%' }, { key: 'memory', label: 'memory', unit: '%' }, { key: 'disk', label: 'disk', unit: '%' }],
  inputs: (r) => [utilisationPct(r, 'cpu'), utilisationPct(r, 'memory'), utilisationPct(r, 'disk')],
  reported: (r) => r.meters?.crum?.avg ?? null,
  sameUnit: true,
};

export const SPM: MeterDef = {
  key: 'spm',
  title: 'SPM — performance',
  axes: [
    { key: 'handshake', label: '1/handshake', unit: '1/ms' }, { key: 'request', label: '1/request', unit: '1/ms' },
    { key: 'broadcast', label: '1/broadcast', unit: '1/ms' }, { key: 'netIn', label: 'network in', unit: 'MB/min' },
    { key: 'netOut', label: 'network out', unit: 'MB/min' },
  ],
  inputs: spmAverages,
  reported: (r) => r.meters?.spm?.avg ?? null,
};

export const SLM: MeterDef = {
  key: 'slm',
  title: 'SLM — load',
  axes: [
    { key: 'connected', label: 'connections', unit: 'users' }, { key: 'requests', label: 'handled requests', unit: 'count' },
    { key: 'redis', label: 'Redis hits', unit: 'count' }, { key: 'mysql', label: 'MySQL queries', unit: 'count' },
  ],
  inputs: (r) => slmRadii(slmInputsOf(r)),
  reported: (r) => r.meters?.slm ?? null,
};

export const SEC: MeterDef = {
  key: 'sec',
  title: 'SEC — effective capacity',
  axes: [
    { key: 'slm', label: 'SLM', unit: '÷10^12' }, { key: 'spm', label: 'SPM', unit: 'avg' },
    { key: 'crum', label: 'CRUM', unit: 'avg' }, { key: 'hoursPerDollar', label: 'hours per $', unit: 'h/$' },
  ],
  inputs: (r) => [r.meters?.slm ?? null, r.meters?.spm?.avg ?? null, r.meters?.crum?.avg ?? null, r.cost && r.cost.totalHourly > 0 ? hoursPerDollar(r.cost.totalHourly) : null],
  reported: (r) => r.meters?.sec?.avg ?? null,
};

/** An input as a person reads it: inverse latencies as `1/671 ms`, the rest as numbers. */
export function formatInput(axis: MeterAxis, x: number | null): string {
  if (x === null) return formatNumber(x);
  return axis.unit === '1/ms' && x > 0 ? `1/${formatMs(1 / x)}` : formatNumber(x);
}

/** The meters drawn, in SYSTEM.md order. */
export const METERS: readonly MeterDef[] = [CRUM, SPM, SLM, SEC];
