import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directEndpoints, via } from '../../../live/endpoints.ts';
import type { DbMode } from '../../../live/server/handlers.ts';
import { startProxy, symmetricLinks, type LatencyProxy } from '../../../live/proxy/proxy.ts';
import { startServerProcess, type ServerProcess } from '../../../live/server/server.ts';
import { ensureSchema } from '../../../live/server/store.ts';
import { Client, books, countPredictions, dropTargets, redis, testTargets } from '../fixtures.ts';

const T = testTargets('server');
const started: ServerProcess[] = [];
const proxies: LatencyProxy[] = [];
const clients: Client[] = [];

async function server(mode: DbMode, extra: Partial<Parameters<typeof startServerProcess>[0]> = {}): Promise<ServerProcess> {
  const s = await startServerProcess({
    group: 'test', region: 'eu-west-1', host: '127.0.0.1', port: 0, mode, windowCheck: 'atomic', windowMs: 3000,
    endpoints: directEndpoints(T.redis, T.mysql), keyPrefix: T.prefix, ...extra,
  });
  started.push(s);
  return s;
}

async function client(port: number): Promise<Client> {
  const c = await Client.open(port);
  clients.push(c);
  return c;
}

const prediction = (id = randomUUID(), userId = 1) => ({ id, poolId: 1, outcome: 'home', amount: 5, userId, placedAt: Date.now() });

beforeAll(async () => {
  await ensureSchema(T.mysql);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(started.map((s) => s.close()));
  await Promise.all(proxies.map((p) => p.close()));
  await dropTargets(T);
});

describe('live server: bad input and limits', () => {
  it('answers malformed, unknown and oversized messages with an error and keeps serving', async () => {
    const s = await server('async', { limits: { maxMessageBytes: 512, maxFrameBytes: 4096 } });
    const c = await client(s.port);
    expect(await c.ask('{not json', null)).toMatchObject({ type: 'error', code: 'LIVE_MALFORMED_JSON' });
    expect(await c.ask({ type: 'steal_funds', rid: 7 }, 7)).toMatchObject({ type: 'error', code: 'LIVE_UNKNOWN_TYPE', rid: 7 });
    expect(await c.ask({ type: 'join_game', rid: 8, gameId: 999 }, 8)).toMatchObject({ type: 'error', code: 'LIVE_NOT_FOUND' });
    expect(await c.ask(JSON.stringify({ type: 'list_games', rid: 9, pad: 'x'.repeat(1000) }), 9)).toMatchObject({ type: 'error', code: 'LIVE_MESSAGE_TOO_LARGE', rid: 9 });
    expect(await c.ask('{"type":"list_games","rid":11,', 11)).toMatchObject({ type: 'error', code: 'LIVE_MALFORMED_JSON', rid: 11 });
    expect(await c.ask({ type: 'list_games', rid: 10 }, 10)).toMatchObject({ type: 'games', games: [{ id: 1 }] });
    // a frame over the hard frame limit closes that connection (1009), not the server
    c.ws.send('x'.repeat(10_000));
    await new Promise((r) => setTimeout(r, 300));
    expect(c.closeCode).toBe(1009);
    const d = await client(s.port);
    expect(await d.ask({ type: 'list_pools', rid: 1, gameId: 1 }, 1)).toMatchObject({ type: 'pools' });
    expect(s.metrics().errors).toBeGreaterThanOrEqual(4);
  });

  it('cuts off a slow consumer once its queued bytes pass the limit', async () => {
    const s = await server('async', { limits: { maxBufferedBytesPerSocket: 256 * 1024 } });
    const slow = await client(s.port);
    await slow.ask({ type: 'join_game', rid: 1, gameId: 1 }, 1);
    slow.ws.pause(); // stops reading: the kernel buffers fill, then ws buffers grow
    const pub = redis(T.redis);
    const payload = JSON.stringify({ type: 'pool_update', gameId: 1, poolId: 1, pad: 'y'.repeat(16 * 1024), publishedAt: Date.now() });
    for (let i = 0; i < 2000 && s.metrics().slowConsumers === 0; i++) {
      await pub.publish(`${T.prefix}channel:game:1`, payload);
    }
    await new Promise((r) => setTimeout(r, 200));
    pub.disconnect();
    expect(s.metrics().slowConsumers).toBe(1);
    expect(s.metrics().connections).toBe(0);
    expect(s.metrics().rssBytes).toBeLessThan(1024 * 1024 * 1024);
  });
});

