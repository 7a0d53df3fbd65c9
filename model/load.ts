import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from './errors.ts';
import { BUILT_IN_ARCHITECTURES, builtInArchitecture, parseArchitecture, type Architecture } from './architecture.ts';
import { BUILT_IN_PRICE_TABLES, builtInPriceTable, parsePriceTable, type PriceTable } from './prices.ts';
import { REGION_MIXES, namedRegionMix, parseRegionMix } from './workload.ts';

/**
 * The readers of user-supplied JSON inputs, one per format, used by every command:
 * architectures (`--arch`), region mixes (`--regions`), price tables (`--prices`) here, params
 * files (`--params`) in model/params-file.ts; and the writer of the files a user names (`--out`).
 * Everything else in model/ is pure.
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

/**
 * Writes a file the user named; a path that cannot be written is the user's mistake, one line
 * naming `what` (the flag) and the path. `makeDir`: create its folder first.
 * @throws UserError FILE_UNREADABLE
 */
export function writeOut(path: string, text: string, what = '--out', makeDir = false): void {
  try {
    if (makeDir) mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (err) {
    throw new UserError('FILE_UNREADABLE', `${what} ${path} cannot be written (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
