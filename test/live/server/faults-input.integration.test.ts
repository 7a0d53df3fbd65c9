import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directEndpoints, via } from '../../../live/endpoints.ts';
import type { DbMode } from '../../../live/server/handlers.ts';
import { startServerHost, type HostMetrics } from '../../../live/server/host.ts';
import { LIVE_LIMITS } from '../../../live/server/limits.ts';
import { startProxy, symmetricLinks, type LatencyProxy } from '../../../live/proxy/proxy.ts';
import { startServerProcess, type ServerProcess, type ServerProcessConfig } from '../../../live/server/server.ts';
import { ensureSchema } from '../../../live/server/store.ts';
import { Client, books, dropTargets, quiet, redis, testTargets } from '../fixtures.ts';

/**
 * Fault suite, part 1: what clients can do to a server on their own (bad input, floods, abrupt
 * closes, slow readers, bursts, the same prediction from many sockets), in every driver mode,
 * against the real Redis and MariaDB. Every case checks the books: confirmed = stored = counted.
 */
const T = testTargets('fin');
const MODES: DbMode[] = ['blocking', 'async', 'batched'];
const started: ServerProcess[] = [];
const proxies: LatencyProxy[] = [];
const clients: Client[] = [];

async function server(mode: DbMode, prefix: string, over: Partial<ServerProcessConfig> = {}): Promise<ServerProcess> {
  const s = await startServerProcess({
    group: 'faults', region: 'eu-west-1', host: '127.0.0.1', port: 0, mode, windowCheck: 'atomic', windowMs: 200,
    endpoints: directEndpoints(T.redis, T.mysql), keyPrefix: prefix, ...over,
  });
  started.push(s);
  return s;
}

async function client(port: number): Promise<Client> {
  const c = await Client.open(port);
  clients.push(c);
  return c;
}

const prediction = (over: Record<string, unknown> = {}) => ({ id: randomUUID(), poolId: 1, outcome: 'home', amount: 5, userId: 7, placedAt: Date.now(), ...over });

async function tableCounts(): Promise<{ accounts: number; predictions: number }> {
  const c = await mysql.createConnection({ host: T.mysql.host, port: T.mysql.port, user: T.mysql.user, password: T.mysql.password, database: T.mysql.database });
  try {
    const [[a]] = await c.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM accounts');
    const [[p]] = await c.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM predictions');
    return { accounts: Number(a.n), predictions: Number(p.n) };
  } finally {
    await c.end();
  }
}

async function redisKeys(prefix: string): Promise<string[]> {
  const r = redis(T.redis);
  try {
    return (await r.keys(`${prefix}*`)).sort();
  } finally {
    r.disconnect();
  }
}

beforeAll(async () => {
  await ensureSchema(T.mysql);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(started.map((s) => s.close()));
  await Promise.all(proxies.map((p) => p.close()));
  await dropTargets(T);
});

