import { DB_MODES, type DbMode } from '../../model/architecture.ts';
import { invalid } from '../../model/errors.ts';
import { loadRegionMix } from '../../model/load.ts';
import type { Params } from '../../model/params.ts';
import { loadParams } from '../../model/params-file.ts';
import { parseCount } from '../args.ts';

export { RAMP_S } from '../../model/workload.ts';

/** `a,b,c` → ['a','b','c'] (empty items dropped). @throws UserError when nothing is left */
export function parseList(flag: string, text: string): string[] {
  const items = String(text).split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw invalid(flag, text, 'must list at least one value, separated by commas');
  return items;
}

/** `1e4,1e5,1e6` → counts. */
export function parseCounts(flag: string, text: string): number[] {
  return parseList(flag, text).map((t) => parseCount(flag, t));
}

/** `blocking,batched` → driver modes. */
export function parseDbModes(flag: string, text: string): DbMode[] {
  return parseList(flag, text).map((t) => {
    if (!(DB_MODES as readonly string[]).includes(t)) throw invalid(flag, t, `must list driver modes among ${DB_MODES.join(', ')}`);
    return t as DbMode;
  });
}

/** A named region mix or a JSON file of shares. */
export function regionMixOf(text: string): Record<string, number> {
  return loadRegionMix(text);
}

/** Defaults merged with a params file (validated; plain overrides or what `sim calibrate` writes), or the defaults. */
export function paramsOf(file: string | undefined): Params {
  return loadParams(file);
}

/** A non-negative integer seed. */
export function parseSeed(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw invalid('--seed', text, 'must be a non-negative integer');
  return n;
}
