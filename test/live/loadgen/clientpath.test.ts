import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import seedrandom from 'seedrandom';
import { PathDelays, type ClientPathSpec } from '../../../live/loadgen/clientpath.ts';
import { decodeHistogram } from '../../../live/loadgen/hdr.ts';
import { LOADGEN_DEFAULTS, runLoadgen, type LoadgenResult } from '../../../live/loadgen/loadgen.ts';
import { startProxy, symmetricLinks } from '../../../live/proxy/proxy.ts';

const link = (delayMs: number, jitterMs = 0, loss = 0) => ({ delayMs, jitterMs, loss, rtoMs: 200 });

describe('a client path emulated in the generator', () => {
  it('delays each direction by its one-way delay, the first byte up also by the setup round trips', () => {
    const d = new PathDelays({ up: link(40), down: link(30), setupRtts: 3 }, seedrandom('x'), { lost: 0 });
    // 3 round trips of 70 ms, then 40 ms up
    expect(d.upDue(1000)).toBe(1000 + 210 + 40);
    expect(d.upDue(2000)).toBe(2040);
    expect(d.downDue(2100)).toBe(2130);
  });

  it('keeps the bytes of each direction in order under jitter, as TCP and the proxy do', () => {
    const d = new PathDelays({ up: link(20, 15), down: link(20, 15), setupRtts: 0 }, seedrandom('order'), { lost: 0 });
    let last = 0;
    const spread = new Set<number>();
    for (let t = 0; t < 200; t += 1) {
      const due = d.downDue(t);
      expect(due).toBeGreaterThanOrEqual(last);
      expect(due).toBeGreaterThanOrEqual(t + 5);
      spread.add(Math.round(due - t));
      last = due;
    }
    expect(spread.size).toBeGreaterThan(5);
  });

  it('costs a lost chunk one retransmission timeout, and counts it', () => {
    const stats = { lost: 0 };
    const d = new PathDelays({ up: link(10, 0, 0.2), down: link(10, 0, 0.2), setupRtts: 0 }, seedrandom('loss'), stats);
    const delays: number[] = [];
    for (let k = 0; k < 1000; k++) delays.push(d.upDue(k * 1000) - k * 1000);
    const lost = delays.filter((x) => x === 210).length;
    expect(delays.every((x) => x === 10 || x === 210)).toBe(true);
    expect(lost).toBe(stats.lost);
    expect(lost).toBeGreaterThan(150);
    expect(lost).toBeLessThan(250);
  });
});

/** A server that answers every request at once and pushes an update to each client every 50 ms. */
async function answeringServer(): Promise<{ port: number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => {
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      ws.send(JSON.stringify({ type: m.type === 'place_prediction' ? 'confirmed' : 'ok', rid: m.rid }));
    });
    const push = setInterval(() => ws.send(`{"type":"pool_update","publishedAt":${Date.now()},"poolId":1}`), 50);
    ws.on('close', () => clearInterval(push));
  });
  const port = (wss.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }) };
}

const p50 = (res: LoadgenResult, key: 'handshake' | 'request' | 'broadcast') => decodeHistogram(res.regions[0][key]).getValueAtPercentile(50) / 1000;

describe('the generator\'s emulated path against a latency proxy', () => {
  it('measures what the same path through a proxy measures: handshake 4 round trips, request 1, update one way', async () => {
    const server = await answeringServer();
    const spec: ClientPathSpec = { up: link(40), down: link(40), setupRtts: 3 };
    const proxy = await startProxy({ name: 'clients', targetHost: '127.0.0.1', targetPort: server.port, ...symmetricLinks(80, 0, 0, 200), setupRtts: 3 });
    let bytes: { up: number; down: number } | undefined;
    const run = (url: string, path?: ClientPathSpec) => runLoadgen({
      ...LOADGEN_DEFAULTS, targets: [{ region: 'eu-west-1', url, users: 6, ...(path ? { path } : {}) }],
      durationMs: 2500, rampPerSecond: 50, timeScale: 100, drainTimeoutMs: 1000, onTick: (t) => { bytes = t.bytes; },
    });
    try {
      const viaProxy = await run(`ws://127.0.0.1:${proxy.port}/`);
      expect(bytes).toBeUndefined();
      const inGenerator = await run(`ws://127.0.0.1:${server.port}/`, spec);
      for (const res of [viaProxy, inGenerator]) {
        expect(res.regions[0].connected).toBe(6);
        // 3 setup round trips + the upgrade's own: 320 ms; a request: 80 ms; an update: 40 ms (plus loopback and timers)
        expect(p50(res, 'handshake')).toBeGreaterThanOrEqual(319);
        expect(p50(res, 'handshake')).toBeLessThan(340);
        expect(p50(res, 'request')).toBeGreaterThanOrEqual(79);
        expect(p50(res, 'request')).toBeLessThan(95);
        expect(p50(res, 'broadcast')).toBeGreaterThanOrEqual(39);
        expect(p50(res, 'broadcast')).toBeLessThan(50);
      }
      expect(Math.abs(p50(inGenerator, 'request') - p50(viaProxy, 'request'))).toBeLessThan(5);
      expect(decodeHistogram(inGenerator.regions[0].request).totalCount).toBeGreaterThan(12);
      // the generator counts the client sockets' bytes itself (no proxy to count them): upgrades, requests, ~40 updates a user
      expect(bytes!.up).toBeGreaterThan(6 * 200);
      expect(bytes!.down).toBeGreaterThan(6 * 40 * 40);
    } finally {
      await proxy.close();
      await server.close();
    }
  });
});
