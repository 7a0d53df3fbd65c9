import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError, invalid } from '../../model/errors.ts';
import { readJsonFile } from '../../model/load.ts';
import { CLIENT_REGION_IDS, byClientRegion, isRegionId } from '../../model/regions.ts';
import type { Report } from '../../model/report.ts';
import { parseWith } from '../../model/schema.ts';
import { hashFiles, listFilesRel, provenanceHashes, regionFingerprint, type InputHash } from './hash.ts';

/**
 * A measured run as calibration and validation see it: the Report, which of its client regions
 * are compared, the workload it ran (every client region of the run, users per region), and the
 * content hashes of exactly the files used.
 *
 * `--regions a,b` on a directory input keeps only `clients/<a>/…` and `clients/<b>/…`: the
 * server-side files (CloudWatch, counters) belong to the whole run, so both halves of a split
 * would share them; they are left out of a region subset (and so are their figures) unless
 * `serverFiles` asks for them, for ONE side of a split (the calibration side).
 */
export interface MeasuredRun {
  /** the path as given */
  spec: string;
  report: Report;
  /** client regions compared: the selected ones that have data */
  regions: string[];
  /** users per client region of the whole run (the simulated workload) */
  usersPerRegion: Record<string, number>;
  /** content hash of exactly the files used */
  hash: InputHash;
  /** per compared region: fingerprint of its figures (calibrate/fit/hash.ts) */
  fingerprints: Record<string, string>;
  /** hashes named in the report's own provenance (the files it was built from) */
  derivedFrom: string[];
  /** only some of the run's client regions were used */
  subset: boolean;
}

/** Reads a measurement directory into a Report (the importer's job, passed in). */
export type ImportDir = (dir: string) => Report | Promise<Report>;

export interface LoadOptions {
  /** client regions to keep (all when absent) */
  regions?: readonly string[];
  /**
   * extra server-side counter files for a directory input (redis-info*.txt, mysql-status*.txt|json,
   * see calibrate/import/counters.ts), read as if they lay in the run directory, and hashed with it
   */
  counters?: readonly string[];
  /**
   * with `regions`, still read (and hash) the run's server-side files (everything outside
   * `clients/`): for a calibration half that may use the run's CPU, while the validation half
   * reads client reports only, so the two stay disjoint
   */
  serverFiles?: boolean;
  importDir: ImportDir;
}

/** `a,b,c` → validated region ids. @throws UserError */
export function parseRegionList(flag: string, text: string): string[] {
  const ids = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) throw invalid(flag, text, 'must list client region ids separated by commas, e.g. eu-west-1,us-east-1');
  for (const id of ids) if (!isRegionId(id)) throw invalid(flag, id, `must be a known region id (one of ${CLIENT_REGION_IDS.join(', ')})`);
  if (new Set(ids).size !== ids.length) throw invalid(flag, text, 'must not repeat a region');
  return ids;
}

const summarySchema = z.looseObject({ count: z.number(), mean: z.number().nullable(), median: z.number().nullable() });
const regionSchema = z.looseObject({ connected: z.number(), failed: z.number(), pending: z.number().optional(), handshake: summarySchema, request: summarySchema, broadcast: summarySchema });
const reportSchema = z.looseObject({
  kind: z.enum(['sim', 'live', 'import'], { error: 'must be sim, live or import' }),
  arch: z.string(),
  users: z.number(),
  durationS: z.number(),
  regions: z.record(z.string(), regionSchema),
  global: regionSchema,
  counts: z.looseObject({}),
});

/** Reads and checks a Report JSON file. @throws UserError FILE_UNREADABLE / REPORT_INVALID */
export function readReportFile(path: string): Report {
  const data = readJsonFile(path, '--measured');
  try {
    return parseWith(reportSchema, data, path) as unknown as Report;
  } catch (err) {
    throw err instanceof UserError ? new UserError('REPORT_INVALID', `--measured file ${path} is not a Report: ${err.message}`) : err;
  }
}

function clientRegionsOf(dir: string): string[] {
  const clients = join(dir, 'clients');
  if (!existsSync(clients) || !statSync(clients).isDirectory()) return [];
  return readdirSync(clients).filter((r) => statSync(join(clients, r)).isDirectory()).sort(byClientRegion);
}


function usersOf(report: Report, region: string): number {
  const r = report.regions[region];
  // launched: a Report written before `pending` existed has none
  return r ? r.connected + r.failed + (r.pending ?? 0) : 0;
}

/**
 * Loads one `--measured` input: a directory (imported with `opts.importDir`, only the selected
 * regions' client files when `opts.regions` is given) or a Report JSON file.
 * @throws UserError for unreadable inputs or regions without data.
 */
export async function loadMeasured(spec: string, opts: LoadOptions): Promise<MeasuredRun> {
  const path = resolve(spec);
  if (!existsSync(path)) throw new UserError('FILE_UNREADABLE', `--measured ${spec} does not exist`);
  if (statSync(path).isDirectory()) return loadDir(spec, path, opts);
  const report = readReportFile(path);
  const all = Object.keys(report.regions).sort(byClientRegion);
  const regions = pickRegions(spec, all, opts.regions, (r) => usersOf(report, r) > 0);
  const hash = hashFiles(spec, dirname(path), [basename(path)]);
  hash.files = [{ path: basename(path), sha256: hash.sha256 }];
  return finish(spec, report, regions, Object.fromEntries(all.map((r) => [r, usersOf(report, r)])), hash, opts.regions !== undefined && regions.length < all.length);
}