/** Frames no server should act on: [what, frame, code, rid the error must carry]. */
const CORPUS: [string, string | Buffer, string, string | number | null][] = [
  ['not JSON', '{nope', 'LIVE_MALFORMED_JSON', null],
  ['truncated, rid readable', '{"type":"list_games","rid":41,', 'LIVE_MALFORMED_JSON', 41],
  ['empty', '', 'LIVE_MALFORMED_JSON', null],
  ['array', '[1,2,3]', 'LIVE_MALFORMED_JSON', null],
  ['null', 'null', 'LIVE_MALFORMED_JSON', null],
  ['number', '42', 'LIVE_MALFORMED_JSON', null],
  ['binary frame', Buffer.from('{"type":"list_games","rid":1}'), 'LIVE_MALFORMED_JSON', null],
  ['too large, rid readable', JSON.stringify({ type: 'list_games', rid: 'big', pad: 'x'.repeat(LIVE_LIMITS.maxMessageBytes) }), 'LIVE_MESSAGE_TOO_LARGE', 'big'],
  ['no rid', '{"type":"list_games"}', 'LIVE_INVALID_FIELD', null],
  ['rid an object', '{"type":"list_games","rid":{"a":1}}', 'LIVE_INVALID_FIELD', null],
  ['rid too long', JSON.stringify({ type: 'list_games', rid: 'r'.repeat(200) }), 'LIVE_INVALID_FIELD', null],
  ['unknown type', '{"type":"drop_tables","rid":2}', 'LIVE_UNKNOWN_TYPE', 2],
  ['no type', '{"rid":3}', 'LIVE_UNKNOWN_TYPE', 3],
  ['prototype keys', '{"__proto__":{"type":"list_games"},"rid":4}', 'LIVE_UNKNOWN_TYPE', 4],
  ['gameId negative', '{"type":"join_game","rid":5,"gameId":-1}', 'LIVE_INVALID_FIELD', 5],
  ['gameId beyond INT', '{"type":"list_pools","rid":6,"gameId":4294967296}', 'LIVE_INVALID_FIELD', 6],
  ['gameId a string', '{"type":"join_game","rid":7,"gameId":"1"}', 'LIVE_INVALID_FIELD', 7],
  ['game that does not exist', '{"type":"join_game","rid":8,"gameId":999}', 'LIVE_NOT_FOUND', 8],
  ['prediction missing', '{"type":"place_prediction","rid":9}', 'LIVE_INVALID_FIELD', 9],
  ['prediction an array', '{"type":"place_prediction","rid":10,"prediction":[]}', 'LIVE_INVALID_FIELD', 10],
  ['id not a uuid', JSON.stringify({ type: 'place_prediction', rid: 11, prediction: prediction({ id: 'x' }) }), 'LIVE_INVALID_FIELD', 11],
  ['id SQL', JSON.stringify({ type: 'place_prediction', rid: 12, prediction: prediction({ id: "1'; DROP TABLE predictions; --" }) }), 'LIVE_INVALID_FIELD', 12],
  ['userId 2^31', JSON.stringify({ type: 'place_prediction', rid: 13, prediction: prediction({ userId: 2 ** 31 }) }), 'LIVE_INVALID_FIELD', 13],
  ['userId 2^53', JSON.stringify({ type: 'place_prediction', rid: 14, prediction: prediction({ userId: 2 ** 53 }) }), 'LIVE_INVALID_FIELD', 14],
  ['userId negative', JSON.stringify({ type: 'place_prediction', rid: 15, prediction: prediction({ userId: -7 }) }), 'LIVE_INVALID_FIELD', 15],
  ['placedAt 1e300', JSON.stringify({ type: 'place_prediction', rid: 16, prediction: prediction({ placedAt: 1e300 }) }), 'LIVE_INVALID_FIELD', 16],
  ['placedAt negative', JSON.stringify({ type: 'place_prediction', rid: 17, prediction: prediction({ placedAt: -1 }) }), 'LIVE_INVALID_FIELD', 17],
  ['placedAt a string', JSON.stringify({ type: 'place_prediction', rid: 18, prediction: prediction({ placedAt: 'now' }) }), 'LIVE_INVALID_FIELD', 18],
  ['amount 0', JSON.stringify({ type: 'place_prediction', rid: 19, prediction: prediction({ amount: 0 }) }), 'LIVE_INVALID_FIELD', 19],
  ['amount fractional', JSON.stringify({ type: 'place_prediction', rid: 20, prediction: prediction({ amount: 1.5 }) }), 'LIVE_INVALID_FIELD', 20],
  ['amount above the maximum', JSON.stringify({ type: 'place_prediction', rid: 21, prediction: prediction({ amount: LIVE_LIMITS.maxAmount + 1 }) }), 'LIVE_INVALID_FIELD', 21],
  ['amount a string', JSON.stringify({ type: 'place_prediction', rid: 22, prediction: prediction({ amount: '5' }) }), 'LIVE_INVALID_FIELD', 22],
  ['poolId beyond INT', JSON.stringify({ type: 'place_prediction', rid: 23, prediction: prediction({ poolId: 2 ** 31 }) }), 'LIVE_INVALID_FIELD', 23],
  ['pool that does not exist', JSON.stringify({ type: 'place_prediction', rid: 24, prediction: prediction({ poolId: 999 }) }), 'LIVE_NOT_FOUND', 24],
  ['outcome not of the pool', JSON.stringify({ type: 'place_prediction', rid: 25, prediction: prediction({ outcome: 'banana' }) }), 'LIVE_INVALID_FIELD', 25],
  ['outcome SQL', JSON.stringify({ type: 'place_prediction', rid: 26, prediction: prediction({ outcome: "home'--" }) }), 'LIVE_INVALID_FIELD', 26],
  ['outcome too long', JSON.stringify({ type: 'place_prediction', rid: 27, prediction: prediction({ outcome: 'a'.repeat(17) }) }), 'LIVE_INVALID_FIELD', 27],
  ['outcome unicode', JSON.stringify({ type: 'place_prediction', rid: 28, prediction: prediction({ outcome: 'hôme' }) }), 'LIVE_INVALID_FIELD', 28],
  ['deep nesting', `{"type":"place_prediction","rid":29,"prediction":${'['.repeat(500)}${']'.repeat(500)}}`, 'LIVE_INVALID_FIELD', 29],
];

