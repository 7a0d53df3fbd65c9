import { describe, expect, it } from 'vitest';
import { THESIS_SCENARIO } from '../../../model/workload.ts';
import { offeredRequests } from '../../../sim/many/keepup.ts';

describe('offered requests (the no-backlog yardstick)', () => {
  it('is close to what the thesis baseline handled (8,449,173 requests; it kept up)', () => {
    const offered = offeredRequests({ ...THESIS_SCENARIO }, 24_000);
    // the baseline answered within ~0.3 s on average, so it served a little under the instant-answer load
    expect(offered).toBeGreaterThan(8_449_173);
    expect(offered / 8_449_173).toBeLessThan(1.03);
  });

  it('scales with connected users', () => {
    expect(offeredRequests({ ...THESIS_SCENARIO }, 12_000)).toBeCloseTo(offeredRequests({ ...THESIS_SCENARIO }, 24_000) / 2, 3);
  });
});
