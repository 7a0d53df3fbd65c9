import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import type { DataEndpoints, MysqlTarget, RedisTarget } from '../endpoints.ts';
import { LIVE_LIMITS, type LiveLimits } from './limits.ts';
import type { Dependency } from './protocol.ts';

/**
 * Connections of one server process to Redis and MySQL (reads and writes may go to different
 * endpoints, each possibly a latency proxy), the schema, and the Lua scripts. Key names and pub/sub
 * channels all start with `keyPrefix`, so several runs or test suites can share one Redis.
 */
export interface Store {
  redisRead: Redis;
  redisWrite: Redis;
  mysqlRead: mysql.Pool;
  mysqlWrite: mysql.Pool;
  keys: Keys;
  close(): Promise<void>;
}

/** Redis key and channel names of the live system. */
export class Keys {
  constructor(readonly prefix: string) {}
  user(userId: number): string { return `${this.prefix}user:${userId}`; }
  games(): string { return `${this.prefix}games`; }
  pools(gameId: number): string { return `${this.prefix}game:${gameId}:pools`; }
  totals(poolId: number): string { return `${this.prefix}pool:${poolId}:totals`; }
  ids(poolId: number): string { return `${this.prefix}pool:${poolId}:ids`; }
  lastBroadcast(poolId: number): string { return `${this.prefix}pool:${poolId}:last_broadcast`; }
  pending(poolId: number): string { return `${this.prefix}pool:${poolId}:pending`; }
  channel(gameId: number): string { return `${this.prefix}channel:game:${gameId}`; }
}

/** Seed data: one active game with one three-outcome pool, as in the thesis benchmark. */
export const SEED_GAME = { id: 1, name: 'Final', startsAt: 0 } as const;
export const SEED_POOL = { id: 1, gameId: 1, name: 'Match result', outcomes: ['home', 'draw', 'away'] } as const;

/**
 * The atomic broadcast-window check. KEYS: last-broadcast, pending set, totals hash.
 * ARGV: now (ms), window (ms), prediction id. Returns the pool totals (flat HGETALL array) when
 * this call opened a new window and must publish, nil otherwise (the id joins the pending set).
 * `SET NX PX` makes "is the window over, then start a new one" one step, so several processes
 * can never both win one window.
 */
const WINDOW_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('DEL', KEYS[2])
  return redis.call('HGETALL', KEYS[3])
end
redis.call('SADD', KEYS[2], ARGV[3])
return false`;

/**
 * Pool totals are a cache of MySQL: the hash holds the stake per outcome, `_count`, and
 * `_synced` once the pool's rows of this book (key prefix) have been merged from MySQL into it.
 * A Redis that lost its data (a restart) has no `_synced`; the server then merges the rows again.
 */
export const SYNCED_FIELD = '_synced';

/**
 * Adds a stored prediction's stake to the pool totals once: KEYS ids set, totals hash; ARGV
 * id, outcome, amount. The ids set makes it idempotent, so the live count and a merge from
 * MySQL (MERGE_SCRIPT) never count one prediction twice. Returns {counted now, totals synced}.
 */
const STAKE_SCRIPT = `
local synced = redis.call('HEXISTS', KEYS[2], '${SYNCED_FIELD}')
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[3])
  redis.call('HINCRBY', KEYS[2], '_count', 1)
  return {1, synced}
end
return {0, synced}`;

/**
 * Everything Redis does for one prediction in one round trip (batched mode), after MySQL
 * stored it. KEYS: ids set, totals hash, last-broadcast, pending set. ARGV: id, outcome, amount,
 * now, window, count (1 when this request stored the row, 0 for a duplicate).
 * Returns {totals synced, totals|nil when no broadcast is due}.
 */
const BATCHED_SCRIPT = `
local synced = redis.call('HEXISTS', KEYS[2], '${SYNCED_FIELD}')
if ARGV[6] == '1' and redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[3])
  redis.call('HINCRBY', KEYS[2], '_count', 1)
