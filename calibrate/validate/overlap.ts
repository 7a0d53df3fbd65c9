import { UserError } from '../../model/errors.ts';
import type { MeasuredRun } from '../fit/measured.ts';
import type { ParamsProvenance } from '../fit/params-file.ts';

/**
 * The guard against the benchmarking crime of validating on calibration data. Measured data
 * overlaps the calibration inputs when any of these match:
 * - a file's content hash (the same client report, wherever it lies),
 * - an input's combined hash,
 * - a region fingerprint (the same measured figures, e.g. a directory imported to JSON),
 * - a hash a report names in its provenance (a report built from calibration files, or the reverse).
 */
export interface Overlap {
  /** plain statements, one per match kind, for the error line and the output label */
  reasons: string[];
}

/** What overlaps between the calibration record and the measured runs (empty reasons: disjoint). */
export function findOverlap(calibration: ParamsProvenance, runs: readonly MeasuredRun[]): Overlap {
  const calFiles = new Map<string, string>();
  const calInputs = new Set<string>();
  const calPrints = new Map<string, string>();
  const calDerived = new Set<string>();
  for (const inp of calibration.inputs) {
    calInputs.add(inp.sha256);
    for (const f of inp.files) calFiles.set(f.sha256, `${inp.path}/${f.path}`);
    for (const [region, fp] of Object.entries(inp.fingerprints)) calPrints.set(fp, region);
    for (const h of inp.derivedFrom) calDerived.add(h);
  }
  const reasons: string[] = [];
  for (const run of runs) {
    const sameFiles = run.hash.files.filter((f) => calFiles.has(f.sha256));
    if (calInputs.has(run.hash.sha256)) reasons.push(`${run.spec} is a calibration input (same content hash ${run.hash.sha256.slice(0, 12)})`);
    else if (sameFiles.length) reasons.push(`${run.spec}: ${sameFiles.length} of ${run.hash.files.length} files have the content of calibration files (e.g. ${sameFiles[0].path} = ${calFiles.get(sameFiles[0].sha256)})`);
    const samePrints = Object.entries(run.fingerprints).filter(([, fp]) => calPrints.has(fp)).map(([r]) => r);
    if (samePrints.length) reasons.push(`${run.spec}: the measured figures of ${samePrints.join(', ')} are those the parameters were calibrated on`);
    const derived = run.derivedFrom.filter((h) => calFiles.has(h) || calInputs.has(h));
    const reverse = run.hash.files.some((f) => calDerived.has(f.sha256)) || calDerived.has(run.hash.sha256);
    if (derived.length || reverse) reasons.push(`${run.spec}: its provenance links it to the calibration inputs`);
  }
  return { reasons };
}

/** Label printed on (and stored in) a forced comparison of overlapping data. */
export const NOT_A_VALIDATION = 'NOT A VALIDATION: the measured data overlaps the calibration inputs (--force)';

/**
 * Refuses overlapping data unless forced.
 * @returns the label to put on the output (null when the data is disjoint)
 * @throws UserError CALIBRATION_OVERLAP when overlapping and not forced
 */
export function checkOverlap(calibration: ParamsProvenance | null, runs: readonly MeasuredRun[], force: boolean): string | null {
  if (!calibration) return null;
  const { reasons } = findOverlap(calibration, runs);
  if (reasons.length === 0) return null;
  if (!force) {
    throw new UserError('CALIBRATION_OVERLAP', `refusing to validate on calibration data: ${reasons[0]}${reasons.length > 1 ? ` (and ${reasons.length - 1} more)` : ''}; use disjoint data, or --force to compare anyway (labelled NOT A VALIDATION)`);
  }
  return NOT_A_VALIDATION;
}
