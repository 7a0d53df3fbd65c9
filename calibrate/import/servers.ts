import { minAvgMax } from '../../model/levels.ts';
import { UserError } from '../../model/errors.ts';
import type { InstanceResources, MinAvgMax, NetworkMinute, Report, ResourceMinute } from '../../model/report.ts';
import { formatMinute, type CwSeries } from './cloudwatch.ts';

/**
 * Compiles the CloudWatch series of a run's servers into the Report's per-minute resources and
 * network, the thesis's way (SYSTEM.md §5):
 * - CPU % = Σ(cores · util) / Σ cores over the sources that report CPU (a group's CPU counts with
 *   the cores of all its instances; equal weights when an instance type is unknown);
 * - memory % and disk % = 100 · Σ used / Σ available over instances (MemoryUsed/MemoryAvailable,
 *   DiskSpaceUsed/DiskSpaceAvailable), not an average of percentages; the *Utilization files
 *   are used, averaged, only for instances without used/available pairs;
 * - network in/out = Σ bytes per minute over the sources (a group's files when the region has
 *   a group, else the instances').
 * A minute is null when any source lacks it: never a partial sum presented as whole.
 */

/** One directory of CloudWatch files: an autoscale group or one instance. */
export interface ServerSource {
  region: string;
  /** directory name: `autoscale_group` or the instance's name (its IP) */
  name: string;
  group: boolean;
  /** relative directory, for messages */
  where: string;
  series: Map<string, CwSeries>;
}

/** What an instance is; `cores` 0 when the type is unknown. */
export interface InstanceSpec {
  type: string;
  cores: number;
}

export interface ServerImport {
  resources: NonNullable<Report['resources']>;
  network: Report['network'];
  window: { from: number; to: number };
  notes: string[];
}

type Series = (number | null)[];

function slice(s: CwSeries, from: number, minutes: number): Series {
  const out: Series = new Array(minutes);
  for (let i = 0; i < minutes; i++) out[i] = s.values.get(from + i) ?? null;
  return out;
}

/** Σ w·x / Σ w per minute; null where any input is null. */
function weightedMean(parts: { xs: Series; w: number }[], minutes: number): Series {
  const out: Series = new Array(minutes).fill(null);
  if (parts.length === 0) return out;
  const wSum = parts.reduce((s, p) => s + p.w, 0);
  for (let t = 0; t < minutes; t++) {
    let s = 0;
    let ok = true;
    for (const p of parts) {
      const x = p.xs[t];
      if (x === null) { ok = false; break; }
      s += p.w * x;
    }
    out[t] = ok ? s / wSum : null;
  }
  return out;
}

/** 100·Σused/Σavailable per minute; null where any input is null or nothing is available. */
function ratio(pairs: { used: Series; avail: Series }[], minutes: number): Series {
  const out: Series = new Array(minutes).fill(null);
  if (pairs.length === 0) return out;
  for (let t = 0; t < minutes; t++) {
    let u = 0, a = 0, ok = true;
    for (const p of pairs) {
      const x = p.used[t], y = p.avail[t];
      if (x === null || y === null) { ok = false; break; }
      u += x; a += y;
    }
    out[t] = ok && a > 0 ? (100 * u) / a : null;
  }
  return out;
}

/** Σ x per minute; null where any input is null. */
function sumSeries(parts: Series[], minutes: number): Series {
  const out: Series = new Array(minutes).fill(null);
  if (parts.length === 0) return out;
  for (let t = 0; t < minutes; t++) {
    let s = 0;
    let ok = true;
    for (const xs of parts) {
      const x = xs[t];
      if (x === null) { ok = false; break; }
      s += x;
    }
    out[t] = ok ? s : null;
  }
  return out;
}