describe('bad input: a clear code, the rid, and no trace', () => {
  for (const mode of MODES) {
    it(`${mode}: ${CORPUS.length} bad frames change nothing in MySQL or Redis`, async () => {
      const prefix = `${T.prefix}bad-${mode}:`;
      const s = await server(mode, prefix);
      const c = await client(s.port);
      // warm the caches, so that what follows may only read
      await c.ask({ type: 'list_games', rid: 'warm-games' }, 'warm-games');
      await c.ask({ type: 'list_pools', rid: 'warm', gameId: 1 }, 'warm');
      await quiet(s.metrics);
      const before = { tables: await tableCounts(), keys: await redisKeys(prefix) };
      for (const [what, frame, code, rid] of CORPUS) {
        const from = c.messages.length;
        c.ws.send(frame);
        const answer = await c.waitFor((m) => m.type === 'error' || m.rid !== undefined, 5000, from);
        expect({ what, code: answer.code, rid: answer.rid }).toEqual({ what, code, rid });
        expect(String(answer.message)).not.toMatch(/SQL|ECONN|column|127\.0\.0\.1/);
      }
      await quiet(s.metrics);
      expect({ tables: await tableCounts(), keys: await redisKeys(prefix) }).toEqual(before);
      // and it still serves
      expect(await c.ask({ type: 'list_games', rid: 'after' }, 'after')).toMatchObject({ type: 'games' });
    });
  }
});

