import { UserError } from '../../model/errors.ts';
import type { PercentileKey } from '../../model/report.ts';

/**
 * Reader of one WebSocket-bench client report (the extended tool of the thesis; format in
 * shared data README): plain text with ANSI colour codes, a header of counts, a "Durations (ms)"
 * table and a "Percentile (ms)" table whose header prints `98%` twice (the second is the 99th).
 */

/** The three measured latencies of a report. */
export type Metric = 'handshake' | 'request' | 'broadcast';
export const METRICS: readonly Metric[] = ['handshake', 'request', 'broadcast'];

/** Row labels of the tool, by metric. */
const ROW_LABELS: Readonly<Record<string, Metric>> = {
  Handshaking: 'handshake',
  Latency: 'request',
  'Broadcast Latency': 'broadcast',
};

/** One metric of one report; `count` 0 means no samples (all else then meaningless). */
export interface MetricStats {
  count: number;
  min: number;
  mean: number;
  stddev: number;
  median: number;
  max: number;
  /** percentiles present in the report (ms); absent keys were not printed */
  percentiles: Partial<Record<PercentileKey, number>>;
}

export interface BenchReport {
  /** connections the client launched, from its first line ("Launch bench with 200 total connection, ..."); null when the line is absent */
  launched: number | null;
  connected: number;
  failed: number;
  disconnected: number | null;
  /** "Time taken", ms */
  timeTakenMs: number | null;
  metrics: Record<Metric, MetricStats | null>;
  /** "Received errors" lines, e.g. `1x read ECONNRESET` → { "read ECONNRESET": 1 } */
  errors: Record<string, number>;
}

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const DURATION_COLUMNS = ['min', 'mean', 'stddev', 'median', 'max', 'sampleCount'] as const;

function malformed(file: string, line: number, problem: string): UserError {
  return new UserError('IMPORT_MALFORMED', `${file}:${line}: ${problem}`);
}

/** Splits "Broadcast Latency    116  307 ..." into its label and numeric cells. */
function splitRow(text: string): { label: string; cells: string[] } | null {
  for (const label of Object.keys(ROW_LABELS)) {
    if (text === label || text.startsWith(`${label} `) || text.startsWith(`${label}\t`)) {
      return { label, cells: text.slice(label.length).trim().split(/\s+/).filter(Boolean) };
    }
  }
  return null;
}

function number(cell: string, file: string, line: number, what: string): number {
  const v = Number(cell);
  if (cell === '' || !Number.isFinite(v)) throw malformed(file, line, `${what} is not a number (got ${JSON.stringify(cell)})`);
  if (v < 0) throw malformed(file, line, `${what} must not be negative (got ${cell})`);
  return v;
}

/** Maps a percentile header ("50% 66% ... 98% 98% 100%") to report keys; the repeated 98% is the 99th. */
function percentileColumns(cells: string[], file: string, line: number): (PercentileKey | 'max' | null)[] {
  const seen = new Set<string>();
  return cells.map((c) => {
    const m = /^(\d+(?:\.\d+)?)%$/.exec(c);
    if (!m) throw malformed(file, line, `percentile header cell ${JSON.stringify(c)} is not like "95%"`);
    let p = m[1];
    if (p === '98' && seen.has('98')) p = '99';
    seen.add(p);
    if (p === '100') return 'max';
    const key = `p${p}` as PercentileKey;
    return ['p50', 'p66', 'p75', 'p80', 'p90', 'p95', 'p98', 'p99'].includes(key) ? key : null;
  });
}

/** What the parser has read so far of one report. */
interface ParseState {
  file: string;
  section: 'head' | 'durations' | 'percentiles' | 'errors';
  header: Record<string, number>;
  metrics: Record<Metric, MetricStats | null>;
  errors: Record<string, number>;
  durationCols: string[] | null;
  pctCols: (PercentileKey | 'max' | null)[] | null;
  launched: number | null;
  /** line of the launch line, for its error */
  launchedAt: number;
}

/**
 * Parses the text of one report. `file` names it in errors.
 * @throws UserError IMPORT_MALFORMED `file:line: problem` for anything it cannot read.
 */