/** The default window: the minutes every file covers (latest first row to earliest last row). */
export function defaultWindow(sources: readonly ServerSource[]): { from: number; to: number } {
  let from = -Infinity, to = Infinity;
  for (const src of sources) for (const s of src.series.values()) {
    if (s.values.size === 0) continue;
    let first = Infinity, last = -Infinity;
    for (const m of s.values.keys()) {
      if (m < first) first = m;
      if (m > last) last = m;
    }
    from = Math.max(from, first);
    to = Math.min(to, last);
  }
  if (!Number.isFinite(from) || !Number.isFinite(to) || from > to) {
    throw new UserError('IMPORT_MALFORMED', 'the CloudWatch files share no common minute; choose a window with --from and --to');
  }
  return { from, to };
}

/**
 * Compiles all server sources over the window (inclusive). `specOf` gives an instance's type
 * and cores. @throws UserError IMPORT_MALFORMED when the window holds no CloudWatch row at all.
 */
export function compileServers(
  sources: readonly ServerSource[],
  window: { from: number; to: number },
  specOf: (region: string, name: string) => InstanceSpec,
): ServerImport {
  const w = new WindowSlicer(window);
  const { minutes, notes } = w;
  const instances = sources.filter((s) => !s.group);
  const specs = new Map(instances.map((s) => [s, specOf(s.region, s.name)]));
  const unknownCores = [...specs.values()].some((s) => s.cores <= 0);
  if (unknownCores && instances.length > 1) notes.push('Some instance types are unknown (pass --arch): CPU is compiled with equal weights instead of cores.');
  const coresOf = (list: ServerSource[]): number => (unknownCores ? Math.max(1, list.length) : list.reduce((s, i) => s + specs.get(i)!.cores, 0) || 1);

  const load = cpuAndNetwork(w, sources, instances, coresOf);
  const memory = usage(w, instances, 'MemoryUsed', 'MemoryAvailable', 'MemoryUtilization', 'memory');
  const disk = usage(w, instances, 'DiskSpaceUsed', 'DiskSpaceAvailable', 'DiskSpaceUtilization', 'disk');
  const cpu = weightedMean(load.cpuParts, minutes);

  if (w.rowsInWindow === 0) {
    throw new UserError('IMPORT_MALFORMED', `the window ${formatMinute(window.from)} .. ${formatMinute(window.to)} holds no CloudWatch row; check --from and --to`);
  }

  const perMinute: ResourceMinute[] = [];
  for (let t = 0; t < minutes; t++) perMinute.push({ t, cpu: cpu[t], memory: memory.series[t], disk: disk.series[t] });
  const instanceResources: InstanceResources[] = instances.map((i) => ({
    name: i.name,
    region: i.region,
    type: specs.get(i)!.type,
    cores: specs.get(i)!.cores,
    cpu: minAvgMax(load.cpuOfInstance.get(i) ?? []),
    memory: minAvgMax(memory.perInstance.get(i) ?? []),
    disk: minAvgMax(disk.perInstance.get(i) ?? []),
  }));
  return { resources: { instances: instanceResources, perMinute }, network: networkOf(load.netIn, load.netOut, minutes), window, notes };
}

/**
 * The sources' series cut to the window, each once: notes the minutes a file lacks (in the
 * order the files are first read) and counts the rows present.
 */
class WindowSlicer {
  readonly minutes: number;
  readonly notes: string[] = [];
  rowsInWindow = 0;
  private readonly cache = new Map<CwSeries, Series>();

  constructor(private readonly window: { from: number; to: number }) {
    this.minutes = window.to - window.from + 1;
  }

  /** The source's metric over the window, null when the source has no such file. */
  get(src: ServerSource, metric: string): Series | null {
    const { window, minutes } = this;
    const s = src.series.get(metric);
    if (!s) return null;
    let xs = this.cache.get(s);
    if (!xs) {
      xs = slice(s, window.from, minutes);
      this.cache.set(s, xs);
      const missing: number[] = [];
      xs.forEach((x, i) => { if (x === null) missing.push(i); });
      this.rowsInWindow += minutes - missing.length;
      if (missing.length > 0 && missing.length < minutes) {
        const shown = missing.slice(0, 3).map((i) => formatMinute(window.from + i)).join(', ');
        this.notes.push(`${src.where}/${metric}.csv has no row for ${missing.length} of ${minutes} minutes in the window (${shown}${missing.length > 3 ? ', ...' : ''}); those minutes are null and totals cover the minutes present.`);
      }
    }
    return xs;
  }
}

