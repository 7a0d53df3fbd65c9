import { levelsOf, type Levels } from './levels.ts';
import type { Meters, Report } from './report.ts';

/**
 * The scalability meters of Pattabhiraman et al. (2011) as used by the thesis (SYSTEM.md §5).
 * Every meter is the area of a polygon whose radii are its inputs, at equal angles; the named
 * meters below fix the inputs and their order. Pure functions: the same code computes the meters
 * of simulated, live and imported Reports. See docs/meters.md for the conventions.
 */

/** Bytes in the "MB" of SYSTEM.md §5/§6: the thesis's network figures are mebibytes (2^20 bytes). */
export const BYTES_PER_MB = 1_048_576;

/** SLM is reported divided by this (SYSTEM.md §5). */
export const SLM_SCALE = 1e12;

/**
 * Area of the polygon whose n radii are `values` at equal angles 2π/n:
 * `A = 0.5 · sin(2π/n) · Σ x_i · x_{i+1}` with `x_{n+1} = x_1`.
 * The result depends on the order of the values. Fewer than three radii span no polygon,
 * except that n = 2 and n = 1 give 0 by the same formula (sin(π) = 0 is taken as exactly 0).
 * @throws Error if a value is not a finite number (callers map missing inputs to null first)
 */
export function polygonArea(values: readonly number[]): number {
  const n = values.length;
  if (n < 3) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) throw new Error(`polygonArea: radius ${i} is not a finite number (${x})`);
    sum += x * values[(i + 1) % n];
  }
  return 0.5 * Math.sin((2 * Math.PI) / n) * sum;
}

/** CRUM of one minute: CPU %, memory %, disk %, each already compiled over all instances. */
export function crumMinute(cpuPct: number, memoryPct: number, diskPct: number): number {
  return polygonArea([cpuPct, memoryPct, diskPct]);
}

/** Resources allocated to an architecture, the inputs of CRAM (summed over all instances). */
export interface Allocation {
  cores: number;
  memoryGiB: number;
  diskGb: number;
}

/** CRAM: the CRUM polygon over allocated amounts (cores, memory GiB, disk GB). */
export function cram(allocation: Allocation): number {
  return polygonArea([allocation.cores, allocation.memoryGiB, allocation.diskGb]);
}

/** One level (min, avg or max) of the SPM inputs: latencies in ms, network in MB per minute. */
export interface SpmInputs {
  handshakeMs: number;
  requestMs: number;
  broadcastMs: number;
  networkInMbPerMin: number;
  networkOutMbPerMin: number;
}

/** SPM inputs as a Report may hold them: each null when unknown. */
export type MaybeSpmInputs = { [K in keyof SpmInputs]: number | null };

const inverse = (ms: number | null): number | null => (ms === null ? null : 1 / ms);

/** The radii of SPM in order: 1/handshake, 1/request, 1/broadcast (1/ms), network in, network out (MB/min); null where an input is. */
export function spmRadii(x: MaybeSpmInputs): (number | null)[] {
  return [inverse(x.handshakeMs), inverse(x.requestMs), inverse(x.broadcastMs), x.networkInMbPerMin, x.networkOutMbPerMin];
}

/**
 * SPM at one level: `polygon(1/handshake, 1/request, 1/broadcast, network in, network out)`,
 * latencies in ms, network in MB (2^20 bytes) per minute.
 */
export function spm(x: SpmInputs): number {
  return polygonArea(spmRadii(x) as number[]);
}

/** The inputs of SLM: counts over the whole run. */
export interface SlmInputs {
  connections: number;
  handledRequests: number;
  redisHits: number;
  mysqlQueries: number;
}

/** The radii of SLM in order: connections, handled requests, Redis hits, MySQL queries. */
export function slmRadii<T extends number | null>(x: { [K in keyof SlmInputs]: T }): T[] {
  return [x.connections, x.handledRequests, x.redisHits, x.mysqlQueries];
}

/** SLM: `polygon(connections, handled requests, Redis hits, MySQL queries) / 10^12`. */
export function slm(x: SlmInputs): number {
  return polygonArea(slmRadii(x)) / SLM_SCALE;
}

