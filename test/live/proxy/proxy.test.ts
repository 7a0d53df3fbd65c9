import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyClock } from '../../../live/proxy/dueclock.ts';
import { startProxy, symmetricLinks, type LatencyProxy } from '../../../live/proxy/proxy.ts';

/**
 * The proxy's delays are checked on a clock the test moves by hand: bytes travel over real
 * sockets, but when a chunk leaves is decided by the injected clock only, so nothing here depends
 * on how fast or loaded the machine is. (The delay it adds in real time, and its error, are
 * measured by `npm run bench -- --case live-proxy`.)
 */
class ManualClock implements ProxyClock {
  t = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private id = 0;
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): unknown {
    this.timers.set(++this.id, { at: this.t + ms, fn });
    return this.id;
  }
  clearTimer(h: unknown): void {
    this.timers.delete(h as number);
  }
  /**
   * Moves the time to `to`, firing every timer due on the way in order (each `lateMs` after its
   * time, as a loop that did not get a core would), letting real I/O run after each.
   */
  async advance(to: number, lateMs = 0): Promise<void> {
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.timers) if (e[1].at <= to && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at + lateMs;
      next[1].fn();
      await io();
    }
    this.t = to;
    await io();
  }
}

/** Lets queued socket events run (real I/O on loopback). */
const io = () => new Promise((r) => setTimeout(r, 30));

/** Waits (real time, bounded) until `cond` holds. */
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
}

/** An echo server that counts the bytes it got. */
let echo: net.Server;
let echoPort = 0;
let echoed = 0;
const proxies: LatencyProxy[] = [];