/**
 * Region by region: the CPU series with their core weights (a group's CPU with the cores of all
 * its instances, else each instance's), each instance's CPU, and the network series (a group's
 * files when the region has them, else the instances').
 */
function cpuAndNetwork(w: WindowSlicer, sources: readonly ServerSource[], instances: readonly ServerSource[], coresOf: (list: ServerSource[]) => number) {
  const cpuParts: { xs: Series; w: number }[] = [];
  const cpuOfInstance = new Map<ServerSource, Series | null>();
  const netIn: Series[] = [];
  const netOut: Series[] = [];
  for (const region of [...new Set(sources.map((s) => s.region))].sort()) {
    const inRegion = instances.filter((s) => s.region === region);
    const group = sources.find((s) => s.region === region && s.group);
    const groupCpu = group ? w.get(group, 'CPUUtilization') : null;
    if (groupCpu) {
      cpuParts.push({ xs: groupCpu, w: coresOf(inRegion) });
      for (const i of inRegion) cpuOfInstance.set(i, groupCpu);
    } else {
      for (const i of inRegion) {
        const xs = w.get(i, 'CPUUtilization');
        cpuOfInstance.set(i, xs);
        if (xs) cpuParts.push({ xs, w: coresOf([i]) });
      }
    }
    const netSources = group && (group.series.has('NetworkIn') || group.series.has('NetworkOut')) ? [group] : inRegion;
    for (const s of netSources) {
      const a = w.get(s, 'NetworkIn');
      const b = w.get(s, 'NetworkOut');
      if (a) netIn.push(a);
      if (b) netOut.push(b);
    }
  }
  return { cpuParts, cpuOfInstance, netIn, netOut };
}

/** Memory or disk: 100·Σused/Σavailable over the instances with both files, else the mean of the *Utilization files. */
function usage(w: WindowSlicer, instances: readonly ServerSource[], usedName: string, availName: string, utilName: string, what: string) {
  const { minutes, notes } = w;
  const pairs: { used: Series; avail: Series }[] = [];
  const utils: Series[] = [];
  const perInstance = new Map<ServerSource, Series | null>();
  for (const i of instances) {
    const used = w.get(i, usedName), avail = w.get(i, availName);
    if (used && avail) {
      pairs.push({ used, avail });
      perInstance.set(i, ratio([{ used, avail }], minutes));
    } else {
      const u = w.get(i, utilName);
      if (u) utils.push(u);
      perInstance.set(i, u);
    }
  }
  if (pairs.length > 0 && utils.length > 0) {
    notes.push(`${what}: some instances have only ${utilName}; the compiled ${what} uses the used/available instances only.`);
  }
  if (pairs.length === 0 && utils.length > 0) notes.push(`${what}: no ${usedName}/${availName} pairs; compiled as the mean of ${utilName}.`);
  const series = pairs.length > 0 ? ratio(pairs, minutes) : weightedMean(utils.map((xs) => ({ xs, w: 1 })), minutes);
  return { series, perInstance };
}

/** Bytes in and out per minute and in total; null when no source has network files. */
function networkOf(netIn: Series[], netOut: Series[], minutes: number): Report['network'] {
  if (netIn.length === 0 && netOut.length === 0) return null;
  const inS = sumSeries(netIn, minutes);
  const outS = sumSeries(netOut, minutes);
  const total = (xs: Series, present: boolean): number | null => (present ? xs.reduce<number>((s, x) => s + (x ?? 0), 0) : null);
  const perMinuteNet: NetworkMinute[] = inS.map((x, t) => ({ t, inBytes: x, outBytes: outS[t] }));
  return { inBytes: total(inS, netIn.length > 0), outBytes: total(outS, netOut.length > 0), perMinute: perMinuteNet };
}
