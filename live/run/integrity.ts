import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import type { MysqlTarget, RedisTarget } from '../endpoints.ts';
import { Keys, parseTotals } from '../server/store.ts';

/**
 * Did MySQL end up holding exactly the confirmed predictions of a run?
 * - `missing`: confirmed to a client but not stored (a lost prediction)
 * - `storedUnconfirmed`: stored but never confirmed (only possible for predictions the client
 *   gave up on at the drain deadline, `abandoned`)
 * - duplicates cannot exist: the prediction id is the primary key; `stored` counts rows.
 * - `counted`: predictions in the run's pool totals in Redis (the book of its key prefix), and
 *   `countedStake`/`storedStake` the stakes on both sides: the books balance when they are equal.
 */
export interface Integrity {
  confirmed: number;
  abandoned: number;
  stored: number;
  missing: number;
  storedUnconfirmed: number;
  counted: number;
  storedStake: number;
  countedStake: number;
  /** stored === confirmed, nothing missing, and counted === stored with the same stake */
  exact: boolean;
}

const CHUNK = 1000;

/**
 * Compares the run's confirmed prediction ids with the rows of its users (ids userIdBase..+users),
 * and the rows of its book (`keyPrefix`) with its pool totals in Redis.
 */
export async function checkIntegrity(t: MysqlTarget, r: RedisTarget, keyPrefix: string, userIdBase: number, users: number, confirmedIds: string[], abandonedIds: string[]): Promise<Integrity> {
  const c = await mysql.createConnection({ host: t.host, port: t.port, user: t.user, password: t.password, database: t.database });
  const redis = new Redis({ host: r.host, port: r.port, db: r.db, lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    const [[row]] = await c.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM predictions WHERE user_id BETWEEN ? AND ?', [userIdBase, userIdBase + users]);
    const stored = Number(row.n);
    const unique = [...new Set(confirmedIds)];
    let found = 0;
    for (let i = 0; i < unique.length; i += CHUNK) {
      const ids = unique.slice(i, i + CHUNK);
      const [[r]] = await c.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM predictions WHERE id IN (?)', [ids]);
      found += Number(r.n);
    }
    const missing = unique.length - found;
    const storedUnconfirmed = stored - found;
    // the books: rows of this run's book against its pool totals
    const [pools] = await c.query<mysql.RowDataPacket[]>('SELECT pool_id, COUNT(*) AS n, SUM(amount) AS s FROM predictions WHERE book = ? GROUP BY pool_id', [keyPrefix]);
    await redis.connect();
    const keys = new Keys(keyPrefix);
    let counted = 0;
    let countedStake = 0;
    let storedStake = 0;
    let storedInBook = 0;
    for (const p of pools) {
      storedInBook += Number(p.n);
      storedStake += Number(p.s);
      const { totals, count } = parseTotals(await redis.hgetall(keys.totals(Number(p.pool_id))));
      counted += count;
      countedStake += Object.values(totals).reduce((a, b) => a + b, 0);
    }
    const balanced = counted === storedInBook && countedStake === storedStake && storedInBook === stored;
    return { confirmed: unique.length, abandoned: abandonedIds.length, stored, missing, storedUnconfirmed, counted, storedStake, countedStake, exact: missing === 0 && storedUnconfirmed === 0 && balanced };
  } finally {
    await c.end();
    redis.disconnect();
  }
}
