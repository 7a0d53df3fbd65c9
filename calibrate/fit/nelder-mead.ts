/**
 * Nelder–Mead simplex minimisation (Nelder & Mead 1965, with the standard coefficients of
 * Lagarias et al. 1998): derivative-free, so it works on a simulator whose output is a step
 * function of its inputs at small scales. With common random numbers (the same seed at every
 * evaluation) the simulated objective is smooth enough at the scale of the initial simplex.
 *
 * The caller works in a box-free space; bounds are the job of the parameter space
 * (calibrate/fit/space.ts maps the unit cube to parameters, clamping). Deterministic: no
 * randomness, ties broken by index.
 */

export interface NelderMeadOptions {
  /** initial simplex edge per coordinate (same units as x); default 0.1 */
  step?: number | readonly number[];
  /** stop after this many objective evaluations; default 200 × dimensions */
  maxEvals?: number;
  /** converged when max |f(vertex) − f(best)| over the simplex is at most this (and xTol holds); default 1e-8 */
  fTol?: number;
  /** converged when every vertex is within this of the best in every coordinate (and fTol holds); default 1e-6 */
  xTol?: number;
  /** called after every evaluation with the evaluation count, the point, its value and the best value so far */
  onEval?: (evals: number, x: readonly number[], fx: number, bestF: number) => void;
}

export interface NelderMeadResult {
  x: number[];
  fx: number;
  evals: number;
  iterations: number;
  /** why it stopped */
  stop: 'converged' | 'maxEvals';
}

const REFLECT = 1;
const EXPAND = 2;
const CONTRACT = 0.5;
const SHRINK = 0.5;

/**
 * Minimises `f` from `x0`. A NaN or infinite value counts as +Infinity (worse than anything).
 * @throws Error when x0 is empty.
 */
export function nelderMead(f: (x: readonly number[]) => number, x0: readonly number[], opts: NelderMeadOptions = {}): NelderMeadResult {
  const n = x0.length;
  if (n === 0) throw new Error('nelderMead needs at least one coordinate');
  const maxEvals = opts.maxEvals ?? 200 * n;
  const fTol = opts.fTol ?? 1e-8;
  const xTol = opts.xTol ?? 1e-6;
  let evals = 0;
  let best = Infinity;
  const call = (x: number[]): number => {
    evals++;
    const v = f(x);
    const fx = Number.isFinite(v) ? v : Infinity;
    if (fx < best) best = fx;
    opts.onEval?.(evals, x, fx, best);
    return fx;
  };

  const pts: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    const s = typeof opts.step === 'number' || opts.step === undefined ? (opts.step ?? 0.1) : opts.step[i];
    p[i] += s;
    pts.push(p);
  }
  const vals = pts.map((p) => (evals < maxEvals ? call(p) : Infinity));
  let iterations = 0;
  let stop: NelderMeadResult['stop'] = 'maxEvals';

  const order = (): void => {
    const idx = pts.map((_, i) => i).sort((a, b) => vals[a] - vals[b] || a - b);
    const p2 = idx.map((i) => pts[i]);
    const v2 = idx.map((i) => vals[i]);
    for (let i = 0; i <= n; i++) {
      pts[i] = p2[i];
      vals[i] = v2[i];
    }
  };
  const along = (c: number[], w: number[], t: number): number[] => c.map((ci, j) => ci + t * (w[j] - ci));

  while (evals < maxEvals) {
    order();
    const spreadF = Math.abs(vals[n] - vals[0]);
    let spreadX = 0;
    for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) spreadX = Math.max(spreadX, Math.abs(pts[i][j] - pts[0][j]));
    // both must hold (as scipy does): equal values at distinct points are not convergence
    if (spreadF <= fTol && spreadX <= xTol && Number.isFinite(vals[n])) { stop = 'converged'; break; }
    iterations++;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += pts[i][j] / n;
    const worst = pts[n];
    const xr = along(centroid, worst, -REFLECT);
    const fr = call(xr);
    if (fr < vals[0]) {
      if (evals >= maxEvals) { pts[n] = xr; vals[n] = fr; break; }
      const xe = along(centroid, worst, -REFLECT * EXPAND);
      const fe = call(xe);
      if (fe < fr) { pts[n] = xe; vals[n] = fe; } else { pts[n] = xr; vals[n] = fr; }
      continue;
    }
    if (fr < vals[n - 1]) { pts[n] = xr; vals[n] = fr; continue; }
    if (evals >= maxEvals) break;
    // contraction: outside when the reflection beat the worst, inside otherwise
    const outside = fr < vals[n];
    const xc = outside ? along(centroid, worst, -REFLECT * CONTRACT) : along(centroid, worst, CONTRACT);
    const fc = call(xc);
    if (fc < (outside ? fr : vals[n])) { pts[n] = xc; vals[n] = fc; continue; }
    // shrink towards the best vertex
    for (let i = 1; i <= n && evals < maxEvals; i++) {
      pts[i] = along(pts[0], pts[i], SHRINK);
      vals[i] = call(pts[i]);
    }
  }
  order();
  return { x: pts[0].slice(), fx: vals[0], evals, iterations, stop };
}
