import { describe, expect, it } from 'vitest';
import { CLIENT_REGION_IDS, byClientRegion } from '../../model/regions.ts';

describe('client region order', () => {
  it('is the study\'s order, then other ids by their characters', () => {
    const shuffled = ['zz-local', ...[...CLIENT_REGION_IDS].reverse(), 'Aa-local', 'eu-central-1'];
    expect(shuffled.sort(byClientRegion)).toEqual([...CLIENT_REGION_IDS, 'Aa-local', 'eu-central-1', 'zz-local']);
  });
});
