import type { RowDataPacket, ResultSetHeader } from 'mysql2/promise';
import type { DbMode } from '../../model/architecture.ts';
import { distribution } from './parimutuel.ts';
import { LiveProtocolError, type Prediction, type PoolUpdate, type Request } from './protocol.ts';
import { Reconciler } from './reconcile.ts';
import { DependencyError, M, R, SEED_GAME, parseTotals, totalsSynced, type ScriptedRedis, type Store } from './store.ts';

/**
 * How a process talks to its databases (SYSTEM.md §1, "blocking versus asynchronous"):
 * - blocking: one message at a time to the end, every query awaited in order (a Tornado loop
 *   on a synchronous driver; the queue lives in the server process, see server.ts);
 * - async: messages handled concurrently, each awaiting its queries in sequence;
 * - batched: one round trip per message before the answer (one MySQL statement; the Redis
 *   script that counts the stake and checks the window follows the commit, after the answer).
 */
export type { DbMode } from '../../model/architecture.ts';
export { DB_MODES } from '../../model/architecture.ts';

/** Broadcast-window check: `atomic` (SET NX PX in one script) or the thesis's `racy` get-then-set. */
export type WindowCheck = 'atomic' | 'racy';
export const WINDOW_CHECKS: readonly WindowCheck[] = ['atomic', 'racy'];

/** How a process handles requests: driver mode, window check and window length (ms). */
export interface HandlerOptions {
  mode: DbMode;
  windowCheck: WindowCheck;
  windowMs: number;
  /** id of this process, carried in published updates */
  publisherId: string;
  /** wall clock in epoch ms (an argument so tests can pin it); stamps publishedAt */
  nowMs?: () => number;
  /** how often to retry bringing the totals back in line with MySQL after a fault, ms */
  reconcileIntervalMs?: number;
}

interface PoolRow { id: number; gameId: number; name: string; outcomes: string[]; open: boolean }

/** Counters one process keeps for the Report. */
export interface HandlerCounters {
  handled: number;
  predictionsStored: number;
  predictionsDuplicate: number;
  published: number;
  errors: number;
  /** predictions merged into the totals from MySQL (counts a fault had left out) */
  reconciled: number;
}

const USER_CACHE_S = 3600;
const LIST_CACHE_S = 60;


const INSERT_PREDICTION = 'INSERT INTO predictions (id, pool_id, user_id, outcome, amount, placed_at, stored_at, book) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = id';

/**
 * Answers requests against Redis and MySQL. Returns the response object (the server serialises
 * it); throws LiveProtocolError for a request it rejects, DependencyError when Redis or MySQL is
 * away, and other database failures as they are.
 *
 * The books: MySQL's rows are the record; the pool totals in Redis count a prediction only once
 * its row is committed, each id once (an ids set). Whatever a fault leaves out (a Redis that
 * restarted empty, a count that failed after the commit, a process killed in between) is merged
 * back from MySQL's rows of this book by the reconciler (reconcile.ts).
 */
export class Handlers {
  readonly counters: HandlerCounters = { handled: 0, predictionsStored: 0, predictionsDuplicate: 0, published: 0, errors: 0, reconciled: 0 };
  private readonly now: () => number;
  /** pools never change during a benchmark; batched mode validates against this copy */
  private poolCache = new Map<number, PoolRow>();
  /** brings the pool totals back in line with MySQL's rows after a fault */
  private readonly reconciler: Reconciler;
  /** post-commit Redis work of batched predictions not finished yet */
  background = 0;

  constructor(private readonly store: Store, private readonly opts: HandlerOptions) {
    this.now = opts.nowMs ?? Date.now;
    this.reconciler = new Reconciler(store, opts.reconcileIntervalMs, this.counters);
  }

  /** The book this process counts in: its key prefix, stored with every prediction. */
  get book(): string {
    return this.store.keys.prefix;
  }

