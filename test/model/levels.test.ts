import { describe, expect, it } from 'vitest';
import { levelsOf, median, minAvgMax } from '../../model/levels.ts';

describe('levels of a series', () => {
  it('min, average and max skip the unknown values', () => {
    expect(levelsOf([3, null, 1, 2])).toEqual({ min: 1, avg: 2, max: 3 });
    expect(levelsOf([null])).toBeNull();
    expect(minAvgMax([])).toEqual({ min: null, avg: null, max: null });
  });
  it('the median is the middle value, or the mean of the two middle values of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNull();
  });
  it('the median leaves its input in order', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});
