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

/** Unit-cube levels tried per dimension and pass across the whole range. */
export const SCAN_LEVELS: readonly number[] = [0.1, 0.3, 0.5, 0.7, 0.9];
/** Passes over all dimensions. */
export const SCAN_PASSES = 2;
/** First step of the compass search (unit cube): half the spacing of the global levels. */
export const COMPASS_STEP = 0.1;
/** The compass search stops refining a coordinate whose step has shrunk below this. */
export const COMPASS_MIN_STEP = 0.01;

/** The local searches after the scan (calibrate.ts useTrustRegion). */
export const LOCAL_SEARCHES = ['auto', 'trust', 'compass'] as const;
export type LocalSearch = (typeof LOCAL_SEARCHES)[number];

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

/**
 * A compass search (Kolda, Lewis & Torczon, "Optimization by direct search", SIAM Review 2003,
 * §3) after the scan: each coordinate in turn is tried at its current level ± its own step (the
 * two trials evaluated at once); the better trial is kept when it lowers the value, otherwise
 * the coordinate's step halves. It refines inside the basin the scan's coarse levels found,
 * where a cloud of random samples (CMA-ES) in many dimensions mostly misses. Stops when the
 * budget is spent or every step is below `minStep`. Deterministic: ties keep the lower trial.
 */
export async function compassSearch(
  f: BatchObjective,
  start: readonly number[],
  startValue: number,
  maxEvals: number,
  step0: number = COMPASS_STEP,
  minStep: number = COMPASS_MIN_STEP,
  onPass?: (pass: number) => void,
): Promise<{ u: number[]; value: number; evals: number; steps: number[] }> {
  let u = [...start];
  let value = startValue;
  let evals = 0;
  const steps = u.map(() => step0);
  for (let pass = 0; steps.some((st) => st >= minStep); pass++) {
    onPass?.(pass);
    for (let d = 0; d < u.length; d++) {
      if (steps[d] < minStep) continue;
      const trials = [u[d] - steps[d], u[d] + steps[d]].filter((x) => x >= 0 && x <= 1).map((x) => {
        const t = [...u];
        t[d] = x;
        return t;
      }).slice(0, Math.max(0, maxEvals - evals));
      // a step ≤ 0.5 leaves one side inside the cube: no trial means the budget is spent
      if (trials.length === 0) return { u, value, evals, steps };
      const values = await f(trials);
      evals += trials.length;
      let moved = false;
      values.forEach((v, k) => {
        if (v < value) {
          value = v;
          u = trials[k];
          moved = true;
        }
      });
      if (!moved) steps[d] /= 2;
    }
  }
  return { u, value, evals, steps };
}
