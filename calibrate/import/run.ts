import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { BUILT_IN_ARCHITECTURES, builtInArchitecture, type Architecture } from '../../model/architecture.ts';
import { THESIS_LOAD_HOURS } from '../../model/cost.ts';
import { addCostAndMeters } from '../../model/finish.ts';
import { UserError, invalid } from '../../model/errors.ts';
import { instanceType } from '../../model/instances.ts';
import type { PriceTable } from '../../model/prices.ts';
import { byClientRegion } from '../../model/regions.ts';
import type { RegionResult, Report } from '../../model/report.ts';
import { METRICS, parseBenchReport, type BenchReport, type Metric } from './bench-report.ts';
import { parseCloudWatchCsv, parseWindowTime, formatMinute } from './cloudwatch.ts';
import { combineStats, medianOfMedians, withinReportStddev } from './combine.ts';
import { MYSQL_STATUS_FILE, REDIS_INFO_FILE, parseMysqlQueries, parseRedisInfo } from './counters.ts';
import { compileServers, defaultWindow, type InstanceSpec, type ServerSource } from './servers.ts';

/**
 * Imports a measured run directory into one Report of kind "import":
 *
 *     <run>/clients/<region>/<client>/<n>          WebSocket-bench reports (one per client machine)
 *     <run>/servers/<region>/autoscale_group/*.csv CloudWatch metrics of a server group
 *     <run>/servers/<region>/<instance>/*.csv      CloudWatch metrics of one instance
 *     <run>/redis-info*.txt, <run>/mysql-status*.{txt,json}   optional counters (counters.ts)
 *
 * The run's name (the directory's) is the Report's `arch`. Anything unreadable is an error
 * naming the file and line; nothing is skipped silently.
 */
export interface ImportOptions {
  /** first minute of the CloudWatch window, "2015-07-31 15:36:00" (UTC, inclusive) */
  from?: string;
  /** last minute of the window (inclusive) */
  to?: string;
  /** the measured architecture (instance types, cost); default: the built-in one named like the directory, if any */
  arch?: Architecture | null;
  /** price table for the cost; default the built-in 2015 table */
  prices?: PriceTable;
  /** hours the measured network volume is spread over when billing data per hour (default 1.5) */
  loadHours?: number;
}

