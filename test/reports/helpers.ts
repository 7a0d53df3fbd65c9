import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../model/report.ts';
import type { LoadedReport } from '../../reports/load.ts';

/** Folder of the hand-written Report fixtures (see fixtures/make-fixtures.mjs). */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** The repository root, for running `bin/sim.js`. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const FIXTURE_NAMES = ['baseline-import', 'baseline-sim', 'proposed1-sim', 'proposed2-sim', 'proposed1-live'] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

export function fixturePath(name: FixtureName): string {
  return join(FIXTURES, `${name}.json`);
}

/** A fresh, mutable copy of a fixture Report. */
export function fixture(name: FixtureName): Report {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as Report;
}

export function loaded(...names: FixtureName[]): LoadedReport[] {
  return names.map((n) => ({ file: fixturePath(n), report: fixture(n) }));
}
