/**
 * A coordinate scan before CMA-ES: the loss at a few levels across the whole range of every
 * dimension, with the other coordinates at the current point. Some terms are flat over much of a
 * dimension (a 98th percentile does not move until a mechanism touches more than 2 % of the
 * samples, so a rare event-loop pause has no slope at all until it is frequent enough); the scan
 * looks across each range for the basin a search around the priors would not see.
 *
 * The levels of one dimension are independent, so they are evaluated together (on every core,
 * or on other machines); the best is kept before the next dimension is scanned, so that moves
 * compound within a pass (a stall length chosen with the loop CPU already moved). Deterministic:
 * ties keep the lower level.
 */

/** Unit-cube levels tried per dimension and pass. */
export const SCAN_LEVELS: readonly number[] = [0.1, 0.3, 0.5, 0.7, 0.9];
/** Passes over all dimensions. */
export const SCAN_PASSES = 2;

/** Evaluates points together; resolves to their values in order. */
export type BatchObjective = (points: number[][]) => Promise<number[]>;

/**
 * Scans from `start` (value `startValue`); returns the best point, its value and the evaluations
 * spent (at most `maxEvals`: a pass that does not fit is cut to the budget).
 */
export async function coordinateScan(
  f: BatchObjective,
  start: readonly number[],
  startValue: number,
  maxEvals: number,
  levels: readonly number[] = SCAN_LEVELS,
  passes: number = SCAN_PASSES,
): Promise<{ u: number[]; value: number; evals: number }> {
  let u = [...start];
  let value = startValue;
  let evals = 0;
  for (let pass = 0; pass < passes; pass++) {
    for (let d = 0; d < u.length; d++) {
      const trials = levels.filter((level) => Math.abs(level - u[d]) >= 1e-9).map((level) => {
        const t = [...u];
        t[d] = level;
        return t;
      }).slice(0, Math.max(0, maxEvals - evals));
      if (trials.length === 0) return { u, value, evals };
      const values = await f(trials);
      evals += trials.length;
      values.forEach((v, k) => {
        if (v < value) {
          value = v;
          u = trials[k];
        }
      });
    }
  }
  return { u, value, evals };
}
