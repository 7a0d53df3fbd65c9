import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import type { DataEndpoints, MysqlTarget, RedisTarget } from './endpoints.ts';

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
 * Adds a prediction's stake to the pool totals once: KEYS ids set, totals hash; ARGV id,
 * outcome, amount. The ids set makes it idempotent, so a retry after a crash between the MySQL
 * commit and this call still counts the stake exactly once. Returns 1 when counted now.
 */
const STAKE_SCRIPT = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[3])
  redis.call('HINCRBY', KEYS[2], '_count', 1)
  return 1
end
return 0`;

/**
 * Everything Redis does for one prediction in one round trip (batched mode). KEYS: ids set,
 * totals hash, last-broadcast, pending set. ARGV: id, outcome, amount, now, window.
 * The ids set makes the totals idempotent under retries. Returns {isNew, totals|nil}.
 */
const BATCHED_SCRIPT = `
local new = redis.call('SADD', KEYS[1], ARGV[1])
if new == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[3])
  redis.call('HINCRBY', KEYS[2], '_count', 1)
end
if redis.call('SET', KEYS[3], ARGV[4], 'NX', 'PX', ARGV[5]) then
  redis.call('DEL', KEYS[4])
  return {new, redis.call('HGETALL', KEYS[2])}
end
redis.call('SADD', KEYS[4], ARGV[1])
return {new, false}`;

/** ioredis client with the two scripts defined as commands. */
export interface ScriptedRedis extends Redis {
  windowCheck(last: string, pending: string, totals: string, nowMs: number, windowMs: number, id: string): Promise<string[] | null>;
  addStake(ids: string, totals: string, id: string, outcome: string, amount: number): Promise<number>;
  batchedPredict(ids: string, totals: string, last: string, pending: string, id: string, outcome: string, amount: number, nowMs: number, windowMs: number): Promise<[number, string[] | null]>;
}

function sameRedis(a: RedisTarget, b: RedisTarget): boolean {
  return a.host === b.host && a.port === b.port && a.db === b.db;
}

function sameMysql(a: MysqlTarget, b: MysqlTarget): boolean {
  return a.host === b.host && a.port === b.port && a.database === b.database && a.user === b.user;
}

/** A Redis client that gives up quickly on a dead server instead of queueing forever. */
export function redisClient(t: RedisTarget, name: string): ScriptedRedis {
  const r = new Redis({ host: t.host, port: t.port, db: t.db, connectionName: name, maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
  r.defineCommand('windowCheck', { numberOfKeys: 3, lua: WINDOW_SCRIPT });
  r.defineCommand('batchedPredict', { numberOfKeys: 4, lua: BATCHED_SCRIPT });
  r.defineCommand('addStake', { numberOfKeys: 2, lua: STAKE_SCRIPT });
  // Errors surface on the commands; the connection-level event is only logged by the caller.
  r.on('error', () => {});
  return r as ScriptedRedis;
}

/** A mysql2 pool; `connections` = 1 stands for a synchronous driver (one query at a time). */
export function mysqlPool(t: MysqlTarget, connections: number): mysql.Pool {
  return mysql.createPool({ host: t.host, port: t.port, user: t.user, password: t.password, database: t.database, connectionLimit: connections, waitForConnections: true, queueLimit: 0, enableKeepAlive: true,
    // Without FOUND_ROWS, `ON DUPLICATE KEY UPDATE id = id` reports 0 affected rows for a retry.
    flags: ['-FOUND_ROWS'] });
}

/** Opens the connections of one server process. */
export function openStore(endpoints: DataEndpoints, keyPrefix: string, mysqlConnections: number): Store {
  const redisWrite = redisClient(endpoints.redisWrite, 'sim-live-write');
  const redisRead = sameRedis(endpoints.redisRead, endpoints.redisWrite) ? redisWrite : redisClient(endpoints.redisRead, 'sim-live-read');
  const mysqlWrite = mysqlPool(endpoints.mysqlWrite, mysqlConnections);
  const mysqlRead = sameMysql(endpoints.mysqlRead, endpoints.mysqlWrite) ? mysqlWrite : mysqlPool(endpoints.mysqlRead, mysqlConnections);
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
    await conn.query(`CREATE TABLE IF NOT EXISTS predictions (id CHAR(36) PRIMARY KEY, pool_id INT NOT NULL, user_id INT NOT NULL, outcome VARCHAR(16) NOT NULL, amount INT NOT NULL, placed_at BIGINT NOT NULL, stored_at BIGINT NOT NULL, INDEX (pool_id)) ENGINE=InnoDB`);
    await conn.query('INSERT IGNORE INTO games (id, name, starts_at) VALUES (?, ?, ?)', [SEED_GAME.id, SEED_GAME.name, SEED_GAME.startsAt]);
    await conn.query('INSERT IGNORE INTO pools (id, game_id, name, outcomes) VALUES (?, ?, ?, ?)', [SEED_POOL.id, SEED_POOL.gameId, SEED_POOL.name, SEED_POOL.outcomes.join(',')]);
  } finally {
    await conn.end();
  }
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
    else totals[k] = Number(v);
  }
  return { totals, count };
}