async function loadDir(spec: string, path: string, opts: LoadOptions): Promise<MeasuredRun> {
  const runRegions = clientRegionsOf(path);
  if (runRegions.length === 0) throw new UserError('IMPORT_MALFORMED', `--measured ${spec} has no clients/<region>/ directories: expected <run>/clients/<region>/<client>/<n>`);
  const selected = pickRegions(spec, runRegions, opts.regions, () => true);
  const subset = selected.length < runRegions.length;
  const counters = (opts.counters ?? []).map((c) => resolve(c));
  if (subset && counters.length && opts.serverFiles !== true) throw invalid('--counters', opts.counters, 'cannot be combined with --regions without --with-server-files: server counters belong to the whole run, not to some of its regions');
  for (const c of counters) {
    if (!existsSync(c) || !statSync(c).isFile()) throw new UserError('FILE_UNREADABLE', `--counters ${c} is not a readable file`);
    if (existsSync(join(path, basename(c)))) throw invalid('--counters', c, `must not shadow ${join(path, basename(c))}`);
  }
  const allFiles = listFilesRel(path);
  const files = subset
    ? allFiles.filter((f) => selected.some((r) => f.startsWith(`clients/${r}/`)) || (opts.serverFiles === true && !f.startsWith('clients/')))
    : allFiles;
  // where each used file lies: relative name in the (virtual) run directory -> real path
  const sources = new Map<string, string>(files.map((f) => [f, join(path, f)]));
  for (const c of counters) sources.set(basename(c), c);
  const hash = hashWhere(spec, sources);
  let report: Report;
  if (!subset && counters.length === 0) {
    report = await opts.importDir(path);
  } else {
    // the importer reads a directory; give it one holding exactly the files used
    const tree = mkdtempSync(join(tmpdir(), 'sim-measured-'));
    try {
      const root = join(tree, basename(path));
      for (const [rel, real] of sources) {
        mkdirSync(dirname(join(root, rel)), { recursive: true });
        symlinkSync(real, join(root, rel));
      }
      report = await opts.importDir(root);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  }
  const regions = selected.filter((r) => usersOf(report, r) > 0);
  // the workload is the whole run: each region not read is taken to have had as many users as
  // the read ones on average (the benchmark put the same number in every region)
  const seen = regions.map((r) => usersOf(report, r));
  const avg = seen.length ? Math.round(seen.reduce((a, b) => a + b, 0) / seen.length) : 0;
  const usersPerRegion = Object.fromEntries(runRegions.map((r) => [r, regions.includes(r) ? usersOf(report, r) : avg]));
  return finish(spec, report, regions, usersPerRegion, hash, subset);
}

/**
 * Connected users whose work a run's server-side counters (Redis, MySQL) count: the whole run's,
 * whichever client regions were read. For a region subset (a split's calibration half with
 * --with-server-files) the regions not read are taken to have connected the same share of their
 * users as the read ones (usersPerRegion: the benchmark put the same number in every region).
 * The client-side figures (handled requests: latencies the read clients recorded) count the read
 * regions' users only: `report.global.connected`.
 */
export function serverCountUsers(run: Pick<MeasuredRun, 'report' | 'regions' | 'usersPerRegion' | 'subset'>): number {
  if (!run.subset) return run.report.global.connected;
  const connected = run.regions.reduce((s, r) => s + (run.report.regions[r]?.connected ?? 0), 0);
  const read = run.regions.reduce((s, r) => s + (run.usersPerRegion[r] ?? 0), 0);
  const all = Object.values(run.usersPerRegion).reduce((s, u) => s + u, 0);
  return read > 0 ? (connected * all) / read : run.report.global.connected;
}

/** hashFiles over files that may lie in different places (counters given beside a run directory). */
function hashWhere(spec: string, sources: ReadonlyMap<string, string>): InputHash {
  const tree = mkdtempSync(join(tmpdir(), 'sim-hash-'));
  try {
    for (const [rel, real] of sources) {
      mkdirSync(dirname(join(tree, rel)), { recursive: true });
      symlinkSync(real, join(tree, rel));
    }
    return hashFiles(spec, tree, [...sources.keys()]);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

function pickRegions(spec: string, available: readonly string[], wanted: readonly string[] | undefined, hasData: (r: string) => boolean): string[] {
  if (!wanted) return available.filter(hasData);
  for (const r of wanted) {
    if (!available.includes(r)) throw invalid('--regions', r, `must be a client region of ${spec} (it has ${available.join(', ')})`);
  }
  return [...wanted].sort(byClientRegion);
}

function finish(spec: string, report: Report, regions: string[], usersPerRegion: Record<string, number>, hash: InputHash, subset: boolean): MeasuredRun {
  const fingerprints: Record<string, string> = {};
  for (const r of regions) {
    const f = regionFingerprint(report, r);
    if (f) fingerprints[r] = f;
  }
  return { spec, report, regions, usersPerRegion, hash, fingerprints, derivedFrom: provenanceHashes(report), subset };
}