describe('floods', () => {
  it('a flood of joins closed before their answer leaves no dead socket in the broadcast set', async () => {
    // Redis 40 ms away, so each join completes well after its socket is gone
    const rp = await startProxy({ name: 'redis', targetHost: T.redis.host, targetPort: T.redis.port, ...symmetricLinks(40, 0, 0, 200) });
    proxies.push(rp);
    const prefix = `${T.prefix}flood:`;
    const s = await server('async', prefix, { endpoints: directEndpoints(via(T.redis, rp.port), T.mysql) });
    const FLOOD = 300;
    await Promise.all(Array.from({ length: FLOOD }, (_, i) => new Promise<void>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/`);
      ws.on('error', () => resolve());
      ws.on('open', () => {
        ws.send(JSON.stringify({ type: 'join_game', rid: i, gameId: 1 }));
        ws.terminate();
        resolve();
      });
    })));
    await quiet(s.metrics);
    const deadline = Date.now() + 5000;
    while (s.metrics().connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(s.metrics().connectionsTotal).toBe(FLOOD);
    expect(s.metrics().connections).toBe(0);
    expect(s.metrics().broadcastMembers).toBe(0);
    // an update with nobody listening is sent to nobody
    const pub = redis(T.redis);
    const update = JSON.stringify({ type: 'pool_update', gameId: 1, poolId: 1, publishedAt: Date.now() });
    await pub.publish(`${prefix}channel:game:1`, update);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.metrics().broadcastsSent).toBe(0);
    // one member that stays gets exactly one
    const c = await client(s.port);
    await c.ask({ type: 'join_game', rid: 1, gameId: 1 }, 1);
    await pub.publish(`${prefix}channel:game:1`, update);
    await c.waitFor((m) => m.type === 'pool_update', 5000);
    pub.disconnect();
    expect(s.metrics().broadcastMembers).toBe(1);
    expect(s.metrics().broadcastsSent).toBe(1);
  });

  it('a slow consumer is cut off and leaves the broadcast set', async () => {
    const prefix = `${T.prefix}slow:`;
    const s = await server('async', prefix, { limits: { maxBufferedBytesPerSocket: 256 * 1024 } });
    const slow = await client(s.port);
    await slow.ask({ type: 'join_game', rid: 1, gameId: 1 }, 1);
    slow.ws.pause();
    const pub = redis(T.redis);
    const payload = JSON.stringify({ type: 'pool_update', gameId: 1, poolId: 1, pad: 'y'.repeat(16 * 1024), publishedAt: Date.now() });
    for (let i = 0; i < 2000 && s.metrics().slowConsumers === 0; i++) await pub.publish(`${prefix}channel:game:1`, payload);
    pub.disconnect();
    const deadline = Date.now() + 5000;
    while (s.metrics().broadcastMembers > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(s.metrics().slowConsumers).toBe(1);
    expect(s.metrics().connections).toBe(0);
    expect(s.metrics().broadcastMembers).toBe(0);
  });

  for (const mode of MODES) {
    it(`${mode}: the per-process in-flight limit holds over many sockets`, async () => {
      const prefix = `${T.prefix}proc-${mode}:`;
      const s = await server(mode, prefix, { limits: { maxInFlightPerProcess: 8 } });
      const cs = await Promise.all(Array.from({ length: 4 }, () => client(s.port)));
      const ids = new Map<string, string>();
      for (const [i, c] of cs.entries()) for (let k = 0; k < 20; k++) {
        const p = prediction({ userId: 300 + i });
        ids.set(`${i}-${k}`, p.id);
        c.ws.send(JSON.stringify({ type: 'place_prediction', rid: `${i}-${k}`, prediction: p }));
      }
      const answers = await Promise.all(cs.flatMap((c, i) => Array.from({ length: 20 }, (_, k) => c.waitFor((m) => m.rid === `${i}-${k}`, 20_000))));
      const overloaded = answers.filter((a) => a.code === 'LIVE_OVERLOADED');
      expect(overloaded.length).toBeGreaterThan(0);
      expect(String(overloaded[0].message)).toMatch(/^the server has \d+ requests in flight \(limit 8\); retry later$/);
      expect(s.metrics().inFlightMax).toBeLessThanOrEqual(8);
      await quiet(s.metrics);
      const b = await books(T, prefix);
      const confirmed = answers.filter((a) => a.type === 'confirmed').length;
      expect([b.mysql.count, b.redis.count]).toEqual([confirmed, confirmed]);
      expect(b.redis.totals).toEqual(b.mysql.totals);
    });
  }
});

describe('the same prediction from many sockets', () => {
  for (const mode of MODES) {
    it(`${mode}: stored once, counted once, with the stored amount`, async () => {
      const prefix = `${T.prefix}same-${mode}:`;
      const s = await server(mode, prefix);
      const cs = await Promise.all(Array.from({ length: 10 }, () => client(s.port)));
      const p = prediction({ userId: 77, amount: 10 });
      const answers = await Promise.all(cs.flatMap((c) => [1, 2, 3].map((rid) => c.ask({ type: 'place_prediction', rid, prediction: rid === 3 ? { ...p, amount: 999 } : p }, rid))));
      for (const a of answers) expect(a).toMatchObject({ type: 'confirmed', id: p.id });
      expect(answers.filter((a) => a.duplicate === false)).toHaveLength(1);
      await quiet(s.metrics);
      const b = await books(T, prefix);
      expect(b.mysql.count).toBe(1);
      expect(b.redis).toEqual(b.mysql);
    });
  }
});

/** Burst size per mode: the full 50,000 where the unbounded growth was seen (async), fewer for the other two. */
const BURST: Record<DbMode, number> = { async: 50_000, blocking: 5_000, batched: 5_000 };

describe('a burst of 50,000 messages on one socket', () => {
  it('every driver mode: every message answered, in flight bounded, memory flat, books balanced', async () => {
    // one server process per mode, side by side under one host
    const host = await startServerHost(MODES.map((mode) => ({
      group: `burst-${mode}`, region: 'eu-west-1', host: '127.0.0.1', port: 0, processes: 1, mode, windowCheck: 'atomic' as const, windowMs: 200,
      endpoints: directEndpoints(T.redis, T.mysql), keyPrefix: `${T.prefix}burst-${mode}:`,
    })));
    try {
      const metrics = async (group: string): Promise<HostMetrics['processes'][number]> => {
        // the workers report every metricsIntervalMs to this process (the host's primary)
        await new Promise((r) => setTimeout(r, LIVE_LIMITS.metricsIntervalMs + 100));
        return host.metrics().processes.find((p) => p.group === group)!;
      };
      await Promise.all(MODES.map(async (mode, g) => {
        const prefix = `${T.prefix}burst-${mode}:`;
        const c = await Client.open(host.groups[g].port);
        await c.ask({ type: 'list_pools', rid: 'warm', gameId: 1 }, 'warm');
        // open the process's MySQL connections first: the burst is about limits, not connecting
        const warm = await Promise.all(Array.from({ length: 16 }, (_, i) => c.ask({ type: 'place_prediction', rid: `w${i}`, prediction: prediction({ userId: 999 }) }, `w${i}`)));
        expect(warm.filter((m) => m.type !== 'confirmed')).toEqual([]);
        c.close();
        const before = await metrics(`burst-${mode}`);
        const N = BURST[mode];
        // a bare socket: the client's own bookkeeping must not be what the test measures
        const ws = new WebSocket(`ws://127.0.0.1:${host.groups[g].port}/`);
        await new Promise((r) => ws.once('open', r));
        let confirmed = 0;
        let overloaded = 0;
        const other: unknown[] = [];
        await new Promise<void>((resolve) => {
          ws.on('message', (d) => {
            const m = JSON.parse(d.toString());
            if (m.type === 'confirmed') confirmed++;
            else if (m.code === 'LIVE_OVERLOADED') overloaded++;
            else other.push(m);
            if (confirmed + overloaded + other.length === N) resolve();
          });
          const frames = Array.from({ length: N }, (_, i) => JSON.stringify({ type: 'place_prediction', rid: i, prediction: prediction({ userId: 1000 + (i % 50), amount: 1 + (i % 7) }) }));
          for (const f of frames) ws.send(f);
        });
        ws.terminate();
        const after = await metrics(`burst-${mode}`);
        expect(other.slice(0, 3)).toEqual([]);
        expect(confirmed).toBeGreaterThan(0);
        expect(after.inFlightMax).toBeLessThanOrEqual(LIVE_LIMITS.maxInFlightPerSocket);
        const growthMb = (after.rssBytes - before.rssBytes) / 2 ** 20;
        process.stderr.write(`burst ${mode}: ${N} messages, ${confirmed} confirmed, ${overloaded} overloaded, in flight max ${after.inFlightMax}, RSS ${(before.rssBytes / 2 ** 20).toFixed(0)} -> ${(after.rssBytes / 2 ** 20).toFixed(0)} MB\n`);
        expect(growthMb).toBeLessThan(100);
        let b = await books(T, prefix);
        const deadline = Date.now() + 10_000;
        while ((b.redis.count !== b.mysql.count || after.booksBehind) && Date.now() < deadline) b = await books(T, prefix);
        expect([b.mysql.count, b.redis.count]).toEqual([confirmed + warm.length, confirmed + warm.length]);
        expect(b.redis.totals).toEqual(b.mysql.totals);
      }));
    } finally {
      await host.close();
    }
  }, 120_000);
});
