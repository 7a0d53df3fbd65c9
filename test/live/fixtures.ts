import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import WebSocket from 'ws';
import { DEFAULT_MYSQL_URL, DEFAULT_REDIS_URL, parseMysqlUrl, parseRedisUrl, type MysqlTarget, type RedisTarget } from '../../live/endpoints.ts';
import { deleteKeys } from '../../live/run/collect.ts';
import { parseTotals } from '../../live/server/store.ts';

/**
 * Shared fixtures of the live integration suites: each suite gets its own MySQL database
 * (`sim_live_test_<pid>_<tag>`) and Redis key prefix, and drops them at the end, so suites that
 * run in parallel on the same servers never see each other's data.
 */
export function testTargets(tag: string): { redis: RedisTarget; mysql: MysqlTarget; prefix: string; mysqlUrl: string } {
  const redis = parseRedisUrl(process.env.REDIS_URL ?? DEFAULT_REDIS_URL);
  const base = parseMysqlUrl(process.env.MYSQL_URL ?? DEFAULT_MYSQL_URL);
  const database = `sim_live_test_${process.pid}_${tag}`;
  const m = { ...base, database };
  const auth = m.password ? `${encodeURIComponent(m.user)}:${encodeURIComponent(m.password)}` : encodeURIComponent(m.user);
  return { redis, mysql: m, prefix: `simtest:${process.pid}:${tag}:`, mysqlUrl: `mysql://${auth}@${m.host}:${m.port}/${database}` };
}

/** Drops the suite's database and deletes its Redis keys. */
export async function dropTargets(t: { redis: RedisTarget; mysql: MysqlTarget; prefix: string }): Promise<void> {
  const c = await mysql.createConnection({ host: t.mysql.host, port: t.mysql.port, user: t.mysql.user, password: t.mysql.password });
  try {
    await c.query(`DROP DATABASE IF EXISTS \`${t.mysql.database}\``);
  } finally {
    await c.end();
  }
  await deleteKeys(t.redis, t.prefix);
}

export async function countPredictions(t: MysqlTarget, where = '1=1', args: unknown[] = []): Promise<number> {
  const c = await mysql.createConnection({ host: t.host, port: t.port, user: t.user, password: t.password, database: t.database });
  try {
    const [[row]] = await c.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM predictions WHERE ${where}`, args);
    return Number(row.n);
  } finally {
    await c.end();
  }
}

export function redis(t: RedisTarget): Redis {
  return new Redis({ host: t.host, port: t.port, db: t.db });
}

/** A test client: sends JSON, waits for the answer with a given rid, keeps every message. */
export class Client {
  readonly messages: Record<string, unknown>[] = [];
  private waiters: { pred: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  closeCode: number | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.pred(m) ? (w.resolve(m), false) : true));
    });
    ws.on('close', (code) => { this.closeCode = code; });
    ws.on('error', () => {});
  }

  static async open(port: number): Promise<Client> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    return new Client(ws);
  }

  /** Resolves with the first message from index `from` on that matches. */
  waitFor(pred: (m: Record<string, unknown>) => boolean, timeoutMs = 10_000, from = 0): Promise<Record<string, unknown>> {
    const hit = this.messages.slice(from).find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a message')), timeoutMs);
      this.waiters.push({ pred, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  /** Sends raw text and waits for the next message answering `rid` (or any error when rid is null). */
  async ask(body: Record<string, unknown> | string, rid: string | number | null): Promise<Record<string, unknown>> {
    const p = this.waitFor((m) => (rid === null ? m.type === 'error' && m.rid === null : m.rid === rid), 10_000, this.messages.length);
    this.ws.send(typeof body === 'string' ? body : JSON.stringify(body));
    return p;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Stake per outcome and prediction count of one pool, as MySQL's rows of a book and as Redis's totals. */
export interface Books {
  mysql: { count: number; totals: Record<string, number> };
  redis: { count: number; totals: Record<string, number> };
}

/** Reads both sides of a book (key prefix) for a pool: they must be equal whenever nothing is in flight. */
export async function books(t: { redis: RedisTarget; mysql: MysqlTarget }, prefix: string, poolId = 1): Promise<Books> {
  const c = await mysql.createConnection({ host: t.mysql.host, port: t.mysql.port, user: t.mysql.user, password: t.mysql.password, database: t.mysql.database });
  const m = { count: 0, totals: {} as Record<string, number> };
  try {
    const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT outcome, SUM(amount) AS s, COUNT(*) AS n FROM predictions WHERE book = ? AND pool_id = ? GROUP BY outcome', [prefix, poolId]);
    for (const r of rows) {
      m.totals[String(r.outcome)] = Number(r.s);
      m.count += Number(r.n);
    }
  } finally {
    await c.end();
  }
  const r = redis(t.redis);
  try {
    const h = await r.hgetall(`${prefix}pool:${poolId}:totals`);
    const { totals, count } = parseTotals(h);
    for (const k of Object.keys(totals)) if (!totals[k]) delete totals[k];
    return { mysql: m, redis: { count, totals } };
  } finally {
    r.disconnect();
  }
}

/** Waits until a server process has nothing in flight and no pool waiting for a merge (or the timeout). */
export async function quiet(metrics: () => { inFlight: number; booksBehind: number }, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = metrics();
    if (m.inFlight === 0 && m.booksBehind === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`server not quiet after ${timeoutMs} ms: ${JSON.stringify(metrics())}`);
}
