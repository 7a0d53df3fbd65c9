import { UserError } from '../../model/errors.ts';

/**
 * Readers of the server-side counters a run directory may hold (all optional; the live module
 * writes them, or a user saves them by hand at the end of a run). Values are the run's totals:
 * save the difference between the end and the start of the run when the server ran before it.
 *
 * - `redis-info.txt` (or `redis-info-<node>.txt`, summed): the output of Redis `INFO stats`
 *   (`keyspace_hits:<n>` and `keyspace_misses:<n>` lines; other lines ignored).
 * - `mysql-status.txt` (or `mysql-status-<node>.txt`): the output of
 *   `SHOW GLOBAL STATUS LIKE 'Queries'` as printed by the mysql client, in table (`| Queries | n |`),
 *   tab-separated (`Queries\tn`) or `Queries: n` form.
 * - `mysql-status.json` (or `mysql-status-<node>.json`): `{ "Queries": n }` or the rows
 *   `[{ "Variable_name": "Queries", "Value": "n" }]`.
 */
export const REDIS_INFO_FILE = /^redis-info(-[\w.-]+)?\.txt$/;
export const MYSQL_STATUS_FILE = /^mysql-status(-[\w.-]+)?\.(txt|json)$/;

function malformed(file: string, line: number, problem: string): UserError {
  return new UserError('IMPORT_MALFORMED', `${file}:${line}: ${problem}`);
}

function count(text: string, file: string, line: number, what: string): number {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(v) || v < 0) throw malformed(file, line, `${what} must be a non-negative whole number (got ${JSON.stringify(text.trim())})`);
  return v;
}

/** Keyspace hits and misses from Redis INFO text. @throws UserError IMPORT_MALFORMED */
export function parseRedisInfo(text: string, file: string): { hits: number; misses: number } {
  let hits: number | null = null;
  let misses: number | null = null;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const m = /^(keyspace_hits|keyspace_misses):(.*)$/.exec(raw.trim());
    if (!m) return;
    const v = count(m[2], file, i + 1, m[1]);
    if (m[1] === 'keyspace_hits') hits = v;
    else misses = v;
  });
  if (hits === null || misses === null) {
    throw malformed(file, lines.length, `no ${hits === null ? 'keyspace_hits' : 'keyspace_misses'} line: expected the output of Redis INFO stats`);
  }
  return { hits, misses };
}

/** The `Queries` global status counter from a text or JSON file. @throws UserError IMPORT_MALFORMED */
export function parseMysqlQueries(text: string, file: string): number {
  if (file.endsWith('.json')) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw malformed(file, 1, `not valid JSON (${(err as Error).message})`);
    }
    if (Array.isArray(data)) {
      const row = data.find((r) => r && typeof r === 'object' && (r as Record<string, unknown>).Variable_name === 'Queries') as Record<string, unknown> | undefined;
      if (row) return count(String(row.Value), file, 1, 'Queries');
    } else if (data && typeof data === 'object' && 'Queries' in data) {
      return count(String((data as Record<string, unknown>).Queries), file, 1, 'Queries');
    }
    throw malformed(file, 1, 'no Queries value: expected {"Queries": n} or [{"Variable_name": "Queries", "Value": n}]');
  }
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^\|?\s*Queries\s*(?:\||:|\t|\s)\s*([^|\s]*)\s*\|?\s*$/.exec(lines[i]);
    if (m) return count(m[1], file, i + 1, 'Queries');
  }
  throw malformed(file, lines.length, "no Queries line: expected the output of SHOW GLOBAL STATUS LIKE 'Queries'");
}
