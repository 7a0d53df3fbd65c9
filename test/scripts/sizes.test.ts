import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FOLDERS, formatOffender, scan } from '../../scripts/sizes.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

/** A function of `n` lines in all: the header, n - 2 statements, the closing brace. */
const body = (n: number) => Array.from({ length: n - 2 }, (_, i) => `  x += ${i};`).join('\n');

describe('scripts/sizes.ts finds long files and functions and their reason lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sizes-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true }, include: ['src'] }));
  writeFileSync(join(dir, 'src', 'a.ts'), [
    'let x = 0;',
    `export function exactly80() {\n${body(80)}\n}`,
    `export function bare() {\n${body(81)}\n}`,
    '// Over 80 lines: one idea, told above the doc comment.',
    '/**\n * Docs.\n */',
    `export function above() {\n${body(81)}\n}`,
    `export function inside() {\n  // Long: one idea, told as the first line of the body.\n${body(80)}\n}`,
    `export const arrow = () => {\n${body(81)}\n};`,
    `export class Box {\n  method() {\n${body(81)}\n  }\n}`,
    '// Over 80 lines without a why',
    `export function colonOnly() {\n${body(81)}\n}`,
  ].join('\n'));
  writeFileSync(join(dir, 'src', 'long.ts'), `// Over 300 lines: a table.\n${'export const a = 1;\n'.repeat(300)}`);
  writeFileSync(join(dir, 'src', 'bare.ts'), `${'export const b = 1;\n'.repeat(301)}`);
  writeFileSync(join(dir, 'src', 'short.ts'), `${'export const c = 1;\n'.repeat(300)}`);
  const found = scan(dir, ['src']);
  const byName = new Map(found.map((o) => [`${o.file}:${o.name}`, o]));

  it('reports a function over 80 lines, not one of exactly 80', () => {
    expect(byName.has('src/a.ts:exactly80')).toBe(false);
    expect(byName.get('src/a.ts:bare')).toMatchObject({ line: 82, lines: 81, reason: null });
  });
  it('takes a reason line above the doc comment or as the first line of the body', () => {
    expect(byName.get('src/a.ts:above')?.reason).toBe('// Over 80 lines: one idea, told above the doc comment.');
    expect(byName.get('src/a.ts:inside')?.reason).toBe('// Long: one idea, told as the first line of the body.');
  });
  it('names arrow functions by their variable and methods by their class', () => {
    expect(byName.get('src/a.ts:arrow')).toMatchObject({ lines: 81, reason: null });
    expect(byName.get('src/a.ts:Box.method')).toMatchObject({ lines: 81, reason: null });
  });
  it('wants a why after the colon', () => {
    expect(byName.get('src/a.ts:colonOnly')?.reason).toBeNull();
  });
  it('reports files over 300 lines, with their reason from the top', () => {
    expect(byName.get('src/long.ts:(file)')).toMatchObject({ lines: 301, reason: '// Over 300 lines: a table.' });
    expect(byName.get('src/bare.ts:(file)')).toMatchObject({ lines: 301, reason: null });
    expect(byName.has('src/short.ts:(file)')).toBe(false);
  });
  it('prints one line per offender', () => {
    expect(formatOffender(byName.get('src/a.ts:bare')!)).toBe('src/a.ts:82  bare  81 lines  NO REASON');
  });
});

describe(`no file over 300 lines, no function over 80 lines without a reason in ${FOLDERS.join(' ')}`, () => {
  it('every offender says why at its top (list them: npx tsx scripts/sizes.ts)', () => {
    expect(scan(ROOT).filter((o) => o.reason === null).map(formatOffender)).toEqual([]);
  });
});
