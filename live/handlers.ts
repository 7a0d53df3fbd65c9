import type { RowDataPacket, ResultSetHeader } from 'mysql2/promise';
import type { DbMode } from '../model/architecture.ts';
import { distribution } from './parimutuel.ts';
import { LiveProtocolError, type Prediction, type PoolUpdate, type Request } from './protocol.ts';
import { parseTotals, type ScriptedRedis, type Store } from './store.ts';

/**
 * How a process talks to its databases (SYSTEM.md §1, "blocking versus asynchronous"):
 * - blocking: one message at a time to the end, every query awaited in order (a Tornado loop
 *   on a synchronous driver; the queue lives in the server process, see server.ts);
 * - async: messages handled concurrently, each awaiting its queries in sequence;
 * - batched: one round trip per message (one Redis script, one MySQL statement, in parallel).
 */
export type { DbMode } from '../model/architecture.ts';
export { DB_MODES } from '../model/architecture.ts';

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
  /** wall clock in epoch ms (an argument so tests can pin it) */
  nowMs?: () => number;
}

interface PoolRow { id: number; gameId: number; name: string; outcomes: string[]; open: boolean }

/** Counters one process keeps for the Report. */
export interface HandlerCounters {
  handled: number;
  predictionsStored: number;
  predictionsDuplicate: number;
  published: number;
  errors: number;
}

const USER_CACHE_S = 3600;
const LIST_CACHE_S = 60;

/**
 * Answers requests against Redis and MySQL. Returns the response object (the server serialises
 * it); throws LiveProtocolError for a request it rejects; database failures propagate as they are.
 */
export class Handlers {
  readonly counters: HandlerCounters = { handled: 0, predictionsStored: 0, predictionsDuplicate: 0, published: 0, errors: 0 };
  private readonly now: () => number;
  /** pools never change during a benchmark; batched mode validates against this copy */
  private poolCache = new Map<number, PoolRow>();

  constructor(private readonly store: Store, private readonly opts: HandlerOptions) {
    this.now = opts.nowMs ?? Date.now;
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
    const cached = await redisRead.get(keys.games());
    if (cached) return JSON.parse(cached);
    const [rows] = await mysqlRead.query<RowDataPacket[]>('SELECT id, name, starts_at FROM games WHERE active = 1 ORDER BY id');
    const games = rows.map((r) => ({ id: Number(r.id), name: String(r.name), startsAt: Number(r.starts_at) }));
    await redisWrite.set(keys.games(), JSON.stringify(games), 'EX', LIST_CACHE_S);
    return games;
  }

  private async loadPools(gameId: number): Promise<PoolRow[]> {
    const { redisRead, redisWrite, mysqlRead, keys } = this.store;
    const cached = await redisRead.get(keys.pools(gameId));
    let pools: PoolRow[];
    if (cached) pools = JSON.parse(cached);
    else {
      const [rows] = await mysqlRead.query<RowDataPacket[]>('SELECT id, game_id, name, outcomes, open FROM pools WHERE game_id = ? ORDER BY id', [gameId]);
      pools = rows.map((r) => ({ id: Number(r.id), gameId: Number(r.game_id), name: String(r.name), outcomes: String(r.outcomes).split(','), open: Number(r.open) === 1 }));
      await redisWrite.set(keys.pools(gameId), JSON.stringify(pools), 'EX', LIST_CACHE_S);
    }
    for (const p of pools) this.poolCache.set(p.id, p);
    return pools;
  }

  /** The game's pools with their current distribution. */
  async listPools(gameId: number): Promise<unknown[]> {
    const pools = await this.loadPools(gameId);
    const { redisRead, keys } = this.store;
    let totalsList: (Record<string, string> | null)[];
    if (this.opts.mode === 'batched') {
      const res = await redisRead.pipeline(pools.map((p) => ['hgetall', keys.totals(p.id)])).exec();
      totalsList = (res ?? []).map(([err, v]) => (err ? null : (v as Record<string, string>)));
    } else {
      totalsList = [];
      for (const p of pools) totalsList.push(await redisRead.hgetall(keys.totals(p.id)));
    }
    return pools.map((p, i) => {
      const { totals, count } = parseTotals(totalsList[i]);
      return { id: p.id, name: p.name, outcomes: p.outcomes, open: p.open, distribution: distribution(totals, p.outcomes, count) };
    });
  }

  private async poolFor(p: Prediction, rid: string | number): Promise<PoolRow> {
    let pool = this.poolCache.get(p.poolId);
    if (!pool && this.opts.mode === 'batched') {
      await this.loadPools(1);
      pool = this.poolCache.get(p.poolId);
    }
    if (!pool) throw new LiveProtocolError('LIVE_NOT_FOUND', `pool ${p.poolId} does not exist`, rid);
    if (!pool.open) throw new LiveProtocolError('LIVE_INVALID_FIELD', `pool ${p.poolId} is closed`, rid);
    if (!pool.outcomes.includes(p.outcome)) throw new LiveProtocolError('LIVE_INVALID_FIELD', `outcome ${p.outcome} is not one of ${pool.outcomes.join(', ')}`, rid);
    return pool;
  }

