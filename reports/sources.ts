import { basename } from 'node:path';
import type { Report } from '../model/report.ts';
import type { LoadedReport } from './load.ts';

/**
 * One compared Report as every chart and table shows it: a unique label and one colour, the same
 * everywhere on the page.
 */
export interface Source {
  /** unique, short: `baseline (import)`; the file name is added when two would collide */
  label: string;
  file: string;
  report: Report;
  /** true for a measurement (kind import or live), false for a prediction (sim) */
  measured: boolean;
  /** CSS colour */
  colour: string;
}

/**
 * Colours per source, in input order: Tableau 10 without its red (red marks failed users and
 * out-of-tolerance errors), then lighter variants, then evenly spread hues.
 */
const PALETTE = [
  '#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#bab0ac',
  '#ff9da7', '#a0cbe8', '#ffbe7d', '#8cd17d', '#d4a6c8', '#86bcb6', '#f1ce63', '#d7b5a6',
];

/** The colour of the i-th source (0-based); distinct for any count. */
export function sourceColour(i: number): string {
  if (i < PALETTE.length) return PALETTE[i];
  const hue = Math.round((i * 137.508) % 360); // golden angle: successive hues stay far apart
  return `hsl(${hue}, 55%, ${i % 2 ? 45 : 60}%)`;
}

/** Colour of failed users in every chart. */
export const FAILED_COLOUR = '#c0392b';

const KIND_WORD: Record<Report['kind'], string> = { sim: 'sim', live: 'live', import: 'import' };

/** `, 5 runs` for a Report of replications (`extra.ci.replications`), `, seed 1` for one simulated run. */
function runsNote(report: Report): string {
  const replications = report.extra?.ci?.replications;
  if (typeof replications === 'number' && replications > 1) return `, ${replications} runs`;
  return report.kind === 'sim' && report.seed !== null ? `, seed ${report.seed}` : '';
}

/** `, batched` when the Report names its driver mode (simulated: extra.dbMode; live: params.dbMode). */
function driverNote(report: Report): string {
  const mode = report.extra?.dbMode ?? (report.params as { dbMode?: unknown } | null)?.dbMode;
  return typeof mode === 'string' ? `, ${mode}` : '';
}

/** Turns loaded Reports into labelled, coloured sources, in input order. */
export function toSources(loaded: readonly LoadedReport[]): Source[] {
  const base = loaded.map(({ report }) => `${report.arch} (${KIND_WORD[report.kind]}${driverNote(report)}${runsNote(report)})`);
  const seen = new Map<string, number>();
  for (const b of base) seen.set(b, (seen.get(b) ?? 0) + 1);
  const used = new Set<string>();
  return loaded.map(({ file, report }, i) => {
    let label = base[i];
    if ((seen.get(label) ?? 0) > 1) label = `${label} ${basename(file).replace(/\.json$/i, '')}`;
    for (let n = 2; used.has(label); n++) label = `${base[i]} #${n}`;
    used.add(label);
    return { label, file, report, measured: report.kind !== 'sim', colour: sourceColour(i) };
  });
}
