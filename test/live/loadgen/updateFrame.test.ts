import { describe, expect, it } from 'vitest';
import { updatePublishedAt } from '../../../live/loadgen/updateFrame.ts';

describe('reading a pushed update without parsing it', () => {
  it('gives the publishedAt of an update as the server serialises it, to the microsecond', () => {
    for (const publishedAt of [1764860000123, 1764860000123.4567, 0.5]) {
      const text = JSON.stringify({ type: 'pool_update', gameId: 1, poolId: 1, distribution: { home: 1.9, draw: 3.2 }, publishedAt, publisher: 'eu/1' });
      expect(updatePublishedAt(Buffer.from(text))).toBeCloseTo(JSON.parse(text).publishedAt, 3);
    }
  });

  it('declines anything else, so the caller parses it in full', () => {
    for (const text of ['{"type":"confirmed","rid":1}', '{"type":"pool_update","publishedAt":1e5}', '{"type":"pool_update","publishedAt":"x"}', '{"type":"pool_update"}', '']) {
      expect(updatePublishedAt(Buffer.from(text))).toBeNaN();
    }
  });
});
