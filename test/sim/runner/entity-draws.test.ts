import { describe, expect, it } from 'vitest';
import { Streams } from '../../../sim/engine/random.ts';
import { DelaySampler } from '../../../sim/runner/delay.ts';
import { EntityDraws } from '../../../sim/runner/entity-draws.ts';

describe('EntityDraws', () => {
  it('gives an entity the same sequence whatever the other entities draw meanwhile', () => {
    const alone = new EntityDraws(new Streams(7).get('think'), 3);
    const mixed = new EntityDraws(new Streams(7).get('think'), 3);
    const a: number[] = [];
    const b: number[] = [];
    for (let k = 0; k < 1000; k++) a.push(alone.next(1));
    for (let k = 0; k < 1000; k++) {
      if (k % 3 === 0) mixed.next(0);
      if (k % 7 === 0) mixed.next(2);
      b.push(mixed.next(1));
    }
    expect(b).toEqual(a);
  });

  it('draws the same numbers with its counters kept in the caller\'s records, and counts there', () => {
    const own = new EntityDraws(new Streams(7).get('think'), 4);
    const records = new Float64Array(4 * 3);
    const kept = new EntityDraws(new Streams(7).get('think'), { counts: records, stride: 3, offset: 2 });
    for (let k = 0; k < 200; k++) {
      const i = (k * 7) % 4;
      expect(kept.next(i)).toBe(own.next(i));
    }
    // every entity drew 50 times; the other fields of its record are untouched
    expect(Array.from(records)).toEqual([0, 0, 50, 0, 0, 50, 0, 0, 50, 0, 0, 50]);
  });

  it('gives other entities, keys and seeds other sequences', () => {
    const d = new EntityDraws(new Streams(7).get('think'), 2);
    const e = new EntityDraws(new Streams(7).get('network'), 2);
    const f = new EntityDraws(new Streams(8).get('think'), 2);
    const first = [d.next(0), d.next(1), e.next(0), f.next(0)];
    expect(new Set(first).size).toBe(4);
  });

  it('is uniform, within and across entities, and uncorrelated between counters and entities', () => {
    const entities = 100;
    const perEntity = 2000;
    const d = new EntityDraws(new Streams(1).get('think'), entities);
    const xs: number[][] = Array.from({ length: entities }, () => []);
    for (let k = 0; k < perEntity; k++) for (let i = 0; i < entities; i++) xs[i].push(d.next(i));
    const all = xs.flat();
    const n = all.length;
    // chi-square over 64 bins: 63 degrees of freedom, 99.9 % quantile 103.4
    const bins = new Array<number>(64).fill(0);
    for (const x of all) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      bins[Math.floor(x * 64)]++;
    }
    const expected = n / 64;
    const chi2 = bins.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(103.4);
    // correlation of successive draws of an entity, and of neighbouring entities' k-th draws:
    // |r| < 4 / sqrt(pairs) (about 4 standard errors)
    const corr = (pairs: [number, number][]) => {
      const m = pairs.length;
      let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
      for (const [x, y] of pairs) { sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y; }
      return (sxy / m - (sx / m) * (sy / m)) / Math.sqrt((sxx / m - (sx / m) ** 2) * (syy / m - (sy / m) ** 2));
    };
    const successive: [number, number][] = xs.flatMap((s) => s.slice(1).map((y, k) => [s[k], y] as [number, number]));
    const neighbours: [number, number][] = xs.slice(1).flatMap((s, i) => s.map((y, k) => [xs[i][k], y] as [number, number]));
    expect(Math.abs(corr(successive))).toBeLessThan(4 / Math.sqrt(successive.length));
    expect(Math.abs(corr(neighbours))).toBeLessThan(4 / Math.sqrt(neighbours.length));
  });
});

describe('DelaySampler per entity', () => {
  it('gives an entity the same delays whatever the other entities drew', () => {
    const alone = new DelaySampler(new Streams(3).get('network'), 1, 2);
    const mixed = new DelaySampler(new Streams(3).get('network'), 1, 2);
    const a = Array.from({ length: 500 }, () => alone.oneWay(0, 0.05, 0.005, 0.05, 0.2));
    const b = Array.from({ length: 500 }, (_v, k) => {
      if (k % 2) mixed.oneWay(1, 0.1, 0.01, 0.5, 0.3);
      return mixed.oneWay(0, 0.05, 0.005, 0.05, 0.2);
    });
    expect(b).toEqual(a);
  });
});