export function parseBenchReport(text: string, file: string): BenchReport {
  const lines = text.replace(ANSI, '').split(/\r?\n/);
  const st: ParseState = {
    file, section: 'head', header: {}, metrics: { handshake: null, request: null, broadcast: null }, errors: {},
    durationCols: null, pctCols: null, launched: null, launchedAt: 1,
  };
  for (let i = 0; i < lines.length; i++) {
    const at = i + 1;
    const line = lines[i].trim();
    if (line === '') continue;
    if (/^Durations \(ms\):?$/.test(line)) { st.section = 'durations'; st.durationCols = null; continue; }
    if (/^Percentile \(ms\):?$/.test(line)) { st.section = 'percentiles'; st.pctCols = null; continue; }
    if (/^Received errors:?$/.test(line)) { st.section = 'errors'; continue; }
    if (st.section === 'head') readHeadLine(st, line, at);
    else if (st.section === 'errors') {
      const m = /^(\d+)x\s+(.+)$/.exec(line);
      if (m) st.errors[m[2].trim()] = (st.errors[m[2].trim()] ?? 0) + Number(m[1]);
    } else if (st.section === 'durations' && st.durationCols === null) {
      st.durationCols = line.split(/\s+/);
      for (const c of DURATION_COLUMNS) {
        if (!st.durationCols.includes(c)) throw malformed(file, at, `durations header lacks the column "${c}" (got ${JSON.stringify(line)})`);
      }
    } else if (st.section === 'percentiles' && st.pctCols === null) {
      st.pctCols = percentileColumns(line.split(/\s+/), file, at);
    } else readTableRow(st, line, at);
  }
  const { header, launched } = st;
  if (header.Connected === undefined) throw malformed(file, lines.length, 'no "Connected" line: not a WebSocket-bench report');
  if (st.durationCols === null && header.Connected > 0) throw malformed(file, lines.length, 'no "Durations (ms)" table');
  const failed = header.Failed ?? 0;
  if (launched !== null && (!Number.isInteger(launched) || launched < header.Connected + failed)) {
    throw malformed(file, st.launchedAt, `Launch bench total connections must be a whole number at least Connected + Failed = ${header.Connected + failed} (got ${launched})`);
  }
  return {
    launched,
    connected: header.Connected,
    failed,
    disconnected: header.Disconnected ?? null,
    timeTakenMs: header['Time taken'] ?? null,
    metrics: st.metrics,
    errors: st.errors,
  };
}

/** A line before the tables: a count of the header, the launch line, or a banner line (skipped). */
function readHeadLine(st: ParseState, line: string, at: number): void {
  const m = /^(Online|Time taken|Connected|Disconnected|Failed|Collected from:?)\s+(\S+)/.exec(line);
  if (m) {
    st.header[m[1].replace(/:$/, '')] = number(m[2], st.file, at, m[1]);
    return;
  }
  // the launch line: connections launched open-loop, one a second (SYSTEM.md §2); what was
  // neither connected nor failed at the kill was still pending
  const launch = /^Launch bench with (\S+) total connections?\b/.exec(line);
  if (launch) {
    st.launched = number(launch[1], st.file, at, 'Launch bench total connections');
    st.launchedAt = at;
  }
  // the other banner lines carry nothing we need
}

/** A metric's row of the durations or the percentile table, after the table's header. */
function readTableRow(st: ParseState, line: string, at: number): void {
  const { file } = st;
  const row = splitRow(line);
  if (!row) throw malformed(file, at, `unexpected line in the ${st.section} table: ${JSON.stringify(line.slice(0, 60))}`);
  const metric = ROW_LABELS[row.label];
  if (row.cells.length === 0) return; // a label without data: zero samples
  if (st.section === 'durations') {
    const cols = st.durationCols!;
    if (row.cells.length !== cols.length) throw malformed(file, at, `${row.label} has ${row.cells.length} values for ${cols.length} columns`);
    const get = (c: string): number => number(row.cells[cols.indexOf(c)], file, at, `${row.label} ${c}`);
    const count = get('sampleCount');
    if (!Number.isInteger(count)) throw malformed(file, at, `${row.label} sampleCount must be a whole number (got ${count})`);
    st.metrics[metric] = count === 0 ? null : {
      count, min: get('min'), mean: get('mean'), stddev: get('stddev'), median: get('median'), max: get('max'), percentiles: {},
    };
  } else {
    const cols = st.pctCols!;
    const stats = st.metrics[metric];
    if (!stats) return; // percentiles of an empty metric carry nothing
    if (row.cells.length !== cols.length) throw malformed(file, at, `${row.label} has ${row.cells.length} percentiles for ${cols.length} columns`);
    cols.forEach((key, j) => {
      const v = number(row.cells[j], file, at, `${row.label} ${key ?? 'percentile'}`);
      if (key && key !== 'max') stats.percentiles[key] = v;
    });
  }
}
