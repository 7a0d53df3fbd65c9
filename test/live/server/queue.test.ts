import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../../../live/server/queue.ts';

/** A promise and the function that settles it: a task's database call, answered when the test says. */
function gate(): { done: Promise<void>; open: () => void } {
  let open!: () => void;
  const done = new Promise<void>((r) => { open = r; });
  return { done, open };
}

/** Lets every callback that is ready run (no wall-clock wait). */
const settle = () => new Promise((r) => setImmediate(r));

describe('SerialQueue (the blocking-driver loop)', () => {
  it('runs one task at a time, to the end, in arrival order, whatever order their calls return in', async () => {
    const q = new SerialQueue(100);
    const log: string[] = [];
    const gates = Array.from({ length: 5 }, gate);
    let running = 0;
    let maxRunning = 0;
    for (let i = 0; i < 5; i++) {
      q.push(async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        log.push(`start ${i}`);
        await gates[i].done;
        log.push(`end ${i}`);
        running--;
      });
    }
    // the later tasks' calls return first: they still wait for the ones before them
    for (let i = 4; i >= 0; i--) gates[i].open();
    await settle();
    expect(q.depth).toBe(0);
    expect(maxRunning).toBe(1);
    expect(log).toEqual([0, 1, 2, 3, 4].flatMap((i) => [`start ${i}`, `end ${i}`]));
  });

  it('does not start a task while the one before it waits', async () => {
    const q = new SerialQueue(100);
    const first = gate();
    let secondRan = false;
    q.push(() => first.done);
    q.push(async () => { secondRan = true; });
    await settle();
    expect(secondRan).toBe(false);
    expect(q.depth).toBe(1);
    first.open();
    await settle();
    expect(secondRan).toBe(true);
  });

  it('refuses work beyond its limit and keeps going after a failing task', async () => {
    const q = new SerialQueue(2);
    const g = gate();
    expect(q.push(async () => { await g.done; throw new Error('boom'); })).toBe(true);
    // the first task is running; the limit bounds the ones waiting behind it
    expect(q.push(async () => {})).toBe(true);
    expect(q.push(async () => {})).toBe(true);
    expect(q.push(async () => {})).toBe(false);
    let ran = false;
    g.open();
    await settle();
    expect(q.push(async () => { ran = true; })).toBe(true);
    await settle();
    expect(ran).toBe(true);
    expect(q.maxDepth).toBe(2);
  });
});
