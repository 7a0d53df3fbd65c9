import mysql from 'mysql2/promise';
import type { MysqlTarget } from './endpoints.ts';

/**
 * Did MySQL end up holding exactly the confirmed predictions of a run?
 * - `missing`: confirmed to a client but not stored (a lost prediction)
 * - `storedUnconfirmed`: stored but never confirmed (only possible for predictions the client
 *   gave up on at the drain deadline, `abandoned`)
 * - duplicates cannot exist: the prediction id is the primary key; `stored` counts rows.
 */
export interface Integrity {
  confirmed: number;
  abandoned: number;
  stored: number;
  missing: number;
  storedUnconfirmed: number;
  /** stored === confirmed and nothing missing */
  exact: boolean;
}

const CHUNK = 1000;

/** Compares the run's confirmed prediction ids with the rows of its users (ids userIdBase..+users). */
export async function checkIntegrity(t: MysqlTarget, userIdBase: number, users: number, confirmedIds: string[], abandonedIds: string[]): Promise<Integrity> {
  const c = await mysql.createConnection({ host: t.host, port: t.port, user: t.user, password: t.password, database: t.database });
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
    return { confirmed: unique.length, abandoned: abandonedIds.length, stored, missing, storedUnconfirmed, exact: missing === 0 && storedUnconfirmed === 0 };
  } finally {
    await c.end();
  }
}
