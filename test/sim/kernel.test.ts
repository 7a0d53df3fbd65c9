import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/engine/kernel.ts';

describe('Kernel', () => {
  it('runs events in time order, FIFO among equal times, and never moves time backwards', () => {
    const k = new Kernel(4);
    const seen: Array<[number, number]> = [];
    const kind = k.on((p, now) => seen.push([now, p]));
    const times = [5, 1, 3, 3, 0, 3, 9, 2, 2, 7];
    times.forEach((t, i) => k.at(t, kind, i));
    k.run();
    const order = seen.map(([, p]) => p);
    expect(order).toEqual([4, 1, 7, 8, 2, 3, 5, 0, 9, 6]);
    for (let i = 1; i < seen.length; i++) expect(seen[i][0]).toBeGreaterThanOrEqual(seen[i - 1][0]);
    expect(k.executed).toBe(times.length);
  });
  it('refuses to schedule into the past', () => {
    const k = new Kernel();
    const kind = k.on(() => k.at(k.now - 1, kind, 0));
    k.at(1, kind, 0);
    expect(() => k.run()).toThrow(/kernel invariant violated/);
  });
  it('stops at the horizon and advances the clock to it', () => {
    const k = new Kernel();
    let n = 0;
    const tick = k.on(() => { n++; k.after(1, tick, 0); });
    k.at(0, tick, 0);
    k.run(10.5);
    expect(n).toBe(11);
    expect(k.now).toBe(10.5);
  });
});
