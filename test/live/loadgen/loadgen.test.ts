import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { LOADGEN_DEFAULTS, runLoadgen } from '../../../live/loadgen/loadgen.ts';
import { decodeHistogram } from '../../../live/loadgen/hdr.ts';
import { packProxies } from '../../../live/proxy/proxyHosts.ts';

/** A server that accepts TCP connections and never answers the WebSocket upgrade (a stalled loop). */
let silent: net.Server;
let silentPort = 0;
const held: net.Socket[] = [];
/** A port nothing listens on (bound, then closed). */
let closedPort = 0;

beforeAll(async () => {
  silent = net.createServer((s) => { held.push(s); s.on('error', () => {}); });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  silentPort = (silent.address() as net.AddressInfo).port;
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', () => r()));
  closedPort = (tmp.address() as net.AddressInfo).port;
  await new Promise((r) => tmp.close(r));
});

afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => silent.close(r));
});

describe('load generator: connections as the study\'s client made them', () => {
  it('never gives up on a handshake: one still in progress when the run ends is pending, neither connected nor failed', async () => {
    const res = await runLoadgen({
      ...LOADGEN_DEFAULTS, targets: [{ region: 'eu-west-1', url: `ws://127.0.0.1:${silentPort}/`, users: 5 }, { region: 'ap-southeast-2', url: `ws://127.0.0.1:${closedPort}/`, users: 3 }],
      durationMs: 1500, rampPerSecond: 100, drainTimeoutMs: 500,
    });
    const eu = res.regions.find((r) => r.region === 'eu-west-1')!;
    const syd = res.regions.find((r) => r.region === 'ap-southeast-2')!;
    expect(eu).toMatchObject({ users: 5, connected: 0, failed: 0, pending: 5 });
    // a refused connection is a socket error: failed at once, not retried, not pending
    expect(syd).toMatchObject({ users: 3, connected: 0, failed: 3, pending: 0 });
  });

  it('records nothing that arrives after the run ends: an answer then is cut off, as the killed client\'s was', async () => {
    // a server that answers every request after `delayMs`
    const servers = [100, 1500].map((delayMs) => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      wss.on('connection', (ws) => ws.on('message', (d) => {
        const { rid } = JSON.parse(String(d));
        setTimeout(() => ws.send(JSON.stringify({ type: 'games', rid, games: [] })), delayMs);
      }));
      return wss;
    });
    try {
      await Promise.all(servers.map((w) => new Promise((r) => w.once('listening', r))));
      const url = (w: WebSocketServer) => `ws://127.0.0.1:${(w.address() as net.AddressInfo).port}/`;
      const res = await runLoadgen({
        ...LOADGEN_DEFAULTS, targets: [{ region: 'eu-west-1', url: url(servers[0]), users: 4 }, { region: 'ap-southeast-2', url: url(servers[1]), users: 4 }],
        durationMs: 800, rampPerSecond: 100, drainTimeoutMs: 2000,
      });
      const count = (region: string) => decodeHistogram(res.regions.find((r) => r.region === region)!.request).totalCount;
      // answered within the run: recorded; answered 1.5 s after sending, past the 0.8 s run: sent, not recorded
      expect(count('eu-west-1')).toBe(4);
      expect(res.regions.find((r) => r.region === 'ap-southeast-2')!.requests).toBe(4);
      expect(count('ap-southeast-2')).toBe(0);
    } finally {
      await Promise.all(servers.map((w) => new Promise((r) => w.close(r))));
    }
  });

  it('a starved generator is unhealthy for every second it could not run, not for one tick', async () => {
    // the generator's loop cannot run for 2.5 s (as when the machine gives it no core)
    const block = setTimeout(() => { const end = Date.now() + 2500; while (Date.now() < end); }, 1100);
    const res = await runLoadgen({
      ...LOADGEN_DEFAULTS, targets: [{ region: 'eu-west-1', url: `ws://127.0.0.1:${silentPort}/`, users: 2 }],
      durationMs: 4500, rampPerSecond: 100, drainTimeoutMs: 200,
    });
    clearTimeout(block);
    const over = res.loopLagP99Ms.filter((x) => x > 1000);
    expect(over.length).toBeGreaterThanOrEqual(2);
    expect(res.loopLagMaxMs).toBeGreaterThan(1000);
    expect(res.loopLagP99Ms.length).toBeGreaterThanOrEqual(4);
    expect(res.warnings.some((w) => w.includes('event-loop lag'))).toBe(true);
  });
});

describe('proxy processes', () => {
  it('pack paths in order under the per-process connection limit, a path bigger than the limit alone', () => {
    const items = [3000, 3000, 3000, 3000, 9000, 100].map((connections, i) => ({ item: i, connections }));
    expect(packProxies(items, 7000)).toEqual([[0, 1], [2, 3], [4], [5]]);
    expect(packProxies(items.slice(0, 2), 7000)).toEqual([[0, 1]]);
    expect(packProxies([], 7000)).toEqual([]);
  });
});