  async handle(req: Request): Promise<Record<string, unknown>> {
    switch (req.type) {
      case 'list_games': return { type: 'games', rid: req.rid, games: await this.listGames() };
      case 'join_game': {
        const games = await this.listGames();
        if (!games.some((g) => g.id === req.gameId)) throw new LiveProtocolError('LIVE_NOT_FOUND', `game ${req.gameId} does not exist`, req.rid);
        return { type: 'joined', rid: req.rid, gameId: req.gameId };
      }
      case 'list_pools': return { type: 'pools', rid: req.rid, pools: await this.listPools(req.gameId) };
      case 'place_prediction': {
        const duplicate = this.opts.mode === 'batched' ? await this.predictBatched(req.prediction, req.rid) : await this.predictSequential(req.prediction, req.rid);
        return { type: 'confirmed', rid: req.rid, id: req.prediction.id, duplicate };
      }
    }
  }

  /** Active games: Redis cache, MySQL on a miss. */
  async listGames(): Promise<{ id: number; name: string; startsAt: number }[]> {
    const { redisRead, redisWrite, mysqlRead, keys } = this.store;
    const cached = await R(redisRead.get(keys.games()));
    if (cached) return JSON.parse(cached);
    const [rows] = await M(mysqlRead.query<RowDataPacket[]>('SELECT id, name, starts_at FROM games WHERE active = 1 ORDER BY id'));
    const games = rows.map((r) => ({ id: Number(r.id), name: String(r.name), startsAt: Number(r.starts_at) }));
    await R(redisWrite.set(keys.games(), JSON.stringify(games), 'EX', LIST_CACHE_S));
    return games;
  }

  private async loadPools(gameId: number): Promise<PoolRow[]> {
    const { redisRead, redisWrite, mysqlRead, keys } = this.store;
    const cached = await R(redisRead.get(keys.pools(gameId)));
    let pools: PoolRow[];
    if (cached) pools = JSON.parse(cached);
    else {
      const [rows] = await M(mysqlRead.query<RowDataPacket[]>('SELECT id, game_id, name, outcomes, open FROM pools WHERE game_id = ? ORDER BY id', [gameId]));
      pools = rows.map((r) => ({ id: Number(r.id), gameId: Number(r.game_id), name: String(r.name), outcomes: String(r.outcomes).split(','), open: Number(r.open) === 1 }));
      await R(redisWrite.set(keys.pools(gameId), JSON.stringify(pools), 'EX', LIST_CACHE_S));
    }
    for (const p of pools) this.poolCache.set(p.id, p);
    return pools;
  }

  private async readTotals(pools: PoolRow[]): Promise<(Record<string, string> | null)[]> {
    const { redisRead, keys } = this.store;
    // batched: all in one round trip (commands written back to back); sequential: one by one
    if (this.opts.mode === 'batched') return R(Promise.all(pools.map((p) => redisRead.hgetall(keys.totals(p.id)))));
    const out: Record<string, string>[] = [];
    for (const p of pools) out.push(await R(redisRead.hgetall(keys.totals(p.id))));
    return out;
  }

