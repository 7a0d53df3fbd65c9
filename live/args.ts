import { parseDurationS } from '../model/args.ts';
import { invalid } from '../model/errors.ts';
import { isRegionId } from '../model/regions.ts';
import { DB_MODES, type DbMode } from '../model/architecture.ts';
import { WINDOW_CHECKS, type WindowCheck } from './server/handlers.ts';

export { parseFraction, parseNonNegativeInt, parsePositive, parsePositiveInt } from '../model/args.ts';

/** Parses a duration in ms: `90` (s), `90s`, `500ms`, `2m`, `1h30m`. Throws UserError naming the flag. */
export function parseDurationMs(flag: string, v: string): number {
  return parseDurationS(flag, v) * 1000;
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
