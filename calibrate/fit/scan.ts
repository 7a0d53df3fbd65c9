/**
 * A coordinate scan before CMA-ES: the loss at a few levels across the whole range of every
 * dimension, with the other coordinates at the current point. Some terms are flat over much of a
 * dimension (a 98th percentile does not move until a mechanism touches more than 2 % of the
 * samples, so a rare event-loop pause has no slope at all until it is frequent enough); the scan
 * looks across each range for the basin a search around the priors would not see.
 *
 * All trials of a pass are independent, so they are evaluated together (on every core, or on
 * other machines). A pass then moves every dimension that improved to its best level at once and
 * keeps that combined point when it beats the best single move (coordinates that interact can
 * spoil each other's moves), else the best single move. Deterministic: ties keep the lower index.
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
  for (let pass = 0; pass < passes && evals < maxEvals; pass++) {
    const trials: Array<{ d: number; u: number[] }> = [];
    for (let d = 0; d < u.length; d++) {
      for (const level of levels) {
        if (Math.abs(level - u[d]) < 1e-9) continue;
        const t = [...u];
        t[d] = level;
        trials.push({ d, u: t });
      }
    }
    const batch = trials.slice(0, Math.max(0, maxEvals - evals));
    if (batch.length === 0) break;
    const values = await f(batch.map((t) => t.u));
    evals += batch.length;
    // best level per dimension, and the best single move
    const bestPerDim = new Map<number, { u: number[]; value: number }>();
    let single: { u: number[]; value: number } | null = null;
    batch.forEach((t, k) => {
      const v = values[k];
      if (!(v < value)) return;
      const prev = bestPerDim.get(t.d);
      if (!prev || v < prev.value) bestPerDim.set(t.d, { u: t.u, value: v });
      if (!single || v < single.value) single = { u: t.u, value: v };
    });
    if (!single) continue;
    let next: { u: number[]; value: number } = single;
    if (bestPerDim.size > 1 && evals < maxEvals) {
      const combined = [...u];
      for (const [d, b] of bestPerDim) combined[d] = b.u[d];
      const [v] = await f([combined]);
      evals++;
      if (v < next.value) next = { u: combined, value: v };
    }
    u = next.u;
    value = next.value;
  }
  return { u, value, evals };
}