/**
 * SEC with the thesis's cost extension: `polygon(SLM, SPM, CRUM, hours per dollar)`, where hours
 * per dollar is `1 / hourly cost` (see {@link hoursPerDollar}).
 */
export function sec(slmValue: number, spmValue: number, crumValue: number, hoursPerDollarValue: number): number {
  return polygonArea([slmValue, spmValue, crumValue, hoursPerDollarValue]);
}

/** SCM: `polygon(SLM, SPM, CRAM)`. */
export function scm(slmValue: number, spmValue: number, cramValue: number): number {
  return polygonArea([slmValue, spmValue, cramValue]);
}

/** The cost factor of SEC: hours of running per dollar. @throws Error for a non-positive cost */
export function hoursPerDollar(totalHourlyCost: number): number {
  if (!(totalHourlyCost > 0)) throw new Error(`hoursPerDollar: hourly cost must be positive (got ${totalHourlyCost})`);
  return 1 / totalHourlyCost;
}

/** ESS as the thesis used it (one load level per architecture): (SPM_max − SPM_min) / (SEC_max − SEC_min). */
export function essThesis(spmLevels: { min: number; max: number }, secLevels: { min: number; max: number }): number {
  return (spmLevels.max - spmLevels.min) / (secLevels.max - secLevels.min);
}

/** ESS in the literature form: (SL / SL_min) / (SEC / SEC_min), against a reference (minimum) load level. */
export function essLiterature(sl: number, slMin: number, secValue: number, secMin: number): number {
  return sl / slMin / (secValue / secMin);
}

/** ESR: the effective scalable range, SEC_max − SEC_min. */
export function esr(secLevels: { min: number; max: number }): number {
  return secLevels.max - secLevels.min;
}

/** Options of {@link metersFor}. */
export interface MeterOptions {
  /** allocated resources, for CRAM and SCM; without it they are null */
  allocation?: Allocation | null;
  /** a reference run (lowest load level) for the literature form of ESS */
  reference?: { slm: number; secAvg: number } | null;
  /**
   * A constant disk % for minutes whose disk is null, for sources that do not model disk (a
   * simulator). Without it such minutes have no CRUM. A caller that uses it must say so in the
   * Report's notes; measured disk values are never replaced.
   */
  diskPct?: number | null;
}

/**
 * The meters of any Report (simulated, live or imported), from its own fields:
 * - CRUM from `resources.perMinute` (minutes missing an input are skipped; `options.diskPct` may
 *   stand in for an unmodelled disk), min/avg/max over minutes;
 * - SPM min from p98 latencies and minimum network, avg from means and mean network, max from
 *   minimum latencies and maximum network (`network.perMinute`, MB = 2^20 bytes);
 * - SLM from `global.connected` and `counts` (handled requests, Redis hits, MySQL queries);
 * - SEC per level (min with min, ...) with hours per dollar from `cost.totalHourly`;
 * - ESS (thesis form) and ESR from the SEC and SPM levels;
 * - extra keys `cram`, `scm` (with `options.allocation`) and `essLiterature` (with `options.reference`).
 * A meter whose inputs are missing is null, never estimated.
 */
export function metersFor(report: Report, cost: Report['cost'] | null, options: MeterOptions = {}): Meters {
  const crumLevels = crumOf(report, options.diskPct ?? null);
  const spmLevels = spmOf(report);
  const slmValue = slmOf(report);
  const hpd = cost && cost.totalHourly > 0 ? hoursPerDollar(cost.totalHourly) : null;
  const secLevels = slmValue !== null && spmLevels && crumLevels && hpd !== null
    ? mapLevels((k) => sec(slmValue, spmLevels[k], crumLevels[k], hpd))
    : null;
  const cramValue = options.allocation ? cram(options.allocation) : null;
  const scmLevels = slmValue !== null && spmLevels && cramValue !== null
    ? mapLevels((k) => scm(slmValue, spmLevels[k], cramValue))
    : null;
  const ref = options.reference;
  return {
    crum: crumLevels,
    spm: spmLevels,
    slm: slmValue,
    sec: secLevels,
    ess: secLevels && spmLevels && secLevels.max !== secLevels.min ? essThesis(spmLevels, secLevels) : null,
    esr: secLevels ? esr(secLevels) : null,
    cram: cramValue,
    scm: scmLevels,
    essLiterature: ref && slmValue !== null && secLevels ? essLiterature(slmValue, ref.slm, secLevels.avg, ref.secAvg) : null,
  };
}

