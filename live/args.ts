import { invalid } from '../model/errors.ts';
import { isRegionId } from '../model/regions.ts';
import { DB_MODES, type DbMode } from '../model/architecture.ts';
import { WINDOW_CHECKS, type WindowCheck } from './handlers.ts';

/** Parses a duration: `90` (s), `90s`, `500ms`, `2m`, `1h`. Throws UserError naming the flag. */
export function parseDurationMs(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(v).trim());
  if (!m) throw invalid(flag, v, 'must be a duration like 60s, 500ms, 2m or 1h');
  const n = Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  if (!(n > 0)) throw invalid(flag, v, 'must be a positive duration');
  return n;
}

/** A positive integer flag (`1e3` accepted). */
export function parsePositiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw invalid(flag, v, 'must be a positive integer');
  return n;
}

/** A non-negative integer flag. */
export function parseNonNegativeInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw invalid(flag, v, 'must be an integer >= 0');
  return n;
}

/** A positive number flag. */
export function parsePositive(flag: string, v: string): number {
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw invalid(flag, v, 'must be a positive number');
  return n;
}

/** A number flag in [lo, hi). */
export function parseFraction(flag: string, v: string, hi = 1): number {
  const n = Number(v);
  if (!(Number.isFinite(n) && n >= 0 && n < hi)) throw invalid(flag, v, `must be a number in [0, ${hi})`);
  return n;
}

/** `--db-mode`: blocking, async or batched. */
export function parseDbMode(flag: string, v: string): DbMode {
  if (!(DB_MODES as readonly string[]).includes(v)) throw invalid(flag, v, `must be one of ${DB_MODES.join(', ')}`);
  return v as DbMode;
}

/** `--window-check`: atomic or racy. */
export function parseWindowCheck(flag: string, v: string): WindowCheck {
  if (!(WINDOW_CHECKS as readonly string[]).includes(v)) throw invalid(flag, v, `must be one of ${WINDOW_CHECKS.join(', ')}`);
  return v as WindowCheck;
}

/** A region id of model/regions.ts. */
export function parseRegion(flag: string, v: string): string {
  if (!isRegionId(v)) throw invalid(flag, v, 'must be a known region id, e.g. eu-west-1');
  return v;
}

/** `host:port` or `port` (host 127.0.0.1). */
export function parseHostPort(flag: string, v: string): { host: string; port: number } {
  const m = /^(?:(.+):)?(\d{1,5})$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw invalid(flag, v, 'must be host:port or port (1..65535)');
  return { host: m[1] ?? '127.0.0.1', port };
}

/** A port flag; 0 means any free port. */
export function parsePort(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw invalid(flag, v, 'must be a port 0..65535');
  return n;
}
