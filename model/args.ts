import { invalid } from './errors.ts';

/**
 * Parsers for command-line values, shared by every module's commands. Each throws a UserError naming the flag, the value and the
 * rule, so `sim run --users -5` says `--users must be a positive integer ... (got "-5")`.
 */

/** `24000`, `1e6`, `1_000_000`, `1,000,000`, `2.5k`, `1M` → a positive integer. */
export function parseCount(flag: string, text: string): number {
  const t = String(text).trim().replace(/[_,]/g, '');
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)([kKmM]?)$/.exec(t);
  const value = m ? Number(m[1]) * (m[2] === '' ? 1 : /k/i.test(m[2]) ? 1e3 : 1e6) : NaN;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw invalid(flag, text, 'must be a positive integer such as 24000, 1e6 or 1_000_000');
  }
  return value;
}

/** A positive number (`120`, `0.5`, `5e3`). */
export function parsePositive(flag: string, text: string): number {
  const value = Number(String(text).replace(/_/g, ''));
  if (!Number.isFinite(value) || value <= 0) throw invalid(flag, text, 'must be a positive number');
  return value;
}

/** A positive integer (`4`, `1e3`). */
export function parsePositiveInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw invalid(flag, text, 'must be a positive integer');
  return value;
}

/** A number in [0, hi). */
export function parseFraction(flag: string, text: string, hi = 1): number {
  const value = Number(text);
  if (!(Number.isFinite(value) && value >= 0 && value < hi)) throw invalid(flag, text, `must be a number in [0, ${hi})`);
  return value;
}

/** A non-negative integer (`0`, `42`). */
export function parseNonNegativeInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw invalid(flag, text, 'must be a non-negative integer');
  return value;
}

const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, min: 60, h: 3600 };

/** `90m`, `5400s`, `5400`, `1h30m`, `1.5h`, `500ms` → seconds (> 0). */
export function parseDurationS(flag: string, text: string): number {
  const t = String(text).trim();
  if (/^\d+(\.\d+)?$/.test(t)) return parsePositive(flag, t);
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|min|s|m|h)/g)];
  const joined = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || joined !== t) throw invalid(flag, text, 'must be a duration such as 90m, 5400s, 1h30m or 500ms');
  const seconds = parts.reduce((s, p) => s + Number(p[1]) * UNIT_S[p[2]], 0);
  if (!(seconds > 0)) throw invalid(flag, text, 'must be a positive duration');
  return seconds;
}

/** One of a fixed set of words. */
export function parseChoice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw invalid(flag, text, `must be one of ${choices.join(', ')}`);
  return text as T;
}