function mapLevels(f: (k: keyof Levels) => number): Levels {
  return { min: f('min'), avg: f('avg'), max: f('max') };
}

/**
 * min/avg/max of the per-minute CRUM, or null when no minute has all three inputs. `diskPct`
 * stands in for a null disk (see {@link MeterOptions.diskPct}).
 */
export function crumOf(report: Report, diskPct: number | null = null): Levels | null {
  const minutes = report.resources?.perMinute ?? [];
  return levelsOf(minutes.map((m) => {
    const disk = m.disk ?? diskPct;
    return m.cpu === null || m.memory === null || disk === null ? null : crumMinute(m.cpu, m.memory, disk);
  }));
}

/** min/avg/max of a per-minute byte series in MB per minute over its finite values, or null. */
function mbPerMinuteLevels(values: (number | null)[]): Levels | null {
  const l = levelsOf(values.filter((v): v is number => v !== null && Number.isFinite(v)));
  return l && { min: l.min / BYTES_PER_MB, avg: l.avg / BYTES_PER_MB, max: l.max / BYTES_PER_MB };
}

/** The latency of a Summary that SPM uses at a level: p98 at min, mean at avg, min at max (ms); null unless positive. */
const LATENCY_AT = { min: 'p98', avg: 'mean', max: 'min' } as const;

/**
 * The SPM inputs of a Report at one level, each null when the Report lacks it: the global
 * latencies of {@link LATENCY_AT} (ms, null unless positive) and the network per minute (MB per
 * minute) at the same level over `network.perMinute`.
 */
export function spmInputsAt(report: Report, level: keyof Levels): MaybeSpmInputs {
  const minutes = report.network?.perMinute ?? [];
  const latency = (kind: 'handshake' | 'request' | 'broadcast'): number | null => {
    const v = report.global[kind][LATENCY_AT[level]];
    return v !== null && v > 0 ? v : null;
  };
  return {
    handshakeMs: latency('handshake'),
    requestMs: latency('request'),
    broadcastMs: latency('broadcast'),
    networkInMbPerMin: mbPerMinuteLevels(minutes.map((m) => m.inBytes))?.[level] ?? null,
    networkOutMbPerMin: mbPerMinuteLevels(minutes.map((m) => m.outBytes))?.[level] ?? null,
  };
}

const known = (x: MaybeSpmInputs): x is SpmInputs => Object.values(x).every((v) => v !== null);

/** SPM min/avg/max from a Report's global latencies and network minutes, or null when an input of any level is missing. */
export function spmOf(report: Report): Levels | null {
  const at = { min: spmInputsAt(report, 'min'), avg: spmInputsAt(report, 'avg'), max: spmInputsAt(report, 'max') };
  if (!known(at.min) || !known(at.avg) || !known(at.max)) return null;
  return mapLevels((k) => spm(at[k] as SpmInputs));
}

/** The SLM inputs of a Report: global connections and its counts, each null when unknown. */
export function slmInputsOf(report: Report): { [K in keyof SlmInputs]: number | null } {
  const c = report.counts;
  return { connections: report.global.connected, handledRequests: c.handledRequests, redisHits: c.redisHits, mysqlQueries: c.mysqlQueries };
}

/** SLM of a Report, or null when a count is missing. */
export function slmOf(report: Report): number | null {
  const { connections, handledRequests, redisHits, mysqlQueries } = slmInputsOf(report);
  if (connections === null || handledRequests === null || redisHits === null || mysqlQueries === null) return null;
  return slm({ connections, handledRequests, redisHits, mysqlQueries });
}
