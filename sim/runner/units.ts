import type { DbMode } from '../../model/architecture.ts';
import type { Params } from '../../model/params.ts';

/**
 * The runner's one conversion of parameters to model units: every time in seconds (Params keep
 * the units their sources give: ms, µs), and the driver mode decoded once into what it changes.
 * Components copy the figures they use into their own fields (perf: one load per use in the hot
 * loop, no lookup through this object).
 */
export interface RunnerUnits {
  /** handler CPU per phase (0: handshake, 1..4: list games, join game, list pools, predict), s */
  cpuPhaseS: Float64Array;
  cpuTlsPerMessageS: number;
  cpuUpgradeS: number;
  cpuTlsHandshakeS: number;
  cpuRedisOpS: number;
  cpuMysqlOpS: number;
  cpuHopS: number;
  cpuBroadcastMessageS: number;
  cpuBroadcastPerSocketS: number;
  handshakeInitialRtoS: number;
  /** Infinity when the client waits for ever (handshakeTimeoutS = 0) */
  handshakeTimeoutS: number;
  /** the first upstream SYN's retransmission timeout (doubling per retry) */
  synInitialRtoS: number;
  loopPauseMedianS: number;
  redisCommandS: number;
  redisRoundTripS: number;
  mysqlReadS: number;
  mysqlWriteS: number;
  /** Redis background saves (redis-save.ts): fork pause per byte of resident set, s; the child's write rate, bytes/s */
  redisForkSPerByte: number;
  redisSaveBytesPerS: number;
}

/** Decodes Params into model units (seconds). */
export function unitsOf(params: Params): RunnerUnits {
  const ms = 1e-3;
  const us = 1e-6;
  return {
    cpuPhaseS: Float64Array.from([0, params.cpuListGamesMs * ms, params.cpuJoinGameMs * ms, params.cpuListPoolsMs * ms, params.cpuPredictMs * ms]),
    cpuTlsPerMessageS: params.cpuTlsPerMessageUs * us,
    cpuUpgradeS: params.cpuUpgradeMs * ms,
    cpuTlsHandshakeS: params.cpuTlsHandshakeMs * ms,
    cpuRedisOpS: params.cpuRedisOpUs * us,
    cpuMysqlOpS: params.cpuMysqlOpUs * us,
    cpuHopS: params.cpuHopUs * us,
    cpuBroadcastMessageS: params.cpuBroadcastMessageUs * us,
    cpuBroadcastPerSocketS: params.cpuBroadcastPerSocketUs * us,
    handshakeInitialRtoS: params.handshakeInitialRtoMs * ms,
    // 0: the client waits for ever (WebSocket-bench had no connect timeout, SYSTEM.md §2)
    handshakeTimeoutS: params.handshakeTimeoutS > 0 ? params.handshakeTimeoutS : Infinity,
    synInitialRtoS: params.synInitialRtoMs * ms,
    loopPauseMedianS: params.loopPauseMedianMs * ms,
    redisCommandS: params.redisCommandUs * us,
    redisRoundTripS: params.redisRoundTripUs * us,
    mysqlReadS: params.mysqlReadMs * ms,
    mysqlWriteS: params.mysqlWriteMs * ms,
    redisForkSPerByte: (params.redisForkMsPerGB * ms) / 2 ** 30,
    redisSaveBytesPerS: params.redisSaveMiBps * 2 ** 20,
  };
}

/**
 * What the driver mode changes, decoded once. `blocking`: the loop is held for every round trip
 * and the driver's CPU runs inside it; `async`: the loop is free during the awaits and the
 * driver's CPU runs in the continuation; `batched`: as async, with one pipelined round trip per
 * distinct node and the batching check inside the Redis write batch.
 */
export interface DriverStrategy {
  /** the loop is held while the handler's operations run (no continuation message) */
  holdsLoop: boolean;
  /** operations go as one parallel round trip per node instead of one after the other */
  pipelined: boolean;
}

export function driverOf(mode: DbMode): DriverStrategy {
  return { holdsLoop: mode === 'blocking', pipelined: mode === 'batched' };
}
