import { describe, expect, it } from 'vitest';
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
  it('refuses a machine without cores', () => {
    expect(() => new HostCores(0)).toThrow(/positive integer/);
  });
});
