import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directEndpoints } from '../../../live/endpoints.ts';
import { Handlers, type DbMode, type WindowCheck } from '../../../live/server/handlers.ts';
import { liveHandlerOps } from '../../../model/handler-ops.ts';
import { ensureSchema, openStore, redisReady, type Store } from '../../../live/server/store.ts';
import type { Request } from '../../../live/server/protocol.ts';
import { dropTargets, redis, testTargets } from '../fixtures.ts';

/**
 * The table of live/server/ops.ts against what the handlers really issue: every Redis command
 * that reaches the real Redis (its MONITOR stream, which also shows the commands a script runs)
 * and every statement sent to the real MariaDB, per request type, once the caches are warm.
 */

const T = testTargets('ops');
/** the broadcast window: long enough for the warm-up and one request, short enough to wait out */
const WINDOW_MS = 400;
/** commands that look a key up for reading: Redis counts them as keyspace hits or misses */
const KEY_READS = new Set(['GET', 'HGETALL', 'HEXISTS', 'HGET', 'SMEMBERS', 'SISMEMBER', 'EXISTS', 'MGET']);

interface Tally { redisReads: number; redisWrites: number; readsInWrites: number; mysqlReads: number; mysqlWrites: number }
const zero = (): Tally => ({ redisReads: 0, redisWrites: 0, readsInWrites: 0, mysqlReads: 0, mysqlWrites: 0 });

let monitor: Redis;
let marker: Redis;
let tally = zero();
let markers = 0;
let seen: ((n: number) => void) | null = null;
let inFlight = 0;
let peakInFlight = 0;

beforeAll(async () => {
  await ensureSchema(T.mysql);
  marker = redis(T.redis);
  monitor = await redis(T.redis).monitor();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const [name, ...rest] = args;
    const cmd = name.toUpperCase();
    const mark = rest[0]?.startsWith(`${T.prefix}marker:`) ? Number(rest[0].slice(`${T.prefix}marker:`.length)) : null;
    if (mark !== null) { seen?.(mark); return; }
    if (!rest.some((a) => a.startsWith(T.prefix))) return;
    if (source === 'lua') { if (KEY_READS.has(cmd)) tally.readsInWrites++; return; }
    if (KEY_READS.has(cmd)) tally.redisReads++;
    else tally.redisWrites++;
  });
});

afterAll(async () => {
  monitor?.disconnect();
  marker?.disconnect();
  await dropTargets(T);
});

/** Waits until MONITOR has shown everything Redis ran before now (a marker command after it). */
async function drained(): Promise<void> {
  const n = ++markers;
  const got = new Promise<void>((resolve) => { seen = (m) => { if (m === n) resolve(); }; });
  await marker.get(`${T.prefix}marker:${n}`);
  await got;
}

/** A store whose MySQL statements are counted by kind (reads: SELECT). */
function countedStore(book: string): Store {
  const store = openStore(directEndpoints(T.redis, T.mysql), `${T.prefix}${book}:`, 4);
  const counted = (pool: Store['mysqlRead']) => new Proxy(pool, {
    get(target, key, recv) {
      const v = Reflect.get(target, key, recv);
      if (key !== 'query') return typeof v === 'function' ? v.bind(target) : v;
      return (sql: string, ...rest: unknown[]) => {
        if (/^\s*select/i.test(sql)) tally.mysqlReads++;
        else tally.mysqlWrites++;
        return (v as (...a: unknown[]) => unknown).call(target, sql, ...rest);
      };
    },
  });
  const mysqlRead = counted(store.mysqlRead);
  const mysqlWrite = store.mysqlWrite === store.mysqlRead ? mysqlRead : counted(store.mysqlWrite);
  // Redis key reads in flight at once: 2 when two reads share a round trip
  const redisRead = new Proxy(store.redisRead, {
    get(target, key, recv) {
      const v = Reflect.get(target, key, recv);
      if (key !== 'get' && key !== 'hgetall') return typeof v === 'function' ? v.bind(target) : v;
      return async (...args: unknown[]) => {
        inFlight++;
        peakInFlight = Math.max(peakInFlight, inFlight);
        try {
          return await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          inFlight--;
        }
      };
    },
  });
  return { ...store, redisRead, mysqlRead, mysqlWrite, keys: store.keys, close: () => store.close() };
}

