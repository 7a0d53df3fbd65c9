/**
 * Plain text for a person at a terminal: aligned tables and prose wrapped to a fixed width. The
 * width is a constant rather than the terminal's, so the same run writes the same summary.txt
 * whatever terminal it was started from.
 */

/** Most characters of a prose line in sweep and plan output (tables are as wide as their columns). */
export const TEXT_WIDTH = 100;

/** A figure as a table cell shows it: `1,332`, `99.5%`, `1332±16`, `-` (unknown). */
const FIGURE = /^[-+\d.,%±]+$/;

/**
 * Plain-text table: aligned columns two spaces apart. `align` gives each column's side ('r' for
 * figures); without it, figures are right-aligned and words left-aligned, cell by cell.
 */
export function textTable(rows: string[][], align?: readonly ('l' | 'r')[]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)));
  const right = (v: string, c: number): boolean => (align ? align[c] === 'r' : c > 0 && FIGURE.test(v));
  return rows.map((r) => r.map((v, c) => (right(v, c) ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ').trimEnd());
}

// A figure stays on one line with its unit (`5,712 ms`, `3 instances`) and a share with what it is a share of (`sa-east-1 12.5%`).
const UNIT_AFTER = /(\d) (?=(ms|s|h|users|instances?|processes|connections\/s|MB|GB)\b)/g;
const SHARE = / (?=[\d.]+%)/g;
const NBSP = '\u00a0';

/**
 * Wraps one paragraph at spaces to lines of at most `width` characters (a word longer than a
 * line stands alone; a figure is not parted from its unit). The first line starts with `first`,
 * the others with `rest` (a hanging indent sets continuation lines apart).
 */
export function wrap(text: string, first = '', rest = first, width = TEXT_WIDTH): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  const words = text.replace(UNIT_AFTER, `$1${NBSP}`).replace(SHARE, NBSP).split(/ +/).map((w) => w.replaceAll(NBSP, ' '));
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}
