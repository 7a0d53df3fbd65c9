import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { UserError } from '../../model/errors.ts';
import type { Report } from '../../model/report.ts';

/**
 * Content hashes that identify measured inputs, so that calibration and validation data can be
 * proven disjoint. Three levels, all SHA-256 in lowercase hex:
 * - per file: the file's bytes;
 * - per input: the bytes of every file used, concatenated in order of relative path (`/`-separated);
 * - per region: a fingerprint of the measured figures of one client region (connected, failed and
 *   the three latency summaries, canonical JSON), which catches the same data re-serialised
 *   (a directory imported to a report.json, then offered again).
 */
export interface FileHash {
  /** path relative to the input root, `/`-separated */
  path: string;
  sha256: string;
}

export interface InputHash {
  /** the path as the user gave it */
  path: string;
  sha256: string;
  files: FileHash[];
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Every regular file under `dir`, relative and `/`-separated, sorted by code unit order. */
export function listFilesRel(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isFile()) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort(cmp);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Hashes exactly the given files of an input (relative to `root`; a single file input passes
 * `root` = the file and `rel` = [its base name] with `single` set).
 * @throws UserError FILE_UNREADABLE when a file cannot be read.
 */
export function hashFiles(displayPath: string, root: string, rel: readonly string[], single = false): InputHash {
  const sorted = [...rel].sort(cmp);
  const whole = createHash('sha256');
  const files: FileHash[] = [];
  for (const r of sorted) {
    const full = single ? root : join(root, r);
    let bytes: Buffer;
    try {
      bytes = readFileSync(full);
    } catch (err) {
      throw new UserError('FILE_UNREADABLE', `measured file ${full} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    whole.update(bytes);
    files.push({ path: r, sha256: sha256Hex(bytes) });
  }
  return { path: displayPath, sha256: whole.digest('hex'), files };
}

/**
 * Fingerprint of one region's measured figures: equal fingerprints mean the same measured data,
 * however it was stored. Null when the region has no samples at all (nothing to identify).
 */
export function regionFingerprint(report: Report, region: string): string | null {
  const r = report.regions[region];
  if (!r) return null;
  if (r.handshake.count + r.request.count + r.broadcast.count === 0) return null;
  const pick = (s: Report['global']['handshake']) => [s.count, s.min, s.mean, s.stddev, s.median, s.p98, s.max];
  return sha256Hex(JSON.stringify([region, r.connected, r.failed, pick(r.handshake), pick(r.request), pick(r.broadcast)]));
}

/** Sample count, mean and median of one latency metric (ms). */
export interface MetricSummary {
  count: number;
  mean: number | null;
  median: number | null;
}

/** What identifies a region's measured data when its bytes were edited: counts, means, medians. */
export interface RegionSummary {
  handshake: MetricSummary;
  request: MetricSummary;
  broadcast: MetricSummary;
}

/** Per compared region: its {@link RegionSummary}. */
export function regionSummaries(report: Report, regions: readonly string[]): Record<string, RegionSummary> {
  const out: Record<string, RegionSummary> = {};
  for (const region of regions) {
    const r = report.regions[region];
    if (!r) continue;
    const pick = (s: Report['global']['handshake']): MetricSummary => ({ count: s.count, mean: s.mean, median: s.median ?? s.p50 });
    out[region] = { handshake: pick(r.handshake), request: pick(r.request), broadcast: pick(r.broadcast) };
  }
  return out;
}

/**
 * Every 64-hex-digit string found anywhere in a report's `provenance` (the hashes of the files
 * it was built from, if its producer recorded them).
 */
export function provenanceHashes(report: Report): string[] {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (/^[0-9a-f]{64}$/.test(v)) found.add(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(report.provenance);
  return [...found].sort(cmp);
}