  /**
   * The game's pools with their current distribution. batched: the pool list and the totals of
   * the pools this process already knows go in one round trip (commands written back to back),
   * so a warm list costs one round trip like every batched message; a pool it did not know costs
   * a second. Sequential: the list, then each pool's totals.
   */
  async listPools(gameId: number): Promise<unknown[]> {
    let pools: PoolRow[];
    let totalsList: (Record<string, string> | null)[];
    if (this.opts.mode === 'batched') {
      const known = [...this.poolCache.values()].filter((p) => p.gameId === gameId);
      const [listed, knownTotals] = await Promise.all([this.loadPools(gameId), this.readTotals(known)]);
      pools = listed;
      const byId = new Map(known.map((p, i) => [p.id, knownTotals[i]]));
      const missing = pools.filter((p) => !byId.has(p.id));
      const missingTotals = missing.length ? await this.readTotals(missing) : [];
      missing.forEach((p, i) => byId.set(p.id, missingTotals[i]));
      totalsList = pools.map((p) => byId.get(p.id) ?? null);
    } else {
      pools = await this.loadPools(gameId);
      totalsList = await this.readTotals(pools);
    }
    const unsynced = pools.filter((_, i) => !totalsSynced(totalsList[i]));
    if (unsynced.length) {
      // Redis lost the totals (or never had them): rebuild from MySQL before answering.
      await this.reconciler.reconcileNow(unsynced.map((p) => p.id));
      totalsList = await this.readTotals(pools);
    }
    return pools.map((p, i) => {
      const { totals, count } = parseTotals(totalsList[i]);
      return { id: p.id, name: p.name, outcomes: p.outcomes, open: p.open, distribution: distribution(totals, p.outcomes, count) };
    });
  }

  private poolFor(p: Prediction, rid: string | number): PoolRow {
    const pool = this.poolCache.get(p.poolId);
    if (!pool) throw new LiveProtocolError('LIVE_NOT_FOUND', `pool ${p.poolId} does not exist`, rid);
    if (!pool.open) throw new LiveProtocolError('LIVE_INVALID_FIELD', `pool ${p.poolId} is closed`, rid);
    if (!pool.outcomes.includes(p.outcome)) throw new LiveProtocolError('LIVE_INVALID_FIELD', `prediction.outcome ${p.outcome} is not one of ${pool.outcomes.join(', ')}`, rid);
    return pool;
  }

  /**
   * blocking and async: every query awaited in turn, as the thesis's handlers did. The pool is
   * checked before anything is written, so a rejected prediction leaves no trace.
   */
  private async predictSequential(p: Prediction, rid: string | number): Promise<boolean> {
    const { redisRead, redisWrite, mysqlRead, mysqlWrite, keys } = this.store;
    const [rows] = await M(mysqlRead.query<RowDataPacket[]>('SELECT id, game_id, name, outcomes, open FROM pools WHERE id = ?', [p.poolId]));
    if (rows.length) {
      const r = rows[0];
      this.poolCache.set(p.poolId, { id: Number(r.id), gameId: Number(r.game_id), name: String(r.name), outcomes: String(r.outcomes).split(','), open: Number(r.open) === 1 });
    } else this.poolCache.delete(p.poolId);
    const pool = this.poolFor(p, rid);
    if (!(await R(redisRead.get(keys.user(p.userId))))) {
      await M(mysqlWrite.query('INSERT IGNORE INTO accounts (id, created_at) VALUES (?, ?)', [p.userId, this.now()]));
      await R(redisWrite.set(keys.user(p.userId), '1', 'EX', USER_CACHE_S));
    }
    const isNew = await this.insert(p);
    // Committed: from here on a Redis failure does not undo the confirmation; the totals are
    // brought back in line from MySQL instead.
    try {
      if (isNew) {
        const [, synced] = await R((redisWrite as ScriptedRedis).addStake(keys.ids(p.poolId), keys.totals(p.poolId), p.id, p.outcome, p.amount));
        if (!synced) this.markBehind(p.poolId);
      }
      await this.maybeBroadcastSequential(pool, p.id);
    } catch (err) {
      this.markBehind(p.poolId);
      if (!(err instanceof DependencyError)) throw err;
    }
    return !isNew;
  }

  /**
   * Stores a prediction once (its id is the key); true when this call stored it. When MySQL goes
   * away mid-statement the commit may or may not have happened, and a retry will find the row as
   * a duplicate that nobody counted: the pool is marked behind, so the totals are merged from
   * MySQL once it is back.
   */
  private async insert(p: Prediction): Promise<boolean> {
    let res: ResultSetHeader;
    try {
      [res] = await M(this.store.mysqlWrite.query<ResultSetHeader>(INSERT_PREDICTION, [p.id, p.poolId, p.userId, p.outcome, p.amount, p.placedAt, this.now(), this.book]));
    } catch (err) {
      this.markBehind(p.poolId);
      throw err;
    }
    const isNew = res.affectedRows === 1;
    if (isNew) this.counters.predictionsStored++;
    else this.counters.predictionsDuplicate++;
    return isNew;
  }