beforeAll(async () => {
  echo = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('error', () => {});
    s.on('data', (d) => { echoed += d.length; });
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  echoPort = (echo.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await new Promise((r) => echo.close(r));
});

/** A client through the proxy: what it has received so far, as numbered lines. */
async function client(port: number): Promise<{ s: net.Socket; lines: number[]; bytes: () => number }> {
  const s = net.connect(port, '127.0.0.1');
  s.setNoDelay(true);
  await new Promise((r) => s.once('connect', r));
  const lines: number[] = [];
  let buf = '';
  let bytes = 0;
  s.on('data', (d) => {
    bytes += d.length;
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(Number(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
  });
  return { s, lines, bytes: () => bytes };
}

describe('latency proxy', () => {
  it('holds each direction for half the RTT, to the clock', async () => {
    const clock = new ManualClock();
    const p = await startProxy({ name: 'delay', targetHost: '127.0.0.1', targetPort: echoPort, ...symmetricLinks(50, 0, 0, 200), clock });
    proxies.push(p);
    const c = await client(p.port);
    const before = echoed;
    c.s.write('1\n');
    await io();
    await clock.advance(24);
    expect(echoed).toBe(before);
    await clock.advance(25);
    await until(() => echoed > before);
    expect(echoed - before).toBe(2);
    await io();
    await clock.advance(49);
    expect(c.lines).toEqual([]);
    await clock.advance(50);
    await until(() => c.lines.length > 0);
    expect(c.lines).toEqual([1]);
    expect(p.stats().chunks).toBe(2);
    expect(p.stats().latenessMaxMs).toBe(0);
    c.s.destroy();
  });

  it('counts each chunk\'s release error: write time − due time', async () => {
    const clock = new ManualClock();
    const p = await startProxy({ name: 'error', targetHost: '127.0.0.1', targetPort: echoPort, ...symmetricLinks(50, 0, 0, 200), clock });
    proxies.push(p);
    const c = await client(p.port);
    c.s.write('1\n');
    await io();
    // up: due at 25, the timer runs 3 ms late; down: due at 28 + 25 = 53, on time
    await clock.advance(30, 3);
    await until(() => p.stats().chunks === 1);
    await io();
    await clock.advance(60);
    await until(() => c.lines.length === 1);
    expect(p.errors.count).toBe(2);
    expect(p.errors.quantile(0.5)).toBeCloseTo(0.01, 6); // the on-time chunk: bucket [0, 0.01 ms)
    expect(p.errors.quantile(1)).toBeCloseTo(3.01, 6); // the late one: bucket [3, 3.01 ms)
    expect(p.stats().latenessMaxMs).toBe(3);
    expect(p.stats().releaseErrorP99Ms).toBeCloseTo(3.01, 6);
    c.s.destroy();
  });

  it('keeps byte order under heavy jitter (a delayed chunk never overtakes an earlier one)', async () => {
    const clock = new ManualClock();
    const p = await startProxy({ name: 'jitter', targetHost: '127.0.0.1', targetPort: echoPort, ...symmetricLinks(20, 9, 0, 200), seed: 'order', clock });
    proxies.push(p);
    const c = await client(p.port);
    for (let k = 0; k < 50; k++) {
      c.s.write(`${k}\n`);
      await io();
      await clock.advance(clock.now() + 1);
    }
    await clock.advance(clock.now() + 100);
    await until(() => c.lines.length === 50);
    expect(c.lines).toEqual(Array.from({ length: 50 }, (_, k) => k));
    c.s.destroy();
  });

  it('turns loss into retransmission delay, never into missing bytes', async () => {
    const clock = new ManualClock();
    const p = await startProxy({ name: 'loss', targetHost: '127.0.0.1', targetPort: echoPort, ...symmetricLinks(10, 0, 0.2, 200), seed: 'loss', clock });
    proxies.push(p);
    const c = await client(p.port);
    const sentAt: number[] = [];
    let worst = 0;
    c.s.on('data', () => { worst = Math.max(worst, clock.now() - sentAt[c.lines.length - 1]); });
    for (let k = 0; k < 40; k++) {
      sentAt.push(clock.now());
      c.s.write(`${k}\n`);
      await io();
      await clock.advance(clock.now() + 20);
    }
    await clock.advance(clock.now() + 2000);
    await until(() => c.lines.length === 40);
    expect(c.lines).toEqual(Array.from({ length: 40 }, (_, k) => k));
    expect(p.stats().lostChunks).toBeGreaterThan(0);
    // a lost chunk is held one retransmission timeout (200 ms) beyond its 10 ms round trip
    expect(worst).toBeGreaterThanOrEqual(200);
    c.s.destroy();
  });

  it('charges connection setup round trips on the first bytes only', async () => {
    const clock = new ManualClock();
    const p = await startProxy({ name: 'setup', targetHost: '127.0.0.1', targetPort: echoPort, ...symmetricLinks(20, 0, 0, 200), setupRtts: 3, clock });
    proxies.push(p);
    const c = await client(p.port);
    c.s.write('0\n');
    await io();
    // first bytes: 3 setup round trips + 10 ms up + 10 ms back
    await clock.advance(79);
    expect(c.lines).toEqual([]);
    await clock.advance(80);
    await until(() => c.lines.length === 1);
    c.s.write('1\n');
    await io();
    await clock.advance(99);
    expect(c.lines).toEqual([0]);
    await clock.advance(100);
    await until(() => c.lines.length === 2);
    expect(c.lines).toEqual([0, 1]);
    c.s.destroy();
  });

  it('serves many connections from one timer, each on its own due time', async () => {
    const clock = new ManualClock();
    const p = await startProxy({ name: 'many', targetHost: '127.0.0.1', targetPort: echoPort, ...symmetricLinks(30, 0, 0, 200), clock });
    proxies.push(p);
    const cs = await Promise.all(Array.from({ length: 20 }, () => client(p.port)));
    // connection k sends at time k; its echo is due back at k + 30
    for (let k = 0; k < cs.length; k++) {
      await clock.advance(k);
      cs[k].s.write(`${k}\n`);
      await io();
    }
    for (let k = 0; k < cs.length; k++) {
      await clock.advance(k + 29);
      expect(cs[k].lines).toEqual([]);
      await clock.advance(k + 30);
      await until(() => cs[k].lines.length === 1);
      expect(cs[k].lines).toEqual([k]);
    }
    for (const c of cs) c.s.destroy();
  });

  it('relays a client\'s bytes in full past the backpressure limit, and closes with connections open', async () => {
    // the client side is accepted paused and re-wrapped to read through `onread`: more than the
    // delay line holds (PROXY_MAX_QUEUED_BYTES) must pause it and resume it without losing a byte,
    // and close() must not wait for the re-wrapped connections
    const clock = new ManualClock();
    const p = await startProxy({ name: 'adopt', targetHost: '127.0.0.1', targetPort: echoPort, ...symmetricLinks(10, 0, 0, 200), clock });
    const c = await client(p.port);
    const big = Buffer.alloc(12 * 1024 * 1024, 0x61);
    const before = echoed;
    c.s.write(big);
    for (let k = 0; k < 200 && c.bytes() < big.length; k++) await clock.advance(clock.now() + 5);
    expect(echoed - before).toBe(big.length);
    expect(c.bytes()).toBe(big.length);
    expect(p.stats().upBytes).toBe(big.length);
    const open = await client(p.port);
    await until(() => p.stats().connections === 2);
    let closed = 0;
    for (const x of [c, open]) x.s.on('close', () => { closed++; });
    await p.close();
    await until(() => closed === 2);
    expect(closed).toBe(2);
  }, 30_000);

  it('relays a half-close: the client ends its side and still receives the answer the server sends after it', async () => {
    // a server that answers only once the client has finished sending (an HTTP/1.0-style exchange)
    const late = net.createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => {});
      s.resume();
      s.on('end', () => { setTimeout(() => s.end('9\n'), 20); });
    });
    await new Promise<void>((r) => late.listen(0, '127.0.0.1', () => r()));
    try {
      const clock = new ManualClock();
      const p = await startProxy({ name: 'half-close', targetHost: '127.0.0.1', targetPort: (late.address() as net.AddressInfo).port, ...symmetricLinks(10, 0, 0, 200), clock });
      const s = net.connect({ port: p.port, host: '127.0.0.1', allowHalfOpen: true });
      await new Promise((r) => s.once('connect', r));
      let got = '';
      let ended = false;
      s.on('data', (d) => { got += d.toString(); });
      s.on('end', () => { ended = true; s.end(); });
      s.end('1\n');
      for (let k = 0; k < 40 && !ended; k++) await clock.advance(clock.now() + 5);
      expect(got).toBe('9\n');
      expect(ended).toBe(true);
      await p.close();
    } finally {
      await new Promise((r) => late.close(r));
    }
  }, 30_000);

  it('rejects a bad link spec naming the field', async () => {
    await expect(startProxy({ name: 'bad', targetHost: '127.0.0.1', targetPort: echoPort, up: { delayMs: -1, jitterMs: 0, loss: 0, rtoMs: 200 }, down: { delayMs: 0, jitterMs: 0, loss: 0, rtoMs: 200 } }))
      .rejects.toThrow(/bad\.up\.delayMs must be a finite number >= 0/);
  });
});
