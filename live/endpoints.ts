import { UserError } from '../model/errors.ts';

/** Where a server process finds Redis. */
export interface RedisTarget {
  host: string;
  port: number;
  /** logical database index */
  db: number;
}

/** Where a server process finds MySQL/MariaDB. */
export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/**
 * The four data endpoints a server process uses. Reads and writes are separate so an
 * architecture can read a nearby replica and write a remote master (proposed2); each endpoint
 * may be the real service or a latency proxy in front of it.
 */
export interface DataEndpoints {
  redisRead: RedisTarget;
  redisWrite: RedisTarget;
  mysqlRead: MysqlTarget;
  mysqlWrite: MysqlTarget;
}

/** Local defaults when REDIS_URL / MYSQL_URL are not set. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';
export const DEFAULT_MYSQL_URL = 'mysql://root@127.0.0.1:3306/sim_live';

/** Parses `redis://host:port/db`. Throws UserError CONFIG_INVALID naming the field. */
export function parseRedisUrl(url: string, field = 'REDIS_URL'): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError('CONFIG_INVALID', `${field} must be a URL like redis://127.0.0.1:6379/0 (got ${JSON.stringify(url)})`);
  }
  if (u.protocol !== 'redis:') throw new UserError('CONFIG_INVALID', `${field} must use redis:// (got ${JSON.stringify(url)})`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0 || db > 15) throw new UserError('CONFIG_INVALID', `${field} database index must be 0..15 (got ${JSON.stringify(url)})`);
  return { host: u.hostname, port: Number(u.port || 6379), db };
}

/** Parses `mysql://user:password@host:port/database`. Throws UserError CONFIG_INVALID. */
export function parseMysqlUrl(url: string, field = 'MYSQL_URL'): MysqlTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError('CONFIG_INVALID', `${field} must be a URL like mysql://root@127.0.0.1:3306/sim_live (got ${JSON.stringify(url)})`);
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') throw new UserError('CONFIG_INVALID', `${field} must use mysql:// (got ${JSON.stringify(url)})`);
  const database = decodeURIComponent(u.pathname.slice(1)) || 'sim_live';
  if (!/^[A-Za-z0-9_]{1,64}$/.test(database)) throw new UserError('CONFIG_INVALID', `${field} database name must match [A-Za-z0-9_]{1,64} (got ${JSON.stringify(database)})`);
  return { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username || 'root'), password: decodeURIComponent(u.password), database };
}

/** Same endpoints for reads and writes. */
export function directEndpoints(redis: RedisTarget, mysql: MysqlTarget): DataEndpoints {
  return { redisRead: redis, redisWrite: redis, mysqlRead: mysql, mysqlWrite: mysql };
}

/** A copy of a target that goes through a proxy listening on `port` (127.0.0.1). */
export function via<T extends { host: string; port: number }>(t: T, port: number): T {
  return { ...t, host: '127.0.0.1', port };
}