end
if redis.call('SET', KEYS[3], ARGV[4], 'NX', 'PX', ARGV[5]) then
  redis.call('DEL', KEYS[4])
  return {synced, redis.call('HGETALL', KEYS[2])}
end
redis.call('SADD', KEYS[4], ARGV[1])
return {synced, false}`;

/**
 * Merges stored predictions into the pool totals: KEYS ids set, totals hash; ARGV a flag (1 =
 * mark the totals synced) then id, outcome, amount triples. Each id counts once (ids set), so a
 * merge is safe to run at any time, any number of times, next to live counting. Returns how many
 * were missing.
 */
const MERGE_SCRIPT = `
local added = 0
for i = 2, #ARGV, 3 do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    redis.call('HINCRBY', KEYS[2], ARGV[i + 1], ARGV[i + 2])
    redis.call('HINCRBY', KEYS[2], '_count', 1)
    added = added + 1
  end
end
if ARGV[1] == '1' then redis.call('HSET', KEYS[2], '${SYNCED_FIELD}', 1) end
return added`;

/** ioredis client with the two scripts defined as commands. */
export interface ScriptedRedis extends Redis {
  windowCheck(last: string, pending: string, totals: string, nowMs: number, windowMs: number, id: string): Promise<string[] | null>;
  addStake(ids: string, totals: string, id: string, outcome: string, amount: number): Promise<[number, number]>;
  batchedPredict(ids: string, totals: string, last: string, pending: string, id: string, outcome: string, amount: number, nowMs: number, windowMs: number, count: 0 | 1): Promise<[number, string[] | null]>;
  mergeStakes(ids: string, totals: string, markSynced: 0 | 1, ...triples: (string | number)[]): Promise<number>;
}

function sameRedis(a: RedisTarget, b: RedisTarget): boolean {
  return a.host === b.host && a.port === b.port && a.db === b.db;
}

function sameMysql(a: MysqlTarget, b: MysqlTarget): boolean {
  return a.host === b.host && a.port === b.port && a.database === b.database && a.user === b.user;
}

/**
 * A Redis client that fails fast while its server is away: no offline queue (a command without a
 * connection fails at once), no replay of commands cut by a lost connection, a bounded connect
 * and command time, and reconnect attempts at most `dependencyRetryMaxMs` apart, so it is back
 * within a fraction of a second of the server's return.
 */
export function redisClient(t: RedisTarget, name: string, limits: Pick<LiveLimits, 'dependencyConnectTimeoutMs' | 'redisCommandTimeoutMs' | 'dependencyRetryMaxMs'> = LIVE_LIMITS): ScriptedRedis {
  const r = new Redis({
    host: t.host, port: t.port, db: t.db, connectionName: name, lazyConnect: false,
    enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: limits.dependencyConnectTimeoutMs, commandTimeout: limits.redisCommandTimeoutMs,
    retryStrategy: (times) => Math.min(25 * times, limits.dependencyRetryMaxMs),
  });
  r.defineCommand('windowCheck', { numberOfKeys: 3, lua: WINDOW_SCRIPT });
  r.defineCommand('batchedPredict', { numberOfKeys: 4, lua: BATCHED_SCRIPT });
  r.defineCommand('addStake', { numberOfKeys: 2, lua: STAKE_SCRIPT });
  r.defineCommand('mergeStakes', { numberOfKeys: 2, lua: MERGE_SCRIPT });
  // Errors surface on the commands (as LIVE_UNAVAILABLE); the connection-level event is noise.
  r.on('error', () => {});
  return r as ScriptedRedis;
}

/** Resolves when the client is connected, or after `timeoutMs` (it keeps trying in the background). */
export function redisReady(r: Redis, timeoutMs: number): Promise<boolean> {
  if (r.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      r.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    r.on('ready', onReady);
  });
}

/**
 * Opens all `connections` of a pool at once and returns them to it, so no request pays a
 * connection's TCP and MySQL handshake round trips (over a remote path, several RTTs): a server
 * opens its database connections when it starts, as the study's processes did. True when every
 * one opened within `timeoutMs`; false otherwise (the pool keeps trying on demand). Never throws.
 */
export async function mysqlWarm(pool: mysql.Pool, connections: number, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  const opened = Promise.allSettled(Array.from({ length: connections }, () => pool.getConnection())).then((rs) => {
    for (const r of rs) if (r.status === 'fulfilled') r.value.release();
    return rs.every((r) => r.status === 'fulfilled');
  });
  try {
    return await Promise.race([opened, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A mysql2 pool; `connections` = 1 stands for a synchronous driver (one query at a time).
 * A connection attempt to a server that is down fails within `dependencyConnectTimeoutMs`.
 */
export function mysqlPool(t: MysqlTarget, connections: number, connectTimeoutMs: number = LIVE_LIMITS.dependencyConnectTimeoutMs): mysql.Pool {
  return mysql.createPool({ host: t.host, port: t.port, user: t.user, password: t.password, database: t.database, connectionLimit: connections, waitForConnections: true, queueLimit: 0, enableKeepAlive: true,
    connectTimeout: connectTimeoutMs,
    // Without FOUND_ROWS, `ON DUPLICATE KEY UPDATE id = id` reports 0 affected rows for a retry.
    flags: ['-FOUND_ROWS'] });
}

/** A dependency failed in a way that says it is away (not a bad query): the request gets LIVE_UNAVAILABLE. */
export class DependencyError extends Error {
  constructor(readonly dependency: Dependency, override readonly cause: unknown) {
    super(`${dependency} is unavailable`);
    this.name = 'DependencyError';
  }
}

/** mysql2 error codes that mean the server or the connection is gone, not that the query is wrong. */
const MYSQL_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_SERVER_SHUTDOWN', 'ER_CON_COUNT_ERROR', 'POOL_CLOSED']);

/** Wraps a MySQL failure: DependencyError when the server is away, the error itself otherwise. */
export function mysqlFailure(err: unknown): unknown {
  const e = err as { code?: string; fatal?: boolean };
  return e && (e.fatal || (e.code && MYSQL_DOWN.has(e.code))) ? new DependencyError('mysql', err) : err;
}

/** Wraps a Redis failure: anything but a reply error (a script or command error) means Redis is away. */
export function redisFailure(err: unknown): unknown {
  return (err as Error)?.name === 'ReplyError' ? err : new DependencyError('redis', err);
}

/** A Redis call: a failure that means Redis is away becomes a DependencyError. */
export const R = <T>(p: Promise<T>): Promise<T> => p.catch((e: unknown) => { throw redisFailure(e); });
/** A MySQL call: a failure that means MySQL is away becomes a DependencyError. */
export const M = <T>(p: Promise<T>): Promise<T> => p.catch((e: unknown) => { throw mysqlFailure(e); });

/** Opens the connections of one server process. */
export function openStore(endpoints: DataEndpoints, keyPrefix: string, mysqlConnections: number, limits: LiveLimits = LIVE_LIMITS): Store {
  const redisWrite = redisClient(endpoints.redisWrite, 'sim-live-write', limits);
  const redisRead = sameRedis(endpoints.redisRead, endpoints.redisWrite) ? redisWrite : redisClient(endpoints.redisRead, 'sim-live-read', limits);
  const mysqlWrite = mysqlPool(endpoints.mysqlWrite, mysqlConnections, limits.dependencyConnectTimeoutMs);
  const mysqlRead = sameMysql(endpoints.mysqlRead, endpoints.mysqlWrite) ? mysqlWrite : mysqlPool(endpoints.mysqlRead, mysqlConnections, limits.dependencyConnectTimeoutMs);
  return {
    redisRead, redisWrite, mysqlRead, mysqlWrite, keys: new Keys(keyPrefix),
    async close() {
      const rs = new Set([redisRead, redisWrite]);
      const ms = new Set([mysqlRead, mysqlWrite]);
      await Promise.allSettled([...[...rs].map((r) => r.quit()), ...[...ms].map((m) => m.end())]);
    },
  };
}

/**
 * Creates the database and tables if missing and seeds the benchmark game and pool. Idempotent
 * and safe to run concurrently. Throws the driver's error when MySQL is unreachable.
 */
export async function ensureSchema(t: MysqlTarget): Promise<void> {
  const conn = await mysql.createConnection({ host: t.host, port: t.port, user: t.user, password: t.password });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${t.database}\``);
    await conn.query(`USE \`${t.database}\``);
    await conn.query(`CREATE TABLE IF NOT EXISTS games (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, starts_at BIGINT NOT NULL, active TINYINT NOT NULL DEFAULT 1) ENGINE=InnoDB`);
    await conn.query(`CREATE TABLE IF NOT EXISTS pools (id INT PRIMARY KEY, game_id INT NOT NULL, name VARCHAR(64) NOT NULL, outcomes VARCHAR(255) NOT NULL, open TINYINT NOT NULL DEFAULT 1, INDEX (game_id)) ENGINE=InnoDB`);
    await conn.query(`CREATE TABLE IF NOT EXISTS accounts (id INT PRIMARY KEY, created_at BIGINT NOT NULL) ENGINE=InnoDB`);
    await conn.query(`CREATE TABLE IF NOT EXISTS predictions (id CHAR(36) PRIMARY KEY, pool_id INT NOT NULL, user_id INT NOT NULL, outcome VARCHAR(16) NOT NULL, amount INT NOT NULL, placed_at BIGINT NOT NULL, stored_at BIGINT NOT NULL, book VARCHAR(128) NOT NULL DEFAULT '', INDEX (pool_id), INDEX book_id (book, id)) ENGINE=InnoDB`);
    // Tables made before predictions carried their book (the key prefix whose totals count them).
    const [cols] = await conn.query<mysql.RowDataPacket[]>("SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'predictions' AND COLUMN_NAME = 'book'", [t.database]);
    if (!cols.length) {
      await conn.query("ALTER TABLE predictions ADD COLUMN book VARCHAR(128) NOT NULL DEFAULT '', ADD INDEX book_id (book, id)").catch((err: { code?: string }) => {
        // another process added it first
        if (err?.code !== 'ER_DUP_FIELDNAME' && err?.code !== 'ER_DUP_KEYNAME') throw err;
      });
    }
    await conn.query('INSERT IGNORE INTO games (id, name, starts_at) VALUES (?, ?, ?)', [SEED_GAME.id, SEED_GAME.name, SEED_GAME.startsAt]);
    await conn.query('INSERT IGNORE INTO pools (id, game_id, name, outcomes) VALUES (?, ?, ?, ?)', [SEED_POOL.id, SEED_POOL.gameId, SEED_POOL.name, SEED_POOL.outcomes.join(',')]);
  } finally {
    await conn.end();
  }
}

/** True when a totals reply carries the synced mark (see SYNCED_FIELD). */
export function totalsSynced(flat: string[] | Record<string, string> | null): boolean {
  if (!flat) return false;
  return Array.isArray(flat) ? flat.some((k, i) => i % 2 === 0 && k === SYNCED_FIELD) : SYNCED_FIELD in flat;
}

/** Turns a flat HGETALL reply into totals and count. */
export function parseTotals(flat: string[] | Record<string, string> | null): { totals: Record<string, number>; count: number } {
  const totals: Record<string, number> = {};
  let count = 0;
  if (!flat) return { totals, count };
  const entries: [string, string][] = Array.isArray(flat) ? [] : Object.entries(flat);
  if (Array.isArray(flat)) for (let i = 0; i + 1 < flat.length; i += 2) entries.push([flat[i], flat[i + 1]]);
  for (const [k, v] of entries) {
    if (k === '_count') count = Number(v);
    else if (k !== SYNCED_FIELD) totals[k] = Number(v);
  }
  return { totals, count };
}
