/**
 * A trust-region search on the loss's terms (derivative-free Gauss–Newton, in the manner of
 * Cartis & Roberts' DFO-GN, Optimization Methods & Software 2019, and Zhang, Conn & Scheinberg's
 * POUNDERS, SIAM J. Optim. 2010): the loss is a known function of about a hundred log errors,
 * so each evaluation says how every statistic moved, not only whether their sum fell. From
 * one forward difference per coordinate (a Jacobian of the log errors, evaluated at once), a
 * linear model of the log errors inside a box of half-width Δ gives the loss model; the step
 * minimises it (the exact Huber and hinge costs on the linearised errors: convex, solved by
 * iteratively reweighted least squares with an exact coordinate descent inside the box). The
 * step is kept when the simulated loss falls; Δ grows after a step the model predicted well and
 * shrinks after one it did not; each evaluated step updates the Jacobian (Broyden's rank-one
 * update). Coordinates move together as the model says they must (a stall's length against the
 * loop CPU that drains the queue behind it), which a coordinate search does one at a time.
 *
 * Deterministic: the candidates of a step are fixed (Δ and Δ/4), evaluated together, ties keep
 * the first.
 */

/** A term's cost as the loss counts it: its effective weight and its cost of a log error. */
export interface TermModel {
  weight: number;
  /** cost of a log error (null: the prediction is missing), as the loss defines it */
  cost: (logError: number | null) => number;
  /** slope-bearing pieces of the cost, for the quadratic model at e (see quadraticAt) */
  quadraticAt: (logError: number) => { curvature: number; centre: number }[];
}

/** An evaluated point: its loss and its terms' log errors, in the same order at every point. */
export interface TermValues {
  value: number;
  errors: readonly (number | null)[];
}

export type BatchTerms = (points: number[][]) => Promise<TermValues[]>;

/** Forward-difference step of the Jacobian (unit cube). */
export const TRUST_FD_STEP = 0.03;
/** First trust-region half-width (unit cube), and its bounds. */
export const TRUST_DELTA0 = 0.1;
export const TRUST_DELTA_MAX = 0.4;
export const TRUST_DELTA_MIN = 0.005;

/** The model's loss at log errors `e`. */
export function modelLoss(terms: readonly TermModel[], e: readonly (number | null)[]): number {
  let s = 0;
  for (let t = 0; t < terms.length; t++) s += terms[t].weight * terms[t].cost(e[t]);
  return s;
}

/** Log errors of the linear model e0 + J·x (a missing error stays missing). */
export function linearised(e0: readonly (number | null)[], J: readonly number[][], x: readonly number[]): (number | null)[] {
  return e0.map((e, t) => (e === null ? null : e + J[t].reduce((s, v, j) => s + v * x[j], 0)));
}

/**
 * Minimises the model loss over x in the box [lo, hi] (lo ≤ 0 ≤ hi): iteratively reweighted
 * least squares, each quadratic minimised exactly by coordinate descent inside the box, each
 * step kept only when the model loss falls (halved otherwise). Returns x and its model loss.
 */
export function minimiseModel(terms: readonly TermModel[], e0: readonly (number | null)[], J: readonly number[][], lo: readonly number[], hi: readonly number[], outer = 40): { x: number[]; value: number } {
  const n = lo.length;
  let x = new Array<number>(n).fill(0);
  let value = modelLoss(terms, linearised(e0, J, x));
  for (let it = 0; it < outer; it++) {
    const e = linearised(e0, J, x);
    // quadratic Σ c (e_t + J_t d − centre)² in d = x' − x: H d + g = 0
    const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const g = new Array<number>(n).fill(0);
    for (let t = 0; t < terms.length; t++) {
      const et = e[t];
      if (et === null) continue;
      const row = J[t];
      for (const { curvature, centre } of terms[t].quadraticAt(et)) {
        const c = terms[t].weight * curvature;
        if (!(c > 0)) continue;
        const r = et - centre;
        for (let i = 0; i < n; i++) {
          if (row[i] === 0) continue;
          g[i] += c * r * row[i];
          for (let j = 0; j < n; j++) H[i][j] += c * row[i] * row[j];
        }
      }
    }
    const ridge = 1e-9 * Math.max(1e-12, H.reduce((s, r, i) => s + r[i], 0));
    for (let i = 0; i < n; i++) H[i][i] += ridge;
    // coordinate descent on ½ dᵀHd + gᵀd, x + d inside the box
    const d = new Array<number>(n).fill(0);
    const Hd = new Array<number>(n).fill(0);
    for (let sweep = 0; sweep < 200; sweep++) {
      let moved = 0;
      for (let i = 0; i < n; i++) {
        const next = Math.min(hi[i] - x[i], Math.max(lo[i] - x[i], d[i] - (g[i] + Hd[i]) / H[i][i]));
        const delta = next - d[i];
        if (delta === 0) continue;
        d[i] = next;
        for (let k = 0; k < n; k++) Hd[k] += H[k][i] * delta;
        moved = Math.max(moved, Math.abs(delta));
      }
      if (moved < 1e-12) break;
    }
    // keep the step where it lowers the model (halving it otherwise)
    let step = 1;
    let taken = false;
    for (let k = 0; k < 20 && !taken; k++, step /= 2) {
      const trial = x.map((v, i) => v + step * d[i]);
      const tv = modelLoss(terms, linearised(e0, J, trial));
      if (tv < value) {
        x = trial;
        taken = value - tv > 1e-14 * Math.max(1, value);
        value = tv;
        if (!taken) return { x, value };
      }
    }
    if (!taken) break;
  }
  return { x, value };
}

