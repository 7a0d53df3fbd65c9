/**
 * A coordinate scan before the simplex search: for each dimension in turn, the loss at a few
 * levels across its whole range with the other coordinates at the best point so far; the best
 * level is kept. Nelder–Mead is a local method; some terms are flat over much of a dimension (a
 * 98th percentile does not move until a mechanism touches more than 2 % of the samples, so a
 * rare event-loop pause has no slope at all until it is frequent enough), and the scan finds the
 * basin a local search would not leave.
 */

/** Unit-cube levels tried per dimension and pass. */
export const SCAN_LEVELS: readonly number[] = [0.1, 0.3, 0.5, 0.7, 0.9];
/** Passes over all dimensions. */
export const SCAN_PASSES = 2;

/**
 * Scans `f` from `start`; returns the best point and its value. `f` is called
 * passes × dims × levels times at most (and not beyond `maxEvals`).
 */
export function coordinateScan(
  f: (u: number[]) => number,
  start: readonly number[],
  startValue: number,
  maxEvals: number,
  levels: readonly number[] = SCAN_LEVELS,
  passes: number = SCAN_PASSES,
): { u: number[]; value: number; evals: number } {
  let u = [...start];
  let value = startValue;
  let evals = 0;
  for (let pass = 0; pass < passes; pass++) {
    for (let d = 0; d < u.length; d++) {
      for (const level of levels) {
        if (evals >= maxEvals) return { u, value, evals };
        if (Math.abs(level - u[d]) < 1e-9) continue;
        const trial = [...u];
        trial[d] = level;
        const v = f(trial);
        evals++;
        if (v < value) {
          value = v;
          u = trial;
        }
      }
    }
  }
  return { u, value, evals };
}
