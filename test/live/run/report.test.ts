import { describe, expect, it } from 'vitest';
import { generatorHealth } from '../../../live/run/report.ts';
import type { LoadgenResult } from '../../../live/loadgen/loadgen.ts';

const gen = (lags: number[]) => ({ loopLagP99Ms: lags, loopLagMaxMs: Math.max(...lags), messagesPerSecond: 100, secondsOverLimit: lags.filter((x) => x > 10).length });

describe('generatorHealth (live/run/report.ts)', () => {
  it('counts seconds over the limit and seconds observed on the same footing: generator-seconds of every generator', () => {
    const a = gen([5, 50, 60]);
    const b = gen([5, 5, 5, 80]);
    const lg = { loopLagP99Ms: [...a.loopLagP99Ms, ...b.loopLagP99Ms], loopLagMaxMs: 80, messagesPerSecond: 200, warnings: [], generators: [a, b] } as unknown as LoadgenResult;
    const h = generatorHealth(lg);
    expect(h.generators).toBe(2);
    expect(h.secondsOverLimit).toBe(3);
    expect(h.seconds).toBe(7);
    expect(h.bottleneck).toBe(true);
  });

  it('a generator that stayed within the limit is not a bottleneck', () => {
    const a = gen([1, 2, 3]);
    const h = generatorHealth({ loopLagP99Ms: a.loopLagP99Ms, loopLagMaxMs: 3, messagesPerSecond: 100, warnings: [] } as unknown as LoadgenResult);
    expect(h).toMatchObject({ generators: 1, secondsOverLimit: 0, seconds: 3, bottleneck: false });
  });
});
