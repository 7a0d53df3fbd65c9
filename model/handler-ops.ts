import type { Architecture, DbMode } from './architecture.ts';
import { ops, type OpCounts } from './params.ts';

/** How a live server checks the broadcast window (the architecture's `broadcast.check`). */
type WindowCheck = Architecture['broadcast']['check'];

/**
 * The database work of the live server's handlers (live/server/handlers.ts), in the simulator's
 * terms (params.ts `ops*` and `publishRedisOps`): what one request of each type issues once the
 * caches are warm (games and pools cached in Redis, the user's account made, the totals in sync).
 * A live Report records it (`params.handlerOps`), so that a simulation of the run makes the round
 * trips its server made and counts the key reads its Redis counted; the thesis system's own
 * handlers did more (`opsPredict` 5 / 2 / 2 / 2), and a live run simulated with those pays twice
 * its round trips to a remote database. test/live/server/handler-ops.integration.test.ts counts the
 * commands and statements the handlers issue against real Redis and MariaDB and checks them
 * against this table.
 */
export interface HandlerOps {
  opsListGames: OpCounts;
  opsJoinGame: OpCounts;
  opsListPools: OpCounts;
  opsPredict: OpCounts;
  opsFirstPredict: OpCounts;
  publishRedisOps: number;
}

/**
 * The handlers' operations per driver mode and window check:
 * - list games and join game: GET of the cached game list;
 * - list pools: GET of the cached pool list, HGETALL of the pool's totals (one pool is seeded);
 * - place prediction, blocking and async: SELECT of the pool, GET of the user's account key,
 *   INSERT of the row, the stake script (one command; its HEXISTS of the totals' synced flag is
 *   a key read), then the window check: its GET (the simulator's check read) and, when the window
 *   is not due, SADD of the id to the pending set; `atomic`: one script does check and SADD;
 * - place prediction, batched: INSERT of the row, then one script that counts the stake and checks
 *   the window (the simulator's check inside the Redis write batch);
 * - a user's first prediction, blocking and async: its account key's GET misses, so the handler
 *   INSERTs the account (IGNORE) and SETs the key (opsFirstPredict); batched has no account step;
 * - a publish after the racy check's SET: DEL of the pending set, HGETALL of the totals, PUBLISH;
 *   after a script's check (atomic, batched): PUBLISH alone.
 */
export function liveHandlerOps(mode: DbMode, check: WindowCheck): HandlerOps {
  const lists = { opsListGames: ops(1, 0, 0, 0), opsJoinGame: ops(1, 0, 0, 0), opsListPools: ops(2, 0, 0, 0) };
  if (mode === 'batched') return { ...lists, opsPredict: ops(0, 0, 0, 1), opsFirstPredict: ops(0, 0, 0, 0), publishRedisOps: 1 };
  return { ...lists, opsPredict: ops(1, check === 'racy' ? 2 : 1, 1, 1, 1), opsFirstPredict: ops(0, 1, 0, 1), publishRedisOps: check === 'racy' ? 3 : 1 };
}

/**
 * What the live server issued before 2026-12-04 (commit 4ff0f0e), for the Reports written then,
 * which do not record `params.handlerOps`: the same commands, but the stake script had no key
 * read (its HEXISTS of the synced flag came with the books of 4ff0f0e).
 */
export function liveHandlerOpsBefore20261204(mode: DbMode, check: WindowCheck): HandlerOps {
  const now = liveHandlerOps(mode, check);
  const p = now.opsPredict;
  return { ...now, opsPredict: ops(p.redisReads, p.redisWrites, p.mysqlReads, p.mysqlWrites) };
}
