import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../sim/engine/kernel.ts';
import { Stream } from '../../../sim/engine/random.ts';

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
  it('refuses an unknown kind and NaN times', () => {
    const k = new Kernel();
    const kind = k.on(() => {});
    expect(() => k.at(1, kind + 1, 0)).toThrow(/unknown kind/);
    expect(() => k.at(NaN, kind, 0)).toThrow(/kernel invariant violated/);
  });
  it('keeps payloads as int32, negative ones included', () => {
    const k = new Kernel();
    const seen: number[] = [];
    const kind = k.on((p) => seen.push(p));
    for (const p of [0, -1, 2 ** 31 - 1, -(2 ** 31), 123456]) k.at(0, kind, p);
    k.run();
    expect(seen).toEqual([0, -1, 2 ** 31 - 1, -(2 ** 31), 123456]);
  });
  it('reports the next event time and the pending count', () => {
    const k = new Kernel();
    expect(k.nextTime()).toBe(Infinity);
    const kind = k.on(() => {});
    k.at(3, kind, 0);
    k.at(2, kind, 0);
    expect(k.nextTime()).toBe(2);
    expect(k.pending).toBe(2);
  });
  // every kernel configuration must give the same order: one heap, and the calendar forced early
  const configs: Array<[string, { calendarFrom?: number }]> = [
    ['one heap', { calendarFrom: Infinity }],
    ['default', {}],
    ['calendar from 16 events', { calendarFrom: 16 }],
  ];
  for (const [name, options] of configs) {
    it(`property (${name}): any schedule runs as the stable sort of its events by time`, () => {
      for (let trial = 0; trial < 40; trial++) {
        const rng = new Stream(`kernel-property-${trial}`);
        const k = new Kernel(16, options);
        const scheduled: Array<{ t: number; id: number; kind: number }> = [];
        const ran: Array<{ t: number; id: number; kind: number }> = [];
        // delays mix ties (0), a coarse grid (ties again), spreads over six orders of magnitude
        // (the calendar's overflow and jumps over empty buckets) and rare very late events
        const grid = 1 + rng.int(20);
        const delay = (): number => {
          const u = rng.next();
          if (u < 0.15) return 0;
          if (u < 0.5) return rng.int(grid) * 0.5;
          if (u < 0.97) return rng.exp(1) * 10 ** rng.int(4);
          return 1e6 * rng.next();
        };
        let nextId = 0;
        const kinds: number[] = [];
        const limit = 500 + rng.int(8000);
        const schedule = (now: number, kind: number) => {
          const t = now + delay();
          const id = nextId++;
          scheduled.push({ t, id, kind });
          k.at(t, kinds[kind], id);
        };
        for (let kind = 0; kind < 3; kind++) {
          kinds.push(k.on((id, now) => {
            ran.push({ t: now, id, kind });
            if (kind !== 0 && nextId < limit) for (let j = rng.int(4); j > 0; j--) schedule(now, rng.int(3));
          }));
        }
        const initial = 1 + rng.int(3000);
        for (let i = 0; i < initial; i++) schedule(0, rng.int(3));
        // run in slices to exercise the horizon and nextTime as well
        const slices = [rng.exp(5), rng.exp(50), Infinity];
        for (const until of slices) {
          k.run(until);
          if (until !== Infinity) expect(k.nextTime()).toBeGreaterThan(until);
        }
        const expected = scheduled.map((e, i) => ({ ...e, i })).sort((a, b) => a.t - b.t || a.i - b.i);
        expect(ran.map((e) => e.id)).toEqual(expected.map((e) => e.id));
        expect(ran.map((e) => e.kind)).toEqual(expected.map((e) => e.kind));
        expect(k.executed).toBe(scheduled.length);
        expect(k.pending).toBe(0);
        expect(k.nextTime()).toBe(Infinity);
      }
    });
  }
  it('a large hold model runs the same events in the same order with and without the calendar', () => {
    const trace = (options: { calendarFrom?: number }): Float64Array => {
      const rng = new Stream('hold');
      const k = new Kernel(16, options);
      const out = new Float64Array(400_000);
      let n = 0;
      const kind = k.on((p, now) => {
        out[n++] = now * 1e6 + p;
        if (n < out.length) k.at(now + (p % 7 === 0 ? rng.exp(100) : rng.exp(1)), kind, p);
        else k.stop();
      });
      for (let i = 0; i < 100_000; i++) k.at(rng.exp(1), kind, i);
      k.run();
      return out;
    };
    expect(trace({ calendarFrom: 1024 })).toEqual(trace({ calendarFrom: Infinity }));
  });
  it('orders events too far ahead for the calendar (huge and infinite times) after all others', () => {
    const k = new Kernel(16, { calendarFrom: 16 });
    const rng = new Stream('far');
    const seen: number[] = [];
    const kind = k.on((p) => seen.push(p));
    const times: number[] = [];
    for (let i = 0; i < 500; i++) {
      const u = rng.next();
      const t = u < 0.05 ? Infinity : u < 0.1 ? 1e300 * rng.next() : u < 0.15 ? 2 ** 60 : rng.exp(10);
      times.push(t);
      k.at(t, kind, i);
    }
    k.run();
    const byTime = (a: number, b: number) => (times[a] < times[b] ? -1 : times[a] > times[b] ? 1 : a - b);
    expect(seen).toEqual(times.map((_, i) => i).sort(byTime));
    expect(k.now).toBe(Infinity);
  });
});
