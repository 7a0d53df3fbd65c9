import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import type { MysqlTarget, RedisTarget } from '../endpoints.ts';
import { Keys, parseTotals } from '../server/store.ts';

/**
 * Did MySQL end up holding exactly the confirmed predictions of a run?
 * - `missing`: confirmed to a client but not stored (a lost prediction)
 * - `storedUnconfirmed`: stored but never confirmed (only possible for predictions the client
 *   gave up on at the drain deadline, `abandoned`: servers that finish their queues store them),
 *   of which `storedAbandoned` are among the abandoned ids
 * - duplicates cannot exist: the prediction id is the primary key; `stored` counts rows.
 * - `counted`: predictions in the run's pool totals in Redis (the book of its key prefix), and
 *   `countedStake`/`storedStake` the stakes on both sides: the books balance when they are equal.
 * - `quiesced`: the servers had finished their work before the stores were read (the caller says
 *   so, see settle.ts) and the pool totals did not move while MySQL was read; when false the
 *   figures are those of a system still at work, not a reading of the books.
 */
export interface Integrity {
  confirmed: number;
  abandoned: number;
  stored: number;
  missing: number;
  storedUnconfirmed: number;
  storedAbandoned: number;
  counted: number;
  storedStake: number;
  countedStake: number;
  quiesced: boolean;
  /** every stored row confirmed or abandoned, nothing missing, counted === stored with the same stake, and quiesced */
  exact: boolean;
}

const CHUNK = 1000;
/** Reads of both stores before the check gives up waiting for the totals to hold still. */
const READ_ATTEMPTS = 5;
/** Pause between two such reads, ms. */
const READ_RETRY_MS = 200;

interface Counted { count: number; stake: number }

/** Rows whose prediction id is among `ids`. */
async function countIds(c: mysql.Connection, ids: readonly string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const [[f]] = await c.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM predictions WHERE id IN (?)', [ids.slice(i, i + CHUNK)]);
    n += Number(f.n);
  }
  return n;
}

/** The pool totals of a book in Redis, per pool. */
async function readTotals(redis: Redis, keys: Keys, poolIds: number[]): Promise<Map<number, Counted>> {
  const out = new Map<number, Counted>();
  for (const id of poolIds) {
    const { totals, count } = parseTotals(await redis.hgetall(keys.totals(id)));
    out.set(id, { count, stake: Object.values(totals).reduce((a, b) => a + b, 0) });
  }
  return out;
}

const sameTotals = (a: Map<number, Counted>, b: Map<number, Counted>): boolean =>
  a.size === b.size && [...a].every(([id, x]) => b.get(id)?.count === x.count && b.get(id)?.stake === x.stake);

/**
 * Compares the run's confirmed prediction ids with the rows of its users (ids userIdBase ..
 * userIdBase + users - 1, as the generators number them), and the rows of its book (`keyPrefix`)
 * with its pool totals in Redis.
 *
 * A server commits a prediction's row before it counts it, so the totals are read first, MySQL
 * second, and the totals once more: a count in the first read has its row in the second, and
 * totals that moved in between mean some server was still at work; then everything is read again
 * (up to READ_ATTEMPTS times), and if they never hold still the result is not `quiesced`.
 * `serversQuiet` is the caller's word that the servers had finished their work (settle.ts).
 */
export async function checkIntegrity(t: MysqlTarget, r: RedisTarget, keyPrefix: string, userIdBase: number, users: number, confirmedIds: string[], abandonedIds: string[], opts: { serversQuiet?: boolean; attempts?: number } = {}): Promise<Integrity> {
  const c = await mysql.createConnection({ host: t.host, port: t.port, user: t.user, password: t.password, database: t.database });
  const redis = new Redis({ host: r.host, port: r.port, db: r.db, lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const keys = new Keys(keyPrefix);
    const unique = [...new Set(confirmedIds)];
    const confirmedSet = new Set(unique);
    const abandoned = [...new Set(abandonedIds)].filter((id) => !confirmedSet.has(id));
    const [poolRows] = await c.query<mysql.RowDataPacket[]>('SELECT id FROM pools UNION SELECT DISTINCT pool_id FROM predictions WHERE book = ?', [keyPrefix]);
    const poolIds = poolRows.map((p) => Number(p.id));
    const attempts = Math.max(1, opts.attempts ?? READ_ATTEMPTS);
    for (let attempt = 1; ; attempt++) {
      const before = await readTotals(redis, keys, poolIds);
      const [[row]] = await c.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM predictions WHERE user_id >= ? AND user_id < ?', [userIdBase, userIdBase + users]);
      const stored = Number(row.n);
      const found = await countIds(c, unique);
      const storedAbandoned = await countIds(c, abandoned);
      // the books: rows of this run's book against its pool totals
      const [[book]] = await c.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS s FROM predictions WHERE book = ?', [keyPrefix]);
      const after = await readTotals(redis, keys, poolIds);
      const still = sameTotals(before, after);
      if (!still && attempt < attempts) {
        await new Promise((res) => setTimeout(res, READ_RETRY_MS));
        continue;
      }
      const storedInBook = Number(book.n);
      const storedStake = Number(book.s);
      const counted = [...after.values()].reduce((s, x) => s + x.count, 0);
      const countedStake = [...after.values()].reduce((s, x) => s + x.stake, 0);
      const missing = unique.length - found;
      const storedUnconfirmed = stored - found;
      const quiesced = still && (opts.serversQuiet ?? true);
      const balanced = counted === storedInBook && countedStake === storedStake && storedInBook === stored;
      return { confirmed: unique.length, abandoned: abandonedIds.length, stored, missing, storedUnconfirmed, storedAbandoned, counted, storedStake, countedStake, quiesced, exact: quiesced && missing === 0 && storedUnconfirmed === storedAbandoned && balanced };
    }
  } finally {
    await c.end();
    redis.disconnect();
  }
}
