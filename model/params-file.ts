import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z, type ZodType } from 'zod';
import { UserError, problemsError, problemsOf } from './errors.ts';
import { mergeParams, type Params } from './params.ts';
import { schemaProblems } from './schema.ts';

/**
 * The one reader of params files, for every command that takes `--params` (run, sweep, plan,
 * validate) or `--start` (calibrate). A params file is either
 * - plain overrides: any subset of the parameters of model/params.ts (`sim list params`), or
 * - what `sim calibrate` writes: `{ "params": {...overrides}, "provenance": {...} }`, the
 *   provenance recording how the parameters were fitted (calibrate/fit/params-file.ts).
 * Every problem of the file is reported at once.
 */
export interface ParamsFileContent {
  /** the defaults with the file's overrides on top */
  params: Params;
  /** the overrides as given */
  overrides: Record<string, unknown>;
  /** the calibration record, validated by the caller's schema; null for plain overrides */
  provenance: unknown;
  /** SHA-256 of the file's bytes as read (hex) */
  sha256: string;
}

export interface ParamsFileOptions {
  /** the flag that named the file, for messages (default `--params`) */
  flag?: string;
  /** the schema a provenance must meet (default: any JSON object) */
  provenance?: ZodType;
}

const anyObject = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });

/**
 * Reads and validates a params file.
 * @throws UserError FILE_UNREADABLE (missing, not JSON) or CONFIG_INVALID listing every problem.
 */
export function readParamsFile(path: string, opts: ParamsFileOptions = {}): ParamsFileContent {
  const flag = opts.flag ?? '--params';
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new UserError('FILE_UNREADABLE', `${flag} file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new UserError('FILE_UNREADABLE', `${flag} file ${path} is not valid JSON (${(err as Error).message})`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw problemsError(path, [`the file must be a JSON object of parameters, or {"params": {...}, "provenance": {...}} as \`sim calibrate\` writes (got ${Array.isArray(data) ? 'an array' : JSON.stringify(data)})`]);
  }
  const record = data as Record<string, unknown>;
  if (!('params' in record) && !('provenance' in record)) {
    return { params: mergeParams(record, path), overrides: record, provenance: null, sha256 };
  }
  // the calibration record: params and provenance, nothing else
  const problems: string[] = [];
  const extra = Object.keys(record).filter((k) => k !== 'params' && k !== 'provenance');
  if (extra.length) problems.push(`unknown ${extra.length === 1 ? 'key' : 'keys'} ${extra.map((k) => JSON.stringify(k)).join(', ')} (a calibration record holds only "params" and "provenance")`);
  const overrides = (record.params ?? {}) as Record<string, unknown>;
  let params: Params | undefined;
  try {
    params = mergeParams(overrides, `${path} (params)`);
  } catch (err) {
    problems.push(...problemsOf(err, `${path} (params)`).map((p) => `params: ${p}`));
  }
  const check = (opts.provenance ?? anyObject).safeParse(record.provenance);
  if (!check.success) problems.push(...schemaProblems(check.error.issues, record.provenance, 'provenance').map((p) => (p.startsWith('unknown') ? `provenance: ${p}` : p)));
  if (problems.length || !params) throw problemsError(path, problems);
  return { params, overrides, provenance: record.provenance ?? null, sha256 };
}

/** The parameters of a `--params` file, or the defaults when there is none. */
export function loadParams(path: string | undefined, flag = '--params'): Params {
  return path === undefined ? mergeParams({}, 'the default parameters') : readParamsFile(path, { flag }).params;
}
