import { describe, expect, it } from 'vitest';
import { TEXT_WIDTH, textTable, wrap } from '../../../sim/many/text.ts';

describe('wrap', () => {
  const text = 'costs more than two cheaper designs that meet the objective: it needs more than 1 instance in us-east-1, 1 instance in us-west-2 (at least $11.799/h > $6.726/h); last run: ap-southeast-2 request.p98 = 105,216 ms (limit 500 ms); sa-east-1 12.5%';

  it('keeps every line within the width, with the given indents, and loses no word', () => {
    for (const width of [40, 60, TEXT_WIDTH]) {
      const lines = wrap(text, '  ', '      ', width);
      expect(lines.every((l) => l.length <= width), `width ${width}`).toBe(true);
      expect(lines[0].startsWith('  ') && !lines[0].startsWith('   ')).toBe(true);
      expect(lines.slice(1).every((l) => l.startsWith('      '))).toBe(true);
      expect(lines.join(' ').replace(/\s+/g, ' ').trim()).toBe(text);
    }
  });

  it('does not part a figure from its unit, nor a share from what it is a share of', () => {
    for (let width = 30; width <= 80; width++) {
      const joined = wrap(text, '', '', width).join('\n');
      expect(joined, `width ${width}`).not.toMatch(/\d\n(ms|instance)\b/);
      expect(joined, `width ${width}`).not.toMatch(/\n[\d.]+%/);
    }
  });

  it('leaves a short paragraph on one line', () => {
    expect(wrap('plan for 6,000 users', '  ')).toEqual(['  plan for 6,000 users']);
  });
});

describe('textTable', () => {
  it('aligns columns two spaces apart: figures right, words left, or as told', () => {
    const rows = [['arch', 'users', 'p98 ms'], ['baseline', '24,000', '1332±16'], ['proposed1', '500', '-']];
    expect(textTable(rows)).toEqual(['arch       users   p98 ms', 'baseline   24,000  1332±16', 'proposed1     500        -']);
    expect(textTable(rows, ['l', 'r', 'r'])).toEqual(['arch        users   p98 ms', 'baseline   24,000  1332±16', 'proposed1     500        -']);
  });
});