describe('live server: predictions are stored exactly once', () => {
  for (const mode of ['blocking', 'async', 'batched'] as const) {
    it(`${mode}: a retried prediction (same id, also concurrent) is one row, confirmed after commit`, async () => {
      const s = await server(mode);
      const a = await client(s.port);
      const b = await client(s.port);
      const id = randomUUID();
      const p = prediction(id, 42);
      const totals = redis(T.redis);
      const countBefore = Number((await totals.hget(`${T.prefix}pool:1:totals`, '_count')) ?? 0);
      const answers = await Promise.all([
        a.ask({ type: 'place_prediction', rid: 1, prediction: p }, 1),
        b.ask({ type: 'place_prediction', rid: 1, prediction: p }, 1),
        a.ask({ type: 'place_prediction', rid: 2, prediction: p }, 2),
      ]);
      for (const x of answers) expect(x).toMatchObject({ type: 'confirmed', id });
      expect(answers.filter((x) => x.duplicate === false)).toHaveLength(1);
      // confirmed means committed: the row is visible to another connection now
      expect(await countPredictions(T.mysql, 'id = ?', [id])).toBe(1);
      // and the pool totals in Redis count its stake once
      expect(Number(await totals.hget(`${T.prefix}pool:1:totals`, '_count'))).toBe(countBefore + 1);
      totals.disconnect();
    });
  }
});

describe('live server: close', () => {
  it('finishes the work it has taken before closing the stores: every queued prediction stored and counted, none failed', async () => {
    // blocking driver, MySQL 30 ms away: predictions queue behind each other on the loop
    const link = symmetricLinks(30, 0, 0, 200);
    const mp = await startProxy({ name: 'mysql-close', targetHost: T.mysql.host, targetPort: T.mysql.port, ...link });
    proxies.push(mp);
    const book = `${T.prefix}close:`;
    const s = await startServerProcess({
      group: 'test', region: 'eu-west-1', host: '127.0.0.1', port: 0, mode: 'blocking', windowCheck: 'atomic', windowMs: 3000,
      endpoints: directEndpoints(T.redis, via(T.mysql, mp.port)), keyPrefix: book,
    });
    const c = await client(s.port);
    const n = 20;
    for (let i = 0; i < n; i++) c.ws.send(JSON.stringify({ type: 'place_prediction', rid: 100 + i, prediction: prediction(randomUUID(), 200 + i) }));
    // close once the first is answered, with most still queued
    await c.waitFor((m) => m.rid === 100);
    const queued = s.metrics().queueDepth + s.metrics().inFlight;
    expect(queued).toBeGreaterThan(5);
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (String(chunk).includes('request failed')) errors.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    try {
      await s.close();
    } finally {
      process.stderr.write = write;
    }
    expect(errors).toEqual([]);
    const b = await books(T, book);
    expect(b.mysql.count).toBe(n);
    expect(b.redis).toEqual(b.mysql);
  }, 30_000);
});

describe('live server: driver modes against a remote database', () => {
  it('blocking serialises whole messages, async pays one RTT per query, batched one RTT per message', async () => {
    const rttMs = 40;
    const link = symmetricLinks(rttMs, 0, 0, 200);
    const rp = await startProxy({ name: 'redis', targetHost: T.redis.host, targetPort: T.redis.port, ...link });
    const mp = await startProxy({ name: 'mysql', targetHost: T.mysql.host, targetPort: T.mysql.port, ...link });
    proxies.push(rp, mp);
    const remote = directEndpoints(via(T.redis, rp.port), via(T.mysql, mp.port));
    const clientsPerMode = 4;
    const perMessageMs: Record<string, number> = {};
    const totalMs: Record<string, number> = {};
    for (const mode of ['blocking', 'async', 'batched'] as const) {
      const s = await server(mode, { endpoints: remote });
      const cs = await Promise.all(Array.from({ length: clientsPerMode }, () => client(s.port)));
      const round = async (rid: number) => {
        const t0 = performance.now();
        const lat = await Promise.all(cs.map(async (c, i) => {
          const t = performance.now();
          await c.ask({ type: 'place_prediction', rid, prediction: prediction(randomUUID(), 100 + i) }, rid);
          return performance.now() - t;
        }));
        return { total: performance.now() - t0, min: Math.min(...lat) };
      };
      await round(1); // warm up: connections opened, users cached
      const r = await round(2);
      perMessageMs[mode] = r.min;
      totalMs[mode] = r.total;
    }
    // batched: one round trip per message (plus the publish, not awaited)
    expect(perMessageMs.batched).toBeLessThan(2.5 * rttMs);
    // async: several sequential round trips per message, but messages overlap
    expect(perMessageMs.async).toBeGreaterThan(3 * rttMs);
    expect(totalMs.async).toBeLessThan(perMessageMs.async * 2);
    // blocking: the k-th message waits for the k-1 before it
    expect(totalMs.blocking).toBeGreaterThan(totalMs.async * (clientsPerMode - 1));
  }, 60_000);
});
