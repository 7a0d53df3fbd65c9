import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../../live/queue.ts';

describe('SerialQueue (the blocking-driver loop)', () => {
  it('runs one task at a time, to the end, in arrival order', async () => {
    const q = new SerialQueue(100);
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const done: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) {
      done.push(new Promise<void>((resolve) => {
        q.push(async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          log.push(`start ${i}`);
          await new Promise((r) => setTimeout(r, 5 - i));
          log.push(`end ${i}`);
          running--;
          resolve();
        });
      }));
    }
    await Promise.all(done);
    expect(maxRunning).toBe(1);
    expect(log).toEqual([0, 1, 2, 3, 4].flatMap((i) => [`start ${i}`, `end ${i}`]));
  });

  it('refuses work beyond its limit and keeps going after a failing task', async () => {
    const q = new SerialQueue(2);
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    expect(q.push(async () => { await gate; throw new Error('boom'); })).toBe(true);
    // the first task is running; the limit bounds the ones waiting behind it
    expect(q.push(async () => {})).toBe(true);
    expect(q.push(async () => {})).toBe(true);
    expect(q.push(async () => {})).toBe(false);
    let ran = false;
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(q.push(async () => { ran = true; })).toBe(true);
    await new Promise((r) => setTimeout(r, 10));
    expect(ran).toBe(true);
    expect(q.maxDepth).toBe(2);
  });
});
