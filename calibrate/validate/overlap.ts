import { UserError } from '../../model/errors.ts';
import { regionSummaries, type RegionSummary } from '../fit/hash.ts';
import type { MeasuredRun } from '../fit/measured.ts';
import type { ParamsProvenance } from '../fit/params-file.ts';

/**
 * The guard against the benchmarking crime of validating on calibration data. Measured data
 * overlaps the calibration inputs when any of these match:
 * - a file's content hash (the same client report, wherever it lies),
 * - an input's combined hash,
 * - a region fingerprint (the same measured figures, e.g. a directory imported to JSON),
 * - a hash a report names in its provenance (a report built from calibration files, or the reverse),
 * - a near-copy: a region whose sample counts equal a calibration region's and whose means and
 *   medians are mostly within {@link NEAR_COPY_RELATIVE} of its (the same run with bytes edited:
 *   a changed byte in every file, a summary moved by a millisecond, escapes every hash, not this).
 */
export interface Overlap {
  /** plain statements, one per match kind, for the error line and the output label */
  reasons: string[];
}

/**
 * Relative distance within which a mean or median counts as the same figure in the near-copy
 * check: two measured runs of the same system differ by more (the baseline's regions' request
 * means move by several per cent between seeds of the simulator, and a real re-run moves more),
 * an edit meant to look different by less.
 */
export const NEAR_COPY_RELATIVE = 0.01;

/**
 * Whether a region's figures look like a calibration region's: every latency metric has the
 * same sample count (at least one of them non-zero), and more than half of the means and medians
 * of the metrics with samples are within NEAR_COPY_RELATIVE (so that moving one or two figures
 * does not hide the copy). Equal counts alone do not suffice: a run's handshake count is its
 * user count, the same in any run of that size.
 */
export function looksLikeSameRegion(a: RegionSummary, b: RegionSummary): boolean {
  const metrics = ['handshake', 'request', 'broadcast'] as const;
  if (metrics.some((m) => a[m].count !== b[m].count)) return false;
  const withSamples = metrics.filter((m) => a[m].count > 0);
  if (withSamples.length === 0) return false;
  const close = (x: number | null, y: number | null) => x !== null && y !== null && Math.abs(x - y) <= NEAR_COPY_RELATIVE * Math.max(Math.abs(x), Math.abs(y));
  const figures = withSamples.flatMap((m) => [close(a[m].mean, b[m].mean), close(a[m].median, b[m].median)]);
  return figures.filter(Boolean).length * 2 > figures.length;
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
    // near-copies: regions not already caught by their fingerprint
    const summaries = regionSummaries(run.report, run.regions.filter((r) => !samePrints.includes(r)));
    for (const inp of calibration.inputs) {
      const like = Object.entries(summaries).filter(([, s]) => Object.values(inp.summaries ?? {}).some((c) => looksLikeSameRegion(s, c))).map(([r]) => r);
      if (like.length) reasons.push(`${run.spec} looks like the same run as the calibration input ${inp.path}: ${like.join(', ')} have its sample counts, and means and medians within ${NEAR_COPY_RELATIVE * 100} %`);
    }
  }
  return { reasons };
}

/** Label printed on (and stored in) a forced comparison of overlapping data. */
export const NOT_A_VALIDATION = 'NOT A VALIDATION: the measured data overlaps the calibration inputs (--force)';
/** Label of a forced comparison with parameters that carry no calibration record. */
export const NOT_A_VALIDATION_NO_RECORD = 'NOT A VALIDATION: the parameters carry no calibration record, so nothing shows the measured data is disjoint from what they were fitted on (--force)';

/**
 * Refuses overlapping data, and parameters without a calibration record (nothing to check the
 * data against), unless forced.
 * @returns the label to put on the output (null when the data is shown disjoint)
 * @throws UserError CALIBRATION_OVERLAP when overlapping, CONFIG_INVALID without a record; not when forced
 */
export function checkOverlap(calibration: ParamsProvenance | null, runs: readonly MeasuredRun[], force: boolean, paramsPath = 'the params file'): string | null {
  if (!calibration) {
    if (force) return NOT_A_VALIDATION_NO_RECORD;
    throw new UserError('CONFIG_INVALID', `--params ${paramsPath} has no provenance (no calibration record), so nothing shows the measured data is disjoint from what the parameters were fitted on; use a params file written by sim calibrate, or --force to compare anyway (labelled NOT A VALIDATION)`);
  }
  const { reasons } = findOverlap(calibration, runs);
  if (reasons.length === 0) return null;
  if (!force) {
    throw new UserError('CALIBRATION_OVERLAP', `refusing to validate on calibration data: ${reasons[0]}${reasons.length > 1 ? ` (and ${reasons.length - 1} more)` : ''}; use disjoint data, or --force to compare anyway (labelled NOT A VALIDATION)`);
  }
  return NOT_A_VALIDATION;
}
