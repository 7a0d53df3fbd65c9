import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../sim/engine/kernel.ts';
import { Streams } from '../../../sim/engine/random.ts';
import { PoolClock } from '../../../sim/runner/batching.ts';
import { DelaySampler, inverseNormal } from '../../../sim/runner/delay.ts';
import { BIN_S, FluidQueues } from '../../../sim/runner/fluid.ts';
import { Usage } from '../../../sim/runner/usage.ts';
import { MessageWheel, TICK_S } from '../../../sim/runner/wheel.ts';

/** The runner's parts, each against a known answer. */

describe('fluid data-store queue', () => {
  /** Books `rate` operations per second of `serviceS` on one node for `seconds`; returns the last wait. */
  function drive(cores: number, rate: number, serviceS: number, seconds: number): { waits: number[]; usage: Usage } {
    const usage = new Usage(1, seconds + 1);
    const q = new FluidQueues([cores], [0], usage);
    const waits: number[] = [];
    const step = 1 / rate;
    for (let t = 0; t < seconds; t += step) {
      if (t >= q.nextCloseS) q.advance(t);
      waits.push(q.book(0, t, serviceS));
    }
    q.closeAll(seconds + 1);
    return { waits, usage };
  }
  it('keeps waits near zero below capacity', () => {
    const { waits } = drive(1, 50_000, 10e-6, 10); // rho = 0.5
    expect(Math.max(...waits.slice(-1000))).toBeLessThan(20e-6);
  });
  it('grows the wait linearly under overload (work − capacity accumulates)', () => {
    const { waits } = drive(1, 200_000, 10e-6, 10); // 2 s of work per second on one core
    const at = (s: number) => waits[Math.floor(s * 200_000)];
    // backlog after s seconds ≈ (2 − 1) · s seconds of work
    expect(at(5)).toBeGreaterThan(4.5);
    expect(at(5)).toBeLessThan(5.5);
    expect(at(9)).toBeGreaterThan(at(5) + 3.5);
  });
  it('serves c cores in parallel', () => {
    const { waits } = drive(4, 200_000, 10e-6, 5); // rho = 0.5 on 4 cores
    expect(Math.max(...waits.slice(-1000))).toBeLessThan(20e-6);
  });
  it('accounts the booked work as CPU of its instance', () => {
    const { usage } = drive(1, 1000, 1e-3, 10);
    const total = Array.from(usage.cpuS).reduce((s, x) => s + x, 0);
    expect(total).toBeCloseTo(10, 1);
  });
  it('accepts bookings out of time order (a booking ahead does not block an earlier one)', () => {
    const usage = new Usage(1, 100);
    const q = new FluidQueues([1], [0], usage);
    q.book(0, 50, 1e-3);
    expect(q.book(0, 1, 1e-3)).toBe(0);
    expect(BIN_S).toBeLessThan(0.1);
  });
});

describe('batching check', () => {
  it('is due once per window when every set lands at once (atomic)', () => {
    const c = new PoolClock(1, 3, 0);
    const due: number[] = [];
    for (let t = 0; t < 30; t += 0.01) {
      if (c.due(0, t, t)) {
        c.record(0, t, t);
        due.push(t);
      }
    }
    expect(due.length).toBe(10);
    for (let i = 1; i < due.length; i++) expect(due[i] - due[i - 1]).toBeGreaterThan(3);
  });
  it('lets checks inside the get-to-set gap through (racy duplicates)', () => {
    const gap = 0.1;
    const c = new PoolClock(1, 3, gap);
    let due = 0;
    for (let t = 0; t < 0.35; t += 0.01) {
      if (c.due(0, t, t)) {
        c.record(0, t, t + gap);
        due++;
      }
    }
    // checks at 0.00 .. 0.10 see no landed set: 11 publish; later ones see the first set
    expect(due).toBe(11);
  });
  it('compares the servers\' clocks: a check made far from Redis sees the window end a one-way delay late, so a near server wins the next window', () => {
    const half = 0.1;
    const c = new PoolClock(1, 3, 0);
    // a near server published at 0 (its clock), the SET landing at once
    expect(c.due(0, 0, 0)).toBe(true);
    c.record(0, 0, 0);
    // 3.05 s later at Redis: a far server's check made at 2.95 on its clock is within the window;
    // a near server's made at 3.05 is not
    expect(c.due(0, 3.05, 3.05 - half)).toBe(false);
    expect(c.due(0, 3.05, 3.05)).toBe(true);
    // the far server's own timestamp is older than when it lands: a near check at 6.05 sees a SET
    // of 3.1 that landed at 3.2 as outside its window, and is due
    const d = new PoolClock(1, 3, 0);
    d.record(0, 3.1, 3.2);
    expect(d.due(0, 6.15, 6.15)).toBe(true);
    expect(d.due(0, 6.05, 6.05)).toBe(false);
  });
});

describe('network delays', () => {
  it('inverts the normal CDF', () => {
    expect(inverseNormal(0.5)).toBeCloseTo(0, 9);
    expect(inverseNormal(0.975)).toBeCloseTo(1.959964, 5);
    expect(inverseNormal(0.001)).toBeCloseTo(-3.090232, 5);
  });
  it('adds lognormal jitter of median 1 × scale and one retransmission timeout per loss', () => {
    const d = new DelaySampler(new Streams(1).get('network'), 1, 1);
    const n = 200_000;
    let sum = 0;
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = d.oneWay(0, 0.05, 0.005, 0.01, 0.2);
      xs.push(x);
      sum += x;
    }
    xs.sort((a, b) => a - b);
    expect(xs[0]).toBeGreaterThan(0.05);
    // median ≈ base + scale (median of L is 1; 1% losses barely move it)
    expect(xs[n / 2]).toBeCloseTo(0.055, 3);
    // mean = base + scale·e^(σ²/2) + loss·RTO
    expect(sum / n).toBeCloseTo(0.05 + 0.005 * Math.exp(0.5) + 0.01 * 0.2, 3);
  });
});

describe('message wheel', () => {
  it('releases every continuation at or after its time, within one tick, in time order across ticks', () => {
    const kernel = new Kernel();
    const users = 1000;
    const links = new Float64Array(users * 2);
    const due = new Float64Array(users);
    const released: number[] = [];
    let late = 0;
    const wheel = new MessageWheel(kernel, links, 2, 1, (u) => {
      released.push(u);
      const lag = kernel.now - due[u];
      if (lag < -1e-12 || lag > TICK_S + 1e-12) late++;
    }, (u, t) => kernel.at(t, kDirect, u));
    const kDirect = kernel.on((u) => released.push(u));
    const rng = new Streams(5).get('t');
    for (let u = 0; u < users; u++) due[u] = rng.uniform(0, 10);
    const start = kernel.on((u) => wheel.push(u, due[u]));
    for (let u = 0; u < users; u++) kernel.at(0, start, u);
    kernel.run();
    expect(released.length).toBe(users);
    expect(late).toBe(0);
    for (let i = 1; i < released.length; i++) {
      expect(Math.ceil(due[released[i]] / TICK_S)).toBeGreaterThanOrEqual(Math.ceil(due[released[i - 1]] / TICK_S));
    }
  });
});
