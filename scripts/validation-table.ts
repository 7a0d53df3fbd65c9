/**
 * Turns the text output of `sim validate` into the Markdown table of docs/calibration.md: one row
 * per region, the relative error of each compared figure, ✗ beside a figure outside its
 * tolerance (✗~ when the measured value lies within the simulator's run-to-run spread, `sim
 * validate`'s `NO, in spread`), then the count line. So the tables in the docs are produced, not typed:
 *
 *     sim validate --params p.json --measured data/thesis-2015/baseline ... > v.log
 *     npx tsx scripts/validation-table.ts v.log
 *
 * `npm run validate:all` (scripts/validate-all.ts) builds its tables with the same functions.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const COLUMNS: [string, string, string][] = [
  ['hs mean', 'handshake', 'mean'], ['hs median', 'handshake', 'median'], ['hs p98', 'handshake', 'p98'],
  ['req mean', 'request', 'mean'], ['req median', 'request', 'median'], ['req p98', 'request', 'p98'],
  ['bro mean', 'broadcast', 'mean'], ['bro median', 'broadcast', 'median'], ['bro p98', 'broadcast', 'p98'],
  ['connected', 'connected', 'share'],
];
const NAMES: Record<string, string> = {
  'eu-west-1': 'Ireland', 'us-east-1': 'N. Virginia', 'us-west-2': 'Oregon', 'us-west-1': 'N. California',
  'sa-east-1': 'São Paulo', 'ap-southeast-1': 'Singapore', 'ap-northeast-1': 'Tokyo', 'ap-southeast-2': 'Sydney',
};

/** What a `sim validate` text output says: per region its cells, the count cells, the summary line. */
export interface ValidationOutput {
  /** region id → "metric/stat" → cell ("+3%", "-26% ✗") */
  rows: Map<string, Map<string, string>>;
  /** "handledRequests -0.4%" and the like */
  counts: string[];
  /** the "N of M comparable figures within tolerance ..." line, trimmed ('' when missing) */
  summary: string;
  /** N and M of the summary line; null when there is none */
  within: { n: number; of: number } | null;
}

/** Reads the text output of `sim validate` (one measured input). */
export function parseValidation(text: string): ValidationOutput {
  const rows = new Map<string, Map<string, string>>();
  const counts: string[] = [];
  let summary = '';
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(handshake|request|broadcast|connected|handledRequests|redisOps|mysqlQueries|updatesPerUser)\s+(mean|median|p98|share|value)\s+\S+\s+\S+\s+([+-]\d+(?:\.\d+)?%)\s+\d+%\s+(yes|NO, in spread|NO)\b( \(not counted\))?/.exec(line);
    if (m) {
      const [, region, metric, stat, error, ok, notCounted] = m;
      const pct = Math.round(Number(error.slice(0, -1)));
      const mark = ok === 'NO' ? ' ✗' : ok === 'yes' ? '' : ' ✗~';
      const cell = `${pct > 0 || (pct === 0 && error.startsWith('+')) ? '+' : pct === 0 ? '-' : ''}${pct}%${mark}`;
      if (region === 'counts') counts.push(`${metric} ${error}${mark}${notCounted ? ' (not counted)' : ''}`);
      else {
        if (!rows.has(region)) rows.set(region, new Map());
        rows.get(region)!.set(`${metric}/${stat}`, cell);
      }
      continue;
    }
    if (/comparable figures within tolerance/.test(line)) summary = line.trim();
  }
  const n = /^(\d+) of (\d+) comparable figures/.exec(summary);
  return { rows, counts, summary, within: n ? { n: Number(n[1]), of: Number(n[2]) } : null };
}

/** The Markdown table of one `sim validate` text output, with its count and summary lines. */
export function validationTable(text: string): string {
  const { rows, counts, summary } = parseValidation(text);
  const out = [`| region | ${COLUMNS.map((c) => c[0]).join(' | ')} |`, `|---|${COLUMNS.map(() => '---').join('|')}|`];
  for (const [region, cells] of rows) out.push(`| ${NAMES[region] ?? region} | ${COLUMNS.map(([, metric, stat]) => cells.get(`${metric}/${stat}`) ?? '').join(' | ')} |`);
  out.push('', `Counts: ${counts.join(', ') || 'none'}`, '', summary);
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: npx tsx scripts/validation-table.ts <sim validate output>\n');
    process.exit(2);
  }
  process.stdout.write(`${validationTable(readFileSync(file, 'utf8'))}\n`);
}