describe('the database work of the live handlers', () => {
  const cases: Array<[DbMode, WindowCheck]> = [['blocking', 'racy'], ['blocking', 'atomic'], ['async', 'racy'], ['batched', 'racy']];
  it.each(cases)('%s, %s window check: the commands and statements of ops.ts, per request type', async (mode, check) => {
    let now = 1_000_000;
    const store = countedStore(`${mode}-${check}`);
    expect(await redisReady(store.redisWrite, 5000)).toBe(true);
    const h = new Handlers(store, { mode, windowCheck: check, windowMs: WINDOW_MS, publisherId: 'ops-test', nowMs: () => now });
    let n = 0;
    const predict = (userId = 7): Request => ({ type: 'place_prediction', rid: ++n, prediction: { id: `${mode}-${check}-${n}`, poolId: 1, outcome: 'home', amount: 5, userId, placedAt: now } });
    /** what one request issued, background work (batched) and the MONITOR stream drained */
    const measure = async (req: Request): Promise<Tally> => {
      await drained();
      tally = zero();
      await h.handle(req);
      while (h.background > 0) await new Promise((r) => setTimeout(r, 5));
      await drained();
      return tally;
    };
    try {
      // warm: the caches filled, the account made, the totals in sync, a window opened
      for (const req of [{ type: 'list_games', rid: 0 }, { type: 'join_game', rid: 0, gameId: 1 }, { type: 'list_pools', rid: 0, gameId: 1 }, predict()] as Request[]) await measure(req);
      const want = liveHandlerOps(mode, check);
      const asTally = (o: typeof want.opsPredict, checkReads: number): Tally => ({
        redisReads: o.redisReads + checkReads, redisWrites: o.redisWrites, readsInWrites: o.redisReadsInWrites ?? 0, mysqlReads: o.mysqlReads, mysqlWrites: o.mysqlWrites,
      });
      expect(await measure({ type: 'list_games', rid: 1 })).toEqual(asTally(want.opsListGames, 0));
      expect(await measure({ type: 'join_game', rid: 2, gameId: 1 })).toEqual(asTally(want.opsJoinGame, 0));
      peakInFlight = 0;
      expect(await measure({ type: 'list_pools', rid: 3, gameId: 1 })).toEqual(asTally(want.opsListPools, 0));
      // batched: the list and the totals in one round trip (the simulator's one batch per node); sequential: one after the other
      expect(peakInFlight).toBe(mode === 'batched' ? 2 : 1);
      // within the window: the handler's own work and the window check (racy: its GET; a script's check
      // is a write command, and batched it is the stake script itself, whose HEXISTS is the check's read)
      const within = await measure(predict());
      // (the simulator's one check round trip: a GET when racy, the check-and-set script when atomic)
      const checkRead = mode !== 'batched' && check === 'racy' ? 1 : 0;
      const checkScript = mode !== 'batched' && check === 'atomic' ? 1 : 0;
      const batchScript = mode === 'batched' ? 1 : 0;
      const expected = asTally(want.opsPredict, checkRead);
      expect(within).toEqual({ ...expected, redisWrites: expected.redisWrites + checkScript + batchScript, readsInWrites: expected.readsInWrites + batchScript });
      // a new user's first prediction, within the window: the account step on top (opsFirstPredict)
      const first = await measure(predict(8));
      const f = want.opsFirstPredict;
      expect(first).toEqual({ ...within, redisWrites: within.redisWrites + f.redisWrites, redisReads: within.redisReads + f.redisReads, mysqlReads: within.mysqlReads + f.mysqlReads, mysqlWrites: within.mysqlWrites + f.mysqlWrites });
      // past the window: the publish's commands on top (racy: SET, DEL, HGETALL, PUBLISH in place of SADD)
      // (the scripts' window is a key that expires on Redis's clock: real time passes too)
      now += WINDOW_MS + 1;
      await new Promise((r) => setTimeout(r, WINDOW_MS + 10));
      const due = await measure(predict());
      const trips = (t: Tally) => t.redisReads + t.redisWrites;
      expect(trips(due) - trips(within)).toBe(want.publishRedisOps);
      expect(h.counters.published).toBe(2);
    } finally {
      h.close();
      await store.close();
    }
  });
});
