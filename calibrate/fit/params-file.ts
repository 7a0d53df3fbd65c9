import { z } from 'zod';
import { writeOut } from '../../model/load.ts';
import type { Params } from '../../model/params.ts';
import { readParamsFile as readParams } from '../../model/params-file.ts';
import type { FileHash, RegionSummary } from './hash.ts';

/**
 * params.json: the fitted parameters (`params`, any subset of model/params.ts, read by
 * `sim run --params`) and where they came from (`provenance`): the measured inputs' content
 * hashes, the loss, the seed, the tool version, which parameters were fitted and which estimated,
 * how evaluations were shortened. `sim validate` reads the provenance to refuse validating on
 * calibration data.
 */
export const PARAMS_FILE_FORMAT = 'sim-params/1';

export interface ProvenanceInput {
  path: string;
  /** SHA-256 of the bytes of every file used, in order of relative path */
  sha256: string;
  arch: string;
  /** client regions fitted */
  regions: string[];
  subset: boolean;
  files: FileHash[];
  /** per region: fingerprint of its measured figures */
  fingerprints: Record<string, string>;
  /**
   * per region: sample counts, means and medians of its latencies, to recognise a near-copy of
   * the data (calibrate/validate/overlap.ts); absent in files written before it was recorded
   */
  summaries?: Record<string, RegionSummary>;
  /** hashes the measured report named in its own provenance */
  derivedFrom: string[];
}

export interface ParamsProvenance {
  format: string;
  tool: string;
  version: string;
  command: string;
  seed: number;
  /** the file the optimiser started from (--start), with the SHA-256 of its bytes; null: the priors */
  start?: { path: string; sha256: string } | null;
  inputs: ProvenanceInput[];
  loss: { definition: string; prior: number; fit: number; fullLength: number | null; terms: number };
  evaluation: { loadS: number; rampS: number; note: string; evaluations: number; optimiser: string };
  /** each fitted parameter with its prior, its range and whether it sits at a bound (a finding) */
  fitted: Array<{ path: string; value: number; prior?: number; lo: number; hi: number; log: boolean; atBound?: 'lo' | 'hi' | null; meaning: string; scales: readonly string[] }>;
  /** mean server CPU %, simulated with the fitted parameters beside measured, per input */
  cpu?: Array<{ input: string; simulated: number | null; measured: number | null }>;
  /** what the fit says about the model: parameters at a bound, CPU far from the measured */
  findings?: string[];
  estimated: Record<string, unknown>;
  /** parameters that are specific to one architecture (none, by design) */
  architectureSpecific: string[];
  notes: string[];
}

export interface ParamsFile {
  params: Record<string, unknown>;
  provenance: ParamsProvenance;
}

const fileHash = z.strictObject({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest') });
const provenanceSchema = z.looseObject({
  format: z.literal(PARAMS_FILE_FORMAT, { error: `must be ${PARAMS_FILE_FORMAT}` }),
  seed: z.number(),
  inputs: z.array(z.looseObject({
    path: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest'),
    regions: z.array(z.string()),
    files: z.array(fileHash),
    fingerprints: z.record(z.string(), z.string()),
    derivedFrom: z.array(z.string()),
  })),
});

/** Writes params.json (2-space JSON, trailing newline). @throws UserError FILE_UNREADABLE */
export function writeParamsFile(path: string, file: ParamsFile): void {
  writeOut(path, `${JSON.stringify(file, null, 2)}\n`);
}

export interface LoadedParams {
  params: Params;
  overrides: Record<string, unknown>;
  /** null for a plain overrides file (no calibration record: nothing to check overlap against) */
  provenance: ParamsProvenance | null;
  /** SHA-256 of the file's bytes as read */
  sha256: string;
}

/**
 * Reads a params file: either `{ "params": {...}, "provenance": {...} }` as written by
 * `sim calibrate`, or plain overrides. Validates the parameters (mergeParams) and the provenance.
 * @throws UserError FILE_UNREADABLE / CONFIG_INVALID naming the file.
 */
export function readParamsFile(path: string, flag = '--params'): LoadedParams {
  const read = readParams(path, { flag, provenance: provenanceSchema });
  return { ...read, provenance: read.provenance as ParamsProvenance | null };
}