/** Broyden's rank-one update of J with a step dx and the change de it made (in place). */
export function broydenUpdate(J: number[][], dx: readonly number[], de: readonly (number | null)[]): void {
  const dd = dx.reduce((s, v) => s + v * v, 0);
  if (!(dd > 0)) return;
  for (let t = 0; t < J.length; t++) {
    const change = de[t];
    if (change === null) continue;
    const r = change - J[t].reduce((s, v, j) => s + v * dx[j], 0);
    for (let j = 0; j < dx.length; j++) J[t][j] += (r * dx[j]) / dd;
  }
}

const diff = (a: readonly (number | null)[], b: readonly (number | null)[]): (number | null)[] => a.map((v, t) => (v === null || b[t] === null ? null : v - (b[t] as number)));

/** Evaluations the trust region needs to take a step in n dimensions: a Jacobian, then a step and its quarter. */
export function trustRegionNeeds(n: number): number {
  return n + 2;
}

/**
 * The trust-region search from `start` (its evaluation given), within `maxEvals` evaluations.
 * `terms`: the loss's terms (weights and costs), in the order of every evaluation's errors.
 * Returns the best point, its value and the evaluations spent.
 */
export async function trustRegionSearch(
  f: BatchTerms,
  terms: readonly TermModel[],
  start: readonly number[],
  startValues: TermValues,
  maxEvals: number,
  onStep?: (what: string) => void,
): Promise<{ u: number[]; value: number; evals: number }> {
  const n = start.length;
  let u = [...start];
  let at = startValues;
  let evals = 0;
  let delta = TRUST_DELTA0;
  let J: number[][] = [];
  let fresh = false;
  const jacobian = async (h: number) => {
    const signs = u.map((x) => (x + h <= 1 ? 1 : -1));
    const points = u.map((_x, j) => u.map((x, k) => (k === j ? x + signs[j] * h : x)));
    const vals = await f(points);
    evals += n;
    J = at.errors.map(() => new Array<number>(n).fill(0));
    vals.forEach((v, j) => {
      v.errors.forEach((e, t) => { if (e !== null && at.errors[t] !== null) J[t][j] = (e - (at.errors[t] as number)) / (signs[j] * h); });
    });
    fresh = true;
    // a difference point that is better becomes the base (J still describes its neighbourhood)
    let best = -1;
    vals.forEach((v, j) => { if (v.value < (best < 0 ? at.value : vals[best].value)) best = j; });
    if (best >= 0) {
      for (let t = 0; t < J.length; t++) if (vals[best].errors[t] === null) J[t].fill(0);
      u = points[best];
      at = vals[best];
    }
    onStep?.(`Jacobian (step ${h})`);
  };
  // a Jacobian is taken again only where none was taken yet (the same point gives the same one)
  let jacobianAt: number[] | null = null;
  const refresh = async () => {
    if (maxEvals - evals < trustRegionNeeds(n) || (jacobianAt && jacobianAt.every((x, i) => x === u[i]))) return false;
    jacobianAt = [...u];
    await jacobian(TRUST_FD_STEP);
    delta = TRUST_DELTA0;
    return true;
  };
  await refresh();
  while (maxEvals - evals >= 2 && J.length) {
    const lo = u.map((x) => Math.max(-x, -delta));
    const hi = u.map((x) => Math.min(1 - x, delta));
    const full = minimiseModel(terms, at.errors, J, lo, hi);
    const quarter = minimiseModel(terms, at.errors, J, lo.map((v) => v / 4), hi.map((v) => v / 4));
    const predicted = at.value - full.value;
    const size = Math.max(...full.x.map(Math.abs));
    if (!(predicted > 1e-12 * Math.max(1, at.value)) || size < 1e-9) {
      // the model sees no descent: a new Jacobian where the search now is, or stop
      if (fresh || !(await refresh())) break;
      continue;
    }
    const steps = [full.x, quarter.x];
    const points = steps.map((x) => u.map((v, i) => Math.min(1, Math.max(0, v + x[i]))));
    const vals = await f(points);
    evals += points.length;
    // each evaluated step teaches the Jacobian, relative to the current base
    const base = at;
    steps.forEach((x, k) => broydenUpdate(J, x, diff(vals[k].errors, base.errors)));
    fresh = false;
    const k = vals[0].value <= vals[1].value ? 0 : 1;
    const ratio = (base.value - vals[0].value) / predicted;
    if (vals[k].value < base.value) {
      u = points[k];
      at = vals[k];
      delta = k === 0 ? (ratio > 0.5 ? Math.min(TRUST_DELTA_MAX, 2 * delta) : delta) : delta / 2;
    } else {
      delta /= 4;
    }
    onStep?.(`trust region: model ${full.value.toFixed(4)}, simulated ${vals[0].value.toFixed(4)} / ${vals[1].value.toFixed(4)}, step ${size.toFixed(3)}, next Δ ${delta.toFixed(3)}`);
    // below the resolution of the simulated loss: a new Jacobian where the search now is, or stop
    if (delta < TRUST_DELTA_MIN && !(await refresh())) break;
  }
  return { u, value: at.value, evals };
}