  /** Pools whose totals may lack stored predictions, waiting for a reconciliation (every pool counts as one). */
  get behindCount(): number {
    return this.reconciler.behindCount;
  }

  private async maybeBroadcastSequential(pool: PoolRow, predictionId: string): Promise<void> {
    const r = this.store.redisWrite as ScriptedRedis;
    const { keys } = this.store;
    const now = this.now();
    let totals: string[] | Record<string, string> | null = null;
    if (this.opts.windowCheck === 'atomic') {
      totals = await R(r.windowCheck(keys.lastBroadcast(pool.id), keys.pending(pool.id), keys.totals(pool.id), now, this.opts.windowMs, predictionId));
    } else {
      // The thesis's check: read, compare, then set; another process can read the old value in between.
      const last = Number((await R(r.get(keys.lastBroadcast(pool.id)))) ?? 0);
      if (now - last > this.opts.windowMs) {
        await R(r.set(keys.lastBroadcast(pool.id), String(now)));
        await R(r.del(keys.pending(pool.id)));
        totals = await R(r.hgetall(keys.totals(pool.id)));
      } else await R(r.sadd(keys.pending(pool.id), predictionId));
    }
    if (totals) await this.publish(pool, totals);
  }

  /**
   * batched: one MySQL statement, then the answer. The Redis script (count the stake if this
   * request stored it, window check, totals for a broadcast) follows the commit and is not
   * awaited by the answer, so the message costs one round trip and nothing uncommitted is counted.
   */
  private async predictBatched(p: Prediction, rid: string | number): Promise<boolean> {
    if (!this.poolCache.has(p.poolId)) await this.loadPools(SEED_GAME.id);
    const pool = this.poolFor(p, rid);
    const isNew = await this.insert(p);
    this.background++;
    void this.countBatched(pool, p, isNew).finally(() => { this.background--; });
    return !isNew;
  }

  private async countBatched(pool: PoolRow, p: Prediction, isNew: boolean): Promise<void> {
    const r = this.store.redisWrite as ScriptedRedis;
    const { keys } = this.store;
    try {
      const [synced, totals] = await R(r.batchedPredict(keys.ids(pool.id), keys.totals(pool.id), keys.lastBroadcast(pool.id), keys.pending(pool.id), p.id, p.outcome, p.amount, this.now(), this.opts.windowMs, isNew ? 1 : 0));
      if (!synced) this.markBehind(pool.id);
      if (totals) await this.publish(pool, totals);
    } catch {
      this.counters.errors++;
      this.markBehind(pool.id);
    }
  }

  private async publish(pool: PoolRow, flat: string[] | Record<string, string>): Promise<void> {
    const { totals, count } = parseTotals(flat);
    const update: PoolUpdate = {
      type: 'pool_update', gameId: pool.gameId, poolId: pool.id, distribution: distribution(totals, pool.outcomes, count),
      // the wall clock now: the receiver compares it with its own wall clock (one clock, LIVE_CLOCK)
      publishedAt: this.now(), publisher: this.opts.publisherId,
    };
    this.counters.published++;
    await R(this.store.redisWrite.publish(this.store.keys.channel(pool.gameId), JSON.stringify(update)));
  }

  /** Notes that a pool's totals may lack stored predictions (null: every pool); a reconciliation follows. */
  markBehind(poolId: number | null): void {
    this.reconciler.markBehind(poolId);
  }

  /** Stops the reconciliation timer (the process is closing). */
  close(): void {
    this.reconciler.close();
  }
}
