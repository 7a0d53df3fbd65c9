import { describe, expect, it } from 'vitest';
import { DueClock, SEND_EARLY_TOLERANCE_MS, type ProxyClock, type Waiter } from '../../../live/proxy/dueclock.ts';

/**
 * The release logic of the delay lines on an injected clock: what the one timer is armed for,
 * what a tick releases, and what fires early or late. No sockets and no wall clock: time moves
 * only when the test says so.
 */
class FakeTime implements ProxyClock {
  t = 0;
  armed: { id: number; fn: () => void; ms: number; at: number }[] = [];
  private id = 0;
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): unknown {
    this.armed.push({ id: ++this.id, fn, ms, at: this.t + ms });
    return this.id;
  }
  clearTimer(h: unknown): void {
    this.armed = this.armed.filter((a) => a.id !== h);
  }
  /** Fires the one armed timer with the clock at `at` (a real timer may fire early or late). */
  fireAt(at: number): void {
    expect(this.armed).toHaveLength(1);
    const [a] = this.armed;
    this.armed = [];
    this.t = at;
    a.fn();
  }
}

/** A waiter that records the ticks that released it. */
function waiter(name: string, wakeAt: number, log: string[]): Waiter {
  return { heapIndex: -1, wakeAt, flush(now: number) { log.push(`${name}@${now}`); } };
}

describe('DueClock (the one timer of a process)', () => {
  it('arms one timer, for the earliest waiter, the nearest whole ms away', () => {
    const time = new FakeTime();
    const clock = new DueClock(time);
    const log: string[] = [];
    time.t = 0.3;
    clock.add(waiter('a', 25.6, log));
    expect(time.armed.map((a) => a.ms)).toEqual([25]); // 25.3 ms away -> 25
    clock.add(waiter('b', 30, log));
    expect(time.armed.map((a) => a.ms)).toEqual([25]); // a later waiter does not re-arm
    clock.add(waiter('c', 10.9, log));
    expect(time.armed.map((a) => a.ms)).toEqual([11]); // an earlier one does: 10.6 ms away -> 11
  });

  it('releases every waiter due within the tolerance in one tick, in due order, then re-arms', () => {
    const time = new FakeTime();
    const clock = new DueClock(time);
    const log: string[] = [];
    for (const [n, at] of [['c', 12.2], ['a', 10], ['b', 10.4], ['d', 10.6]] as const) clock.add(waiter(n, at, log));
    time.fireAt(10.1);
    // due by 10.1 + 0.5: a and b; d is 0.5 ms away (released: the tolerance is inclusive), c is not
    expect(SEND_EARLY_TOLERANCE_MS).toBe(0.5);
    expect(log).toEqual(['a@10.1', 'b@10.1', 'd@10.1']);
    expect(time.armed.map((a) => a.ms)).toEqual([2]); // c: 2.1 ms away
  });

  it('a timer that fires early releases nothing and re-arms for the rest (never for 0 ms)', () => {
    const time = new FakeTime();
    const clock = new DueClock(time);
    const log: string[] = [];
    clock.add(waiter('a', 20, log));
    time.fireAt(19.2); // the loop's cached time made it 0.8 ms early
    expect(log).toEqual([]);
    expect(time.armed.map((a) => a.ms)).toEqual([1]);
    time.fireAt(20.05);
    expect(log).toEqual(['a@20.05']);
    expect(time.armed).toEqual([]);
  });

  it('a late timer releases everything overdue at once', () => {
    const time = new FakeTime();
    const clock = new DueClock(time);
    const log: string[] = [];
    for (let k = 0; k < 5; k++) clock.add(waiter(`w${k}`, 10 + k, log));
    time.fireAt(16); // the process did not get a core for 6 ms
    expect(log).toEqual(['w0@16', 'w1@16', 'w2@16', 'w3@16', 'w4@16']);
    expect(time.armed).toEqual([]);
  });

  it('remove takes a waiter out and disarms the timer when none is left', () => {
    const time = new FakeTime();
    const clock = new DueClock(time);
    const log: string[] = [];
    const a = waiter('a', 5, log);
    const b = waiter('b', 7, log);
    clock.add(a);
    clock.add(b);
    clock.remove(a);
    expect(a.heapIndex).toBe(-1);
    time.fireAt(7);
    expect(log).toEqual(['b@7']);
    clock.add(a);
    clock.remove(a);
    expect(time.armed).toEqual([]);
  });

  it('keeps heap order over many waiters added and removed at random', () => {
    const time = new FakeTime();
    const clock = new DueClock(time);
    const log: string[] = [];
    let x = 12345;
    const rand = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const ws = Array.from({ length: 200 }, (_, k) => waiter(String(k), 1 + rand() * 100, log));
    for (const w of ws) clock.add(w);
    for (let k = 0; k < 200; k += 3) clock.remove(ws[k]);
    time.fireAt(1000);
    const released = log.map((l) => ws[Number(l.split('@')[0])].wakeAt);
    expect(released).toHaveLength(200 - Math.ceil(200 / 3));
    expect(released).toEqual([...released].sort((p, q) => p - q));
  });
});
