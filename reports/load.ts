import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UserError } from '../model/errors.ts';
import type { Report } from '../model/report.ts';
import { validateReport } from './schema.ts';

/** A Report with the file it was read from. */
export interface LoadedReport {
  file: string;
  report: Report;
}

/**
 * Reads Report JSON files and checks each against the Report schema, then checks that they can
 * be compared: every Report must share at least one region with the first.
 * @throws UserError FILE_UNREADABLE when a file cannot be read; REPORT_INVALID when a file is not
 *   JSON, not a Report, or not comparable with the first Report (the message names file and field).
 */
export async function loadReports(paths: readonly string[]): Promise<LoadedReport[]> {
  if (paths.length === 0) throw new UserError('REPORT_INVALID', 'no Report given: name at least one report.json');
  const loaded: LoadedReport[] = [];
  for (const file of paths) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new UserError('FILE_UNREADABLE', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    loaded.push({ file, report: parseReport(text, file) });
  }
  checkComparable(loaded);
  return loaded;
}

/**
 * Parses and validates one Report from JSON text.
 * @throws UserError REPORT_INVALID naming `file` and the field.
 */
export function parseReport(text: string, file: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the offending text, which may span lines: the message stays one line
    throw new UserError('REPORT_INVALID', `${file} is not a Report: not JSON (${(err as Error).message.replace(/\s+/g, ' ').trim()})`);
  }
  return validateReport(data, file);
}

/**
 * Reports are comparable when they describe the same kind of thing region by region: each must
 * have at least one region and share at least one region id with the first Report.
 * @throws UserError REPORT_INVALID naming the file and the `regions` field.
 */
export function checkComparable(loaded: readonly LoadedReport[]): void {
  const first = loaded[0];
  const firstIds = new Set(Object.keys(first.report.regions));
  for (const { file, report } of loaded) {
    const ids = Object.keys(report.regions);
    if (ids.length === 0) throw new UserError('REPORT_INVALID', `${file} cannot be compared: regions is empty (a Report needs at least one region)`);
    if (file !== first.file && !ids.some((id) => firstIds.has(id))) {
      throw new UserError('REPORT_INVALID', `${file} cannot be compared with ${basename(first.file)}: regions share no region id (${ids.join(', ')} vs ${[...firstIds].join(', ')})`);
    }
  }
}
