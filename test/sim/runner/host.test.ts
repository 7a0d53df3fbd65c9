import { describe, expect, it } from 'vitest';
import { Streams } from '../../../sim/engine/random.ts';
import { HostCores } from '../../../sim/runner/host.ts';

describe('HostCores', () => {
  it('runs as many pieces at once as it has cores; the next waits for the first to end', () => {
    const host = new HostCores(2);
    expect(host.take(0, 1, 0)).toBe(0);
    expect(host.take(0, 2, 0)).toBe(0);
    expect(host.take(0, 1, 0)).toBe(1);
    expect(host.take(0.5, 1, 0.5)).toBe(2);
  });
  it('lets earlier work use a gap before a piece promised for later, and not a gap too short', () => {
    const host = new HostCores(1);
    // a loop busy until 5 s: its handler is promised the core from then
    expect(host.take(5, 1, 0)).toBe(5);
    expect(host.take(1, 2, 1)).toBe(1);
    // 3 s to 5 s is free, but 3 s of work do not fit: after the promised piece
    expect(host.take(3, 3, 1)).toBe(6);
    expect(host.take(3, 2, 1)).toBe(3);
  });
  it('forgets what ended before the clock', () => {
    const host = new HostCores(1);
    host.take(0, 1, 0);
    expect(host.take(0.5, 1, 2)).toBe(1);
    expect(host.take(3, 1, 3)).toBe(3);
  });
  it('property: never more pieces at once than cores, and none before it is ready', () => {
    const streams = new Streams(7);
    for (const cores of [1, 2, 3]) {
      const u = streams.get(`host-${cores}`);
      const host = new HostCores(cores);
      const given: [number, number][] = [];
      let now = 0;
      for (let i = 0; i < 2000; i++) {
        now += u.next() * 0.002;
        // ready now or ahead of the clock (a loop busy with earlier work), a tenth of a ms to 3 ms long
        const ready = now + (u.next() < 0.3 ? u.next() * 0.01 : 0);
        const len = 0.0001 + u.next() * 0.003;
        const start = host.take(ready, len, now);
        expect(start).toBeGreaterThanOrEqual(ready);
        given.push([start, start + len]);
      }
      // at every start, the pieces running then (this one included) are at most `cores`
      for (const [s] of given) expect(given.filter(([a, b]) => a <= s && s < b).length).toBeLessThanOrEqual(cores);
    }
  });
  it('refuses a machine without cores', () => {
    expect(() => new HostCores(0)).toThrow(/positive integer/);
  });
});
