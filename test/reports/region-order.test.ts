import { describe, expect, it } from 'vitest';
import { orderRegions, referenceRegion } from '../../reports/region-order.ts';
import { toSources } from '../../reports/sources.ts';
import { fixture, loaded } from './helpers.ts';

describe('region order', () => {
  it('sorts regions by great-circle distance from the first source server region', () => {
    const sources = toSources(loaded('baseline-import', 'proposed1-sim'));
    expect(referenceRegion(sources)).toBe('eu-west-1');
    const order = orderRegions(sources);
    expect(order.map((r) => r.name)).toEqual(['Ireland', 'N. Virginia', 'Oregon', 'N. California', 'São Paulo', 'Tokyo', 'Singapore', 'Sydney']);
    const miles = order.map((r) => r.miles as number);
    expect(miles).toEqual([...miles].sort((a, b) => a - b));
  });

  it('starts from the region of the first instance, and puts unknown regions last', () => {
    const r = fixture('proposed2-sim');
    r.resources!.instances = [r.resources!.instances[7]]; // the Sydney server first
    r.regions['mars-1'] = r.regions['eu-west-1'];
    const order = orderRegions(toSources([{ file: 'r.json', report: r }]));
    expect(order[0].name).toBe('Sydney');
    expect(order[order.length - 1]).toEqual({ id: 'mars-1', name: 'mars-1', miles: null });
  });

  it('falls back to Ireland when no instance is named', () => {
    const r = fixture('proposed2-sim');
    r.resources = null;
    expect(referenceRegion(toSources([{ file: 'r.json', report: r }]))).toBe('eu-west-1');
  });
});