function unreadable(path: string, err: unknown): UserError {
  return new UserError('FILE_UNREADABLE', `${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
}

interface Entry { name: string; dir: boolean; file: boolean }

/** Visible entries of a directory, sorted, with symbolic links followed. */
function list(dir: string): Entry[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw unreadable(dir, err);
  }
  return entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name)).map((e) => {
    if (!e.isSymbolicLink()) return { name: e.name, dir: e.isDirectory(), file: e.isFile() };
    try {
      const st = statSync(join(dir, e.name));
      return { name: e.name, dir: st.isDirectory(), file: st.isFile() };
    } catch (err) {
      throw unreadable(join(dir, e.name), err);
    }
  });
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw unreadable(path, err);
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function expectDirs(dir: string, expected: string): Entry[] {
  const entries = list(dir);
  for (const e of entries) {
    if (!e.dir) throw new UserError('IMPORT_MALFORMED', `${join(dir, e.name)}: unexpected file, expected ${expected}`);
  }
  return entries;
}

interface ClientReports { byRegion: Map<string, BenchReport[]>; files: number }

function readClients(dir: string): ClientReports {
  const byRegion = new Map<string, BenchReport[]>();
  let files = 0;
  for (const region of expectDirs(dir, 'a region directory (clients/<region>/<client>/<report>)')) {
    const reports: BenchReport[] = [];
    const regionDir = join(dir, region.name);
    for (const client of expectDirs(regionDir, 'a client directory (clients/<region>/<client>/<report>)')) {
      for (const f of list(join(regionDir, client.name))) {
        const path = join(regionDir, client.name, f.name);
        if (!f.file) throw new UserError('IMPORT_MALFORMED', `${path}: unexpected directory, expected report files`);
        reports.push(parseBenchReport(read(path), path));
        files++;
      }
    }
    if (reports.length > 0) byRegion.set(region.name, reports);
  }
  return { byRegion, files };
}

function readServers(dir: string): { sources: ServerSource[]; files: number } {
  const sources: ServerSource[] = [];
  let files = 0;
  for (const region of expectDirs(dir, 'a region directory (servers/<region>/<source>/<Metric>.csv)')) {
    for (const src of expectDirs(join(dir, region.name), 'a source directory (servers/<region>/<source>/<Metric>.csv)')) {
      const where = join(dir, region.name, src.name);
      const series = new Map();
      for (const f of list(where)) {
        if (!f.file || !f.name.endsWith('.csv')) continue;
        const metric = f.name.slice(0, -4);
        series.set(metric, parseCloudWatchCsv(read(join(where, f.name)), metric, join(where, f.name)));
        files++;
      }
      if (series.size > 0) sources.push({ region: region.name, name: src.name, group: src.name === 'autoscale_group', where, series });
    }
  }
  return { sources, files };
}

function readCounters(dir: string): { redis: { hits: number; misses: number } | null; mysqlQueries: number | null; files: string[] } {
  let redis = null as { hits: number; misses: number } | null;
  let mysqlQueries = null as number | null;
  const files: string[] = [];
  for (const f of list(dir)) {
    if (!f.file) continue;
    const path = join(dir, f.name);
    if (REDIS_INFO_FILE.test(f.name)) {
      const r = parseRedisInfo(read(path), path);
      redis = { hits: (redis?.hits ?? 0) + r.hits, misses: (redis?.misses ?? 0) + r.misses };
      files.push(f.name);
    } else if (MYSQL_STATUS_FILE.test(f.name)) {
      mysqlQueries = (mysqlQueries ?? 0) + parseMysqlQueries(read(path), path);
      files.push(f.name);
    }
  }
  return { redis, mysqlQueries, files };
}

/** Connections a client launched: its launch line, else (an older report without it) Connected + Failed. */
function launchedBy(r: BenchReport): number {
  return r.launched ?? r.connected + r.failed;
}

function combineRegion(reports: readonly BenchReport[]): RegionResult {
  const pick = (m: Metric) => reports.map((r) => r.metrics[m]);
  return {
    connected: reports.reduce((s, r) => s + r.connected, 0),
    failed: reports.reduce((s, r) => s + r.failed, 0),
    // launched − Connected − Failed: handshakes still pending when the clients were killed
    pending: reports.reduce((s, r) => s + launchedBy(r) - r.connected - r.failed, 0),
    handshake: combineStats(pick('handshake')),
    request: combineStats(pick('request')),
    broadcast: combineStats(pick('broadcast')),
  };
}

/**
 * Reads a run directory into a Report (see the module comment for the layout).
 * @throws UserError FILE_UNREADABLE for a missing directory or unreadable file;
 *         IMPORT_MALFORMED `file:line: problem` for content it cannot read or a directory with
 *         nothing importable; CONFIG_INVALID for a bad window.
 */
export function importRun(dir: string, options: ImportOptions = {}): Report {
  if (!isDir(dir)) throw new UserError('FILE_UNREADABLE', `import directory ${dir} does not exist or is not a directory`);
  const name = basename(resolve(dir));
  const arch = options.arch !== undefined ? options.arch : BUILT_IN_ARCHITECTURES.includes(name) ? builtInArchitecture(name) : null;
  const loadHours = options.loadHours ?? THESIS_LOAD_HOURS;
  if (!(loadHours > 0)) throw invalid('--load-minutes', loadHours * 60, 'must be a positive number of minutes');
  const clients = isDir(join(dir, 'clients')) ? readClients(join(dir, 'clients')) : { byRegion: new Map<string, BenchReport[]>(), files: 0 };
  const servers = isDir(join(dir, 'servers')) ? readServers(join(dir, 'servers')) : { sources: [], files: 0 };
  const counters = readCounters(dir);
  if (clients.files === 0 && servers.files === 0) {
    throw new UserError('IMPORT_MALFORMED', `${dir} holds nothing importable: expected clients/<region>/<client>/<report> files or servers/<region>/<source>/<Metric>.csv (see sim import --help)`);
  }

  const all = [...clients.byRegion.values()].flat();
  const regions: Record<string, RegionResult> = {};
  for (const region of [...clients.byRegion.keys()].sort(byClientRegion)) regions[region] = combineRegion(clients.byRegion.get(region)!);
  const global = combineRegion(all);
  const server = serverSide(servers.sources, options, arch);
  const notes = [...clientNotes(all), ...server.notes];
  const times = all.map((r) => r.timeTakenMs).filter((t): t is number => t !== null);
  const report: Report = {
    kind: 'import',
    arch: name,
    users: all.reduce((s, r) => s + launchedBy(r), 0),
    seed: null,
    durationS: times.length > 0 ? Math.max(...times) / 1000 : 0,
    params: null,
    regions,
    global,
    counts: {
      handledRequests: all.length > 0 ? global.request.count : null,
      redisHits: counters.redis?.hits ?? null,
      redisMisses: counters.redis?.misses ?? null,
      mysqlQueries: counters.mysqlQueries,
      broadcasts: null,
    },
    resources: server.resources,
    network: server.network,
    cost: null,
    meters: null,
    notes,
  };
  if (!counters.redis) notes.push('No redis-info*.txt: Redis hits and misses are unknown, so SLM, SEC, ESS and ESR are null.');
  if (counters.mysqlQueries === null) notes.push('No mysql-status*.txt/json: MySQL queries are unknown, so SLM, SEC, ESS and ESR are null.');

  addCostAndMeters(report, arch ?? null, { loadHours, prices: options.prices });
  report.extra = { import: importRecord(clients, all, { cloudWatchFiles: servers.files, counterFiles: counters.files, arch, window: server.window }) };
  report.provenance = { source: 'sim import', directory: name };
  return report;
}

/** The notes on how client reports were combined, and on what they lack. */
function clientNotes(all: readonly BenchReport[]): string[] {
  const notes: string[] = [
    'Percentiles and medians are approximations: count-weighted averages of the per-client-report values (reports carry summaries, not samples).',
    'Standard deviations are pooled over all samples: within-report variance plus the spread of report means.',
  ];
  if (all.length === 0) notes.push('No client reports: latencies and connection counts are empty.');
  else notes.push('counts.handledRequests is the number of request latencies the clients recorded (responses received).');
  const noLaunch = all.filter((r) => r.launched === null).length;
  if (noLaunch > 0) notes.push(`${noLaunch} of ${all.length} client reports have no "Launch bench with N total connection" line: their launched connections are taken as Connected + Failed, so their pending count is 0 (unknown).`);
  else if (all.length > 0) notes.push('pending = launched (each report\'s "Launch bench with N total connection" line) − Connected − Failed: handshakes still waiting when the clients were killed (SYSTEM.md §2).');
  return notes;
}

type Window = { from: number; to: number };

/** The servers' resources and network over the CloudWatch window (--from/--to, else the default), with notes. */
function serverSide(sources: ServerSource[], options: ImportOptions, arch: Architecture | null): { window: Window | null; resources: Report['resources']; network: Report['network']; notes: string[] } {
  if (sources.length === 0) return { window: null, resources: null, network: null, notes: ['No server CloudWatch files: resources and network are unknown.'] };
  const def = options.from === undefined || options.to === undefined ? defaultWindow(sources) : null;
  const window = {
    from: options.from !== undefined ? parseWindowTime('--from', options.from) : def!.from,
    to: options.to !== undefined ? parseWindowTime('--to', options.to) : def!.to,
  };
  if (window.from > window.to) throw invalid('--from', options.from ?? formatMinute(window.from), `must not be after --to (${formatMinute(window.to)})`);
  const specOf = (region: string, _name: string): InstanceSpec => {
    const g = arch?.servers.find((s) => s.region === region);
    const t = g ? instanceType(g.instanceType) : undefined;
    return g && t ? { type: g.instanceType, cores: t.vcpu } : { type: 'unknown', cores: 0 };
  };
  const compiled = compileServers(sources, window, specOf);
  const notes = [
    `CloudWatch window ${formatMinute(window.from)} .. ${formatMinute(window.to)} UTC inclusive (${window.to - window.from + 1} minutes); resources.perMinute[t] is minute t of it.`,
    ...compiled.notes,
  ];
  return { window, resources: compiled.resources, network: compiled.network, notes };
}

/** `extra.import`: what was read, and the per-report figures the combined ones hide. */
function importRecord(clients: ClientReports, all: readonly BenchReport[], read: { cloudWatchFiles: number; counterFiles: string[]; arch: Architecture | null; window: Window | null }): Record<string, unknown> {
  const perRegionMedians: Record<string, Record<Metric, number | null>> = {};
  for (const [region, reports] of clients.byRegion) {
    perRegionMedians[region] = Object.fromEntries(METRICS.map((m) => [m, medianOfMedians(reports.map((r) => r.metrics[m]))])) as Record<Metric, number | null>;
  }
  const receivedErrors: Record<string, number> = {};
  for (const r of all) for (const [k, v] of Object.entries(r.errors)) receivedErrors[k] = (receivedErrors[k] ?? 0) + v;
  const { window } = read;
  return {
    clientReports: clients.files,
    cloudWatchFiles: read.cloudWatchFiles,
    counterFiles: read.counterFiles,
    architecture: read.arch?.name ?? null,
    window: window ? { from: formatMinute(window.from), to: formatMinute(window.to), minutes: window.to - window.from + 1 } : null,
    medianOfReportMedians: perRegionMedians,
    withinReportStddev: Object.fromEntries(METRICS.map((m) => [m, withinReportStddev(all.map((r) => r.metrics[m]))])),
    receivedErrors,
  };
}
