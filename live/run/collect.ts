import { statfsSync } from 'node:fs';
import os from 'node:os';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import type { MysqlTarget, RedisTarget } from '../endpoints.ts';
import type { HostMetrics } from '../server/host.ts';
import type { ProcessMetrics } from '../server/server.ts';

/** Redis `INFO stats` keyspace hits and misses (server-wide counters). */
export async function redisStats(t: RedisTarget): Promise<{ hits: number; misses: number }> {
  const r = new Redis({ host: t.host, port: t.port, db: t.db, lazyConnect: true, maxRetriesPerRequest: 1 });
  r.on('error', () => {});
  try {
    await r.connect();
    const info = await r.info('stats');
    const get = (k: string) => Number(new RegExp(`^${k}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
    return { hits: get('keyspace_hits'), misses: get('keyspace_misses') };
  } finally {
    r.disconnect();
  }
}

/** MySQL `SHOW GLOBAL STATUS LIKE 'Queries'` (server-wide, all clients). */
export async function mysqlQueries(t: MysqlTarget): Promise<number> {
  const c = await mysql.createConnection({ host: t.host, port: t.port, user: t.user, password: t.password });
  try {
    const [rows] = await c.query<mysql.RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Queries'");
    return Number(rows[0]?.Value ?? NaN);
  } finally {
    await c.end();
  }
}

/** The counters a run's counts are deltas of: Redis keyspace hits and misses, MySQL queries, and (with `adminPort`) the servers' metrics. */
export interface CounterReading { redis: { hits: number; misses: number }; queries: number; host?: HostMetrics | null }

/** Reads the counters now. */
export async function readCounters(redis: RedisTarget, db: MysqlTarget, adminPort?: number): Promise<CounterReading> {
  const [r, queries, host] = await Promise.all([redisStats(redis), mysqlQueries(db), adminPort === undefined ? undefined : fetchHostMetrics(adminPort)]);
  return host === undefined ? { redis: r, queries } : { redis: r, queries, host };
}

/** Deletes every Redis key that starts with `prefix` (a run's own keys). Returns how many. */
export async function deleteKeys(t: RedisTarget, prefix: string): Promise<number> {
  const r = new Redis({ host: t.host, port: t.port, db: t.db, lazyConnect: true, maxRetriesPerRequest: 1 });
  r.on('error', () => {});
  let n = 0;
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) n += await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return n;
}

/** Used share of the file system holding `dir`, %. Null when it cannot be read. */
export function diskUsedPct(dir = '/'): number | null {
  try {
    const s = statfsSync(dir);
    return s.blocks ? (100 * (s.blocks - s.bfree)) / s.blocks : null;
  } catch {
    return null;
  }
}

/** One sample of the server host's metrics, with the sample time (ms since run start). */
export interface HostSample {
  tMs: number;
  metrics: HostMetrics;
}

/** Fetches the host's metrics from its admin port; null on failure (a restart in progress). */
export async function fetchHostMetrics(adminPort: number): Promise<HostMetrics | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${adminPort}/metrics`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as HostMetrics) : null;
  } catch {
    return null;
  }
}

/** Total memory of this machine, bytes (the denominator of memory %). */
export const machineMemoryBytes = (): number => os.totalmem();

/** CPU % of one group (of its processes' cores) between two samples, per process pid. */
export function cpuPctBetween(a: ProcessMetrics[], b: ProcessMetrics[], dtMs: number, processes: number): number | null {
  if (!(dtMs > 0) || processes <= 0) return null;
  const before = new Map(a.map((p) => [p.pid, p.cpuUserUs + p.cpuSystemUs]));
  let usedUs = 0;
  for (const p of b) {
    const prev = before.get(p.pid);
    usedUs += p.cpuUserUs + p.cpuSystemUs - (prev ?? 0);
  }
  return (100 * usedUs) / (dtMs * 1000 * processes);
}
