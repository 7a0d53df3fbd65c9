import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOADGEN_DEFAULTS, runLoadgen } from '../../../live/loadgen/loadgen.ts';
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