  /** blocking and async: every query awaited in turn, as the thesis's handlers did. */
  private async predictSequential(p: Prediction, rid: string | number): Promise<boolean> {
    const { redisRead, redisWrite, mysqlRead, mysqlWrite, keys } = this.store;
    if (!(await redisRead.get(keys.user(p.userId)))) {
      await mysqlWrite.query('INSERT IGNORE INTO accounts (id, created_at) VALUES (?, ?)', [p.userId, this.now()]);
      await redisWrite.set(keys.user(p.userId), '1', 'EX', USER_CACHE_S);
    }
    const [rows] = await mysqlRead.query<RowDataPacket[]>('SELECT id, game_id, name, outcomes, open FROM pools WHERE id = ?', [p.poolId]);
    if (rows.length) {
      const r = rows[0];
      this.poolCache.set(p.poolId, { id: Number(r.id), gameId: Number(r.game_id), name: String(r.name), outcomes: String(r.outcomes).split(','), open: Number(r.open) === 1 });
    } else this.poolCache.delete(p.poolId);
    const pool = await this.poolFor(p, rid);
    const [res] = await mysqlWrite.query<ResultSetHeader>(
      'INSERT INTO predictions (id, pool_id, user_id, outcome, amount, placed_at, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = id',
      [p.id, p.poolId, p.userId, p.outcome, p.amount, Math.round(p.placedAt), this.now()],
    );
    const isNew = res.affectedRows === 1;
    if (isNew) this.counters.predictionsStored++;
    else this.counters.predictionsDuplicate++;
    // Also on a duplicate: the first attempt may have died between the commit and this call.
    await (redisWrite as ScriptedRedis).addStake(keys.ids(p.poolId), keys.totals(p.poolId), p.id, p.outcome, p.amount);
    await this.maybeBroadcastSequential(pool, p.id);
    return !isNew;
  }

  private async maybeBroadcastSequential(pool: PoolRow, predictionId: string): Promise<void> {
    const r = this.store.redisWrite as ScriptedRedis;
    const { keys } = this.store;
    const now = this.now();
    let totals: string[] | Record<string, string> | null = null;
    if (this.opts.windowCheck === 'atomic') {
      totals = await r.windowCheck(keys.lastBroadcast(pool.id), keys.pending(pool.id), keys.totals(pool.id), now, this.opts.windowMs, predictionId);
    } else {
      // The thesis's check: read, compare, then set; another process can read the old value in between.
      const last = Number((await r.get(keys.lastBroadcast(pool.id))) ?? 0);
      if (now - last > this.opts.windowMs) {
        await r.set(keys.lastBroadcast(pool.id), String(now));
        await r.del(keys.pending(pool.id));
        totals = await r.hgetall(keys.totals(pool.id));
      } else await r.sadd(keys.pending(pool.id), predictionId);
    }
    if (totals) await this.publish(pool, totals);
  }

  /** batched: one Redis script and one MySQL statement, in parallel. */
  private async predictBatched(p: Prediction, rid: string | number): Promise<boolean> {
    const pool = await this.poolFor(p, rid);
    const r = this.store.redisWrite as ScriptedRedis;
    const { keys } = this.store;
    const now = this.now();
    const [[res], [, totals]] = await Promise.all([
      this.store.mysqlWrite.query<ResultSetHeader>(
        'INSERT INTO predictions (id, pool_id, user_id, outcome, amount, placed_at, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = id',
        [p.id, p.poolId, p.userId, p.outcome, p.amount, Math.round(p.placedAt), now],
      ),
      r.batchedPredict(keys.ids(pool.id), keys.totals(pool.id), keys.lastBroadcast(pool.id), keys.pending(pool.id), p.id, p.outcome, p.amount, now, this.opts.windowMs),
    ]);
    const isNew = res.affectedRows === 1;
    if (isNew) this.counters.predictionsStored++;
    else this.counters.predictionsDuplicate++;
    // The publish is not awaited: the message's one round trip is already done.
    if (totals) this.publish(pool, totals).catch(() => { this.counters.errors++; });
    return !isNew;
  }

  private async publish(pool: PoolRow, flat: string[] | Record<string, string>): Promise<void> {
    const { totals, count } = parseTotals(flat);
    const update: PoolUpdate = {
      type: 'pool_update', gameId: pool.gameId, poolId: pool.id, distribution: distribution(totals, pool.outcomes, count),
      publishedAt: this.now(), publisher: this.opts.publisherId,
    };
    this.counters.published++;
    await this.store.redisWrite.publish(this.store.keys.channel(pool.gameId), JSON.stringify(update));
  }
}
