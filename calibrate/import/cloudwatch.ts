import { UserError, invalid } from '../../model/errors.ts';

/**
 * Reader of one CloudWatch CSV export: `Timestamp,Average,Maximum,Minimum,Sum,SampleCount,Unit`,
 * columns found by the header, rows in any order, one row per minute.
 *
 * The value of a minute depends on the unit: `Bytes` and `Count` are amounts per period
 * (NetworkIn, DiskWriteOps), so the `Sum` is taken; everything else (Percent, Megabytes,
 * Gigabytes) is a level, so the `Average` is taken. Sizes are converted to bytes with binary
 * multiples (the CloudWatch monitoring scripts report MB and GB as 2^20 and 2^30 bytes).
 */
export interface CwSeries {
  file: string;
  /** metric name: the file name without `.csv` (CPUUtilization, MemoryUsed, ...) */
  metric: string;
  /** unit of `values` after conversion: 'Percent', 'Bytes', 'Count' or the file's own */
  unit: string;
  /** value by minute since the Unix epoch (UTC) */
  values: Map<number, number>;
}

const SIZE_BYTES: Readonly<Record<string, number>> = {
  Bytes: 1, Kilobytes: 2 ** 10, Megabytes: 2 ** 20, Gigabytes: 2 ** 30, Terabytes: 2 ** 40,
};
const AMOUNT_UNITS = new Set(['Bytes', 'Count']);
const TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]00:?00)?$/;

/** Minutes since the Unix epoch of "2015-07-31 15:36:00" (UTC), or null if it is not such a time. */
export function parseMinute(text: string): number | null {
  const m = TIME.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = [1, 2, 3, 4, 5].map((k) => Number(m[k]));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  return Math.floor(Date.UTC(y, mo - 1, d, h, mi) / 60_000);
}

/** "2015-07-31 15:36:00" for a minute since the epoch. */
export function formatMinute(minute: number): string {
  return new Date(minute * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** A `--from`/`--to` value as minutes since the epoch. @throws UserError CONFIG_INVALID */
export function parseWindowTime(flag: string, text: string): number {
  const m = parseMinute(text);
  if (m === null) throw invalid(flag, text, 'must be a UTC time like "2015-07-31 15:36:00"');
  return m;
}

function malformed(file: string, line: number, problem: string): UserError {
  return new UserError('IMPORT_MALFORMED', `${file}:${line}: ${problem}`);
}

const unquote = (s: string): string => s.trim().replace(/^"(.*)"$/, '$1');

/**
 * Parses one CloudWatch CSV. `metric` is its metric name, `file` names it in errors.
 * @throws UserError IMPORT_MALFORMED `file:line: problem` for a missing column, a bad time or
 *         number, or a minute given twice.
 */
export function parseCloudWatchCsv(text: string, metric: string, file: string): CwSeries {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map(unquote);
  const col = (name: string): number => header.indexOf(name);
  const ts = col('Timestamp');
  if (ts < 0) throw malformed(file, 1, `header has no "Timestamp" column (got ${JSON.stringify(lines[0]?.slice(0, 80) ?? '')})`);
  const unitCol = col('Unit');
  const avg = col('Average');
  const sum = col('Sum');
  let unit: string | null = null;
  const values = new Map<number, number>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const at = i + 1;
    const cells = lines[i].split(',').map(unquote);
    if (cells.length !== header.length) throw malformed(file, at, `${cells.length} cells for ${header.length} header columns`);
    const minute = parseMinute(cells[ts]);
    if (minute === null) throw malformed(file, at, `Timestamp ${JSON.stringify(cells[ts])} is not like "2015-07-31 15:36:00"`);
    const rowUnit = unitCol >= 0 ? cells[unitCol] : 'None';
    if (unit === null) unit = rowUnit;
    else if (rowUnit !== unit) throw malformed(file, at, `unit ${JSON.stringify(rowUnit)} differs from ${JSON.stringify(unit)} of the rows before`);
    const use = AMOUNT_UNITS.has(rowUnit) ? sum : avg;
    if (use < 0) throw malformed(file, 1, `header has no "${AMOUNT_UNITS.has(rowUnit) ? 'Sum' : 'Average'}" column, needed for unit ${rowUnit}`);
    const v = Number(cells[use]);
    if (cells[use] === '' || !Number.isFinite(v)) throw malformed(file, at, `${header[use]} ${JSON.stringify(cells[use])} is not a number`);
    if (values.has(minute)) throw malformed(file, at, `minute ${formatMinute(minute)} appears twice`);
    values.set(minute, v * (SIZE_BYTES[rowUnit] ?? 1));
  }
  const finalUnit = unit === null ? 'None' : SIZE_BYTES[unit] !== undefined ? 'Bytes' : unit;
  return { file, metric, unit: finalUnit, values };
}
