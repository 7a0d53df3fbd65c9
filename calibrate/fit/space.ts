/**
 * The fitted parameters as a box, and the map between the optimiser's unit cube and parameter
 * values. A dimension names a parameter by its dot path in the Params object (`jitter.sigma`),
 * its plausible range, and whether it moves on a log scale (costs and times spanning decades).
 * The optimiser sees u ∈ [0, 1] per dimension; values outside are clamped, so every point it
 * tries is a valid parameter set.
 */
export interface FitDimension {
  /** dot path into Params */
  path: string;
  lo: number;
  hi: number;
  /** move on a log scale (lo must be > 0) */
  log: boolean;
  /** what it stands for, for params.json readers */
  meaning: string;
  /**
   * other parameters moved in proportion (each set to its default × value / this one's default),
   * so that one coordinate scales a family such as every handler's CPU cost
   */
  scales?: readonly string[];
}

/** Clamps to [0, 1]. */
export function clampUnit(u: number): number {
  return u < 0 ? 0 : u > 1 ? 1 : u;
}

/** Parameter value at unit coordinate u. */
export function fromUnit(u: number, d: FitDimension): number {
  const t = clampUnit(u);
  return d.log ? Math.exp(Math.log(d.lo) + t * (Math.log(d.hi) - Math.log(d.lo))) : d.lo + t * (d.hi - d.lo);
}

/** Unit coordinate of a parameter value (clamped into the box). */
export function toUnit(value: number, d: FitDimension): number {
  if (d.log) return clampUnit((Math.log(Math.max(value, d.lo)) - Math.log(d.lo)) / (Math.log(d.hi) - Math.log(d.lo)));
  return clampUnit((value - d.lo) / (d.hi - d.lo));
}

/** Reads a value by dot path; undefined when absent. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Returns a deep copy of `obj` with the value at `path` replaced (intermediate objects created). */
export function setPath<T>(obj: T, path: string, value: unknown): T {
  const out = structuredClone(obj) as Record<string, unknown>;
  const keys = path.split('.');
  let cur = out;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = cur[keys[i]];
    if (!next || typeof next !== 'object') cur[keys[i]] = {};
    cur = cur[keys[i]] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
  return out as T;
}

/**
 * Overrides object (nested by path) with each dimension set from the unit vector, on top of
 * `base` overrides. Values are rounded to 6 significant digits so params.json stays readable
 * and a re-run reads back exactly what was evaluated.
 */
export function overridesAt(base: Record<string, unknown>, dims: readonly FitDimension[], u: readonly number[], defaults: unknown = {}): Record<string, unknown> {
  let out = structuredClone(base);
  dims.forEach((d, i) => {
    const value = roundSig(fromUnit(u[i], d), 6);
    out = setPath(out, d.path, value);
    const own = getPath(defaults, d.path);
    for (const other of d.scales ?? []) {
      const dflt = getPath(defaults, other);
      if (typeof own !== 'number' || own === 0 || typeof dflt !== 'number') throw new Error(`fit dimension ${d.path} scales ${other} but a default is missing or zero`);
      out = setPath(out, other, roundSig((dflt * value) / own, 6));
    }
  });
  return out;
}

/** Rounds to n significant digits. */
export function roundSig(x: number, n: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(n));
}

/**
 * Keeps the dimensions whose path exists (as a number) in the defaults, so the list can name
 * parameters the simulator may not have; returns the kept ones and the names dropped.
 */
export function resolveDimensions(candidates: readonly FitDimension[], defaults: unknown): { dims: FitDimension[]; dropped: string[] } {
  const dims: FitDimension[] = [];
  const dropped: string[] = [];
  for (const d of candidates) {
    if (typeof getPath(defaults, d.path) === 'number') dims.push(d);
    else dropped.push(d.path);
  }
  return { dims, dropped };
}
