import type { RowDataPacket } from 'mysql2/promise';
import { M, R, type ScriptedRedis, type Store } from './store.ts';

/** Rows read from MySQL per page when merging a book's predictions into the totals. */
const MERGE_PAGE_ROWS = 2000;
/** Default retry interval of the reconciliation (see LIVE_LIMITS.reconcileIntervalMs). */
const RECONCILE_INTERVAL_MS = 500;

/**
 * Brings a book's pool totals in Redis back in line with its rows in MySQL (the record). Whatever
 * a fault leaves out (a Redis that restarted empty, a count that failed after the commit, a
 * process killed in between) is merged back from MySQL's rows of this book (the key prefix): at
 * start, when the totals lack their synced mark, and every `intervalMs` while a pool is known to
 * be behind. Adds the predictions it merged back to `counters.reconciled`.
 */
export class Reconciler {
  /** pools whose totals may lack stored predictions (allBehind: every pool) */
  private behind = new Set<number>();
  private allBehind = false;
  private reconciling: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly intervalMs: number;

  constructor(private readonly store: Store, intervalMs: number | undefined, private readonly counters: { reconciled: number }) {
    this.intervalMs = intervalMs ?? RECONCILE_INTERVAL_MS;
  }

  /** Pools waiting for a reconciliation (every pool counts as one), and one for a run under way. */
  get behindCount(): number {
    return (this.allBehind ? 1 : 0) + this.behind.size + (this.reconciling ? 1 : 0);
  }

  /** Reconciles these pools now (with any others marked behind); resolves when their totals are synced. */
  reconcileNow(poolIds: number[]): Promise<void> {
    for (const p of poolIds) this.behind.add(p);
    return this.reconcile();
  }

  /** Notes that a pool's totals may lack stored predictions (null: every pool); a reconciliation follows. */
  markBehind(poolId: number | null): void {
    if (poolId === null) this.allBehind = true;
    else this.behind.add(poolId);
    this.scheduleReconcile(0);
  }

  private scheduleReconcile(delayMs: number): void {
    if (this.closed || this.timer || this.reconciling) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.reconcile().catch(() => this.scheduleReconcile(this.intervalMs));
    }, delayMs);
    this.timer.unref();
  }

  /**
   * Merges the stored predictions of this book into the pool totals for every pool marked
   * behind (all pools after start), and marks them synced. Idempotent; one at a time per
   * process. Rejects (keeping the marks) when Redis or MySQL is away.
   */
  reconcile(): Promise<void> {
    this.reconciling ??= (async () => {
      try {
        const all = this.allBehind;
        const pools = [...this.behind];
        this.allBehind = false;
        this.behind.clear();
        try {
          this.counters.reconciled += await this.merge(all ? null : pools);
        } catch (err) {
          if (all) this.allBehind = true;
          for (const p of pools) this.behind.add(p);
          throw err;
        }
      } finally {
        this.reconciling = null;
      }
      if (this.allBehind || this.behind.size) this.scheduleReconcile(0);
    })();
    return this.reconciling;
  }

  /** Merges the book's rows of `poolIds` (null: every pool) into Redis; returns how many were missing. */
  private async merge(poolIds: number[] | null): Promise<number> {
    if (poolIds && !poolIds.length) return 0;
    const { mysqlWrite, keys } = this.store;
    const r = this.store.redisWrite as ScriptedRedis;
    let targets = poolIds;
    if (!targets) {
      const [rows] = await M(mysqlWrite.query<RowDataPacket[]>('SELECT id FROM pools'));
      targets = rows.map((x) => Number(x.id));
    }
    const wanted = new Set(targets);
    let added = 0;
    let after = '';
    for (;;) {
      const [rows] = await M(mysqlWrite.query<RowDataPacket[]>('SELECT id, pool_id, outcome, amount FROM predictions WHERE book = ? AND id > ? ORDER BY id LIMIT ?', [this.store.keys.prefix, after, MERGE_PAGE_ROWS]));
      const byPool = new Map<number, (string | number)[]>();
      for (const row of rows) {
        const pool = Number(row.pool_id);
        if (!wanted.has(pool)) continue;
        let list = byPool.get(pool);
        if (!list) byPool.set(pool, (list = []));
        list.push(String(row.id), String(row.outcome), Number(row.amount));
      }
      for (const [pool, triples] of byPool) added += await R(r.mergeStakes(keys.ids(pool), keys.totals(pool), 0, ...triples));
      if (rows.length < MERGE_PAGE_ROWS) break;
      after = String(rows[rows.length - 1].id);
    }
    for (const pool of wanted) await R(r.mergeStakes(keys.ids(pool), keys.totals(pool), 1));
    return added;
  }

  /** Stops the retry timer (the process is closing). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
