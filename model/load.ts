import { existsSync, readFileSync } from 'node:fs';
import { UserError } from './errors.ts';
import { BUILT_IN_ARCHITECTURES, builtInArchitecture, parseArchitecture, type Architecture } from './architecture.ts';
import { BUILT_IN_PRICE_TABLES, builtInPriceTable, parsePriceTable, type PriceTable } from './prices.ts';
import { REGION_MIXES, namedRegionMix, parseRegionMix } from './workload.ts';

/**
 * The readers of user-supplied JSON inputs, one per format, used by every command:
 * architectures (`--arch`), region mixes (`--regions`), price tables (`--prices`) here, params
 * files (`--params`) in model/params-file.ts. Everything else in model/ is pure.
 */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError('FILE_UNREADABLE', `${what} file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError('FILE_UNREADABLE', `${what} file ${path} is not valid JSON (${(err as Error).message})`);
  }
}

/** A built-in architecture by name, or a user's architecture file by path. */
export function loadArchitecture(nameOrPath: string): Architecture {
  if (BUILT_IN_ARCHITECTURES.includes(nameOrPath)) return builtInArchitecture(nameOrPath);
  if (nameOrPath.endsWith('.json') || existsSync(nameOrPath)) {
    return parseArchitecture(readJsonFile(nameOrPath, 'architecture'), nameOrPath);
  }
  return builtInArchitecture(nameOrPath); // throws the "must be one of" error
}

/** A built-in price table by name (`thesis-2015`, `on-demand-2015`), or a user's file by path. */
export function loadPriceTable(nameOrPath: string): PriceTable {
  if (BUILT_IN_PRICE_TABLES.includes(nameOrPath)) return builtInPriceTable(nameOrPath);
  if (nameOrPath.endsWith('.json') || existsSync(nameOrPath)) return parsePriceTable(readJsonFile(nameOrPath, 'price table'), nameOrPath);
  return builtInPriceTable(nameOrPath); // throws the "must be one of" error
}

/** A named region mix (`uniform`, `ucl-final`), or a user's JSON file of shares by path. */
export function loadRegionMix(nameOrPath: string, flag = '--regions'): Record<string, number> {
  if (nameOrPath in REGION_MIXES) return namedRegionMix(nameOrPath);
  if (nameOrPath.endsWith('.json') || existsSync(nameOrPath)) return parseRegionMix(readJsonFile(nameOrPath, flag), nameOrPath);
  return namedRegionMix(nameOrPath); // throws the "must be one of" error
}
