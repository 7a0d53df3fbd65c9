import { describe, expect, it } from 'vitest';
import { canonicalJson, inputHash } from '../../../sim/many/hash.ts';
import { replicationSeed, replicationSeeds } from '../../../sim/many/seeds.ts';

describe('replication seeds', () => {
  it('start at the input seed and are derived deterministically, distinct and non-negative 31-bit', () => {
    const seeds = replicationSeeds(42, 50);
    expect(seeds[0]).toBe(42);
    expect(new Set(seeds).size).toBe(50);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 31).toBe(true);
    expect(replicationSeeds(42, 50)).toEqual(seeds);
    expect(replicationSeeds(42, 10)).toEqual(seeds.slice(0, 10));
    expect(replicationSeed(43, 1)).not.toBe(replicationSeed(42, 1));
  });
});

describe('input hash', () => {
  it('does not depend on key order, and does depend on values', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(inputHash({ a: 1, b: 2 })).toBe(inputHash({ b: 2, a: 1 }));
    expect(inputHash({ a: 1, b: 2 })).not.toBe(inputHash({ a: 1, b: 3 }));
  });
});
