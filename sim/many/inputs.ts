import { DB_MODES, type DbMode } from '../../model/architecture.ts';
import { invalid } from '../../model/errors.ts';
import { readJsonFile } from '../../model/load.ts';
import { mergeParams, type Params } from '../../model/params.ts';
import { REGION_MIXES, THESIS_SCENARIO, namedRegionMix, parseRegionMix } from '../../model/workload.ts';
import { parseCount } from '../args.ts';

/** Seconds the thesis's ramp lasted; the default ramp rate keeps it for any user count (as `sim run`). */
export const RAMP_S = THESIS_SCENARIO.users / THESIS_SCENARIO.rampPerS;

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
  if (REGION_MIXES[text]) return namedRegionMix(text);
  if (text.endsWith('.json')) return parseRegionMix(readJsonFile(text, 'region mix'), text);
  return namedRegionMix(text);
}

/** Defaults merged with a params file (validated), or the defaults. */
export function paramsOf(file: string | undefined): Params {
  return mergeParams(file ? readJsonFile(file, 'params') : {}, file ?? 'default params');
}

/** A non-negative integer seed. */
export function parseSeed(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw invalid('--seed', text, 'must be a non-negative integer');
  return n;
}
