import type { FitDimension } from './space.ts';

/**
 * What calibration fits by optimisation (the RTT matrix and the Redis miss share are
 * estimated directly; see calibrate/fit/direct.ts). Ranges lie inside the plausible ranges of
 * model/params.ts PARAM_DOCS; families move together so that one coordinate is one physical
 * question the measured data can answer:
 * - the handlers' loop CPU (request median in the server's own region),
 * - the handshake work (handshake median in the server's region),
 * - database cost per operation (request latency and its tail under blocking drivers),
 * - per-socket broadcast cost (broadcast latency: the k-th socket waits for k−1),
 * - clock offset in broadcast latency,
 * - jitter scale and shape and packet loss (the tails; a lost handshake message waits the client
 *   kernel's initial retransmission timeout, `handshakeInitialRtoMs`, a setting, not fitted:
 *   fitted, it shrank to 58–182 ms, below the 200 ms any Linux RTO has, to turn Ireland's
 *   handshake tail of tens of ms into packet loss, docs/calibration.md),
 * - event-loop pauses: how often, how long, how long-tailed, and after how much work the first
 *   comes (the request tail: a few per cent of requests wait seconds whatever their distance,
 *   while the handshakes of the connection ramp do not),
 * - the spread of a fan-out's pace (broadcast medians well below their means),
 * - the loop's wait for the interpreter lock when a handler starts during its process's fan-out
 *   (how often the loop takes it at one of the thread's releases: the handshake and request tails
 *   of tens of ms that every region shows alike, whatever its distance).
 * Nothing here is per architecture.
 */
export const FIT_DIMENSIONS: readonly FitDimension[] = [
  { path: 'cpuPredictMs', lo: 0.05, hi: 20, log: true, meaning: 'loop CPU per handled message (list games, join game, list pools move in proportion)', scales: ['cpuListGamesMs', 'cpuJoinGameMs', 'cpuListPoolsMs'] },
  { path: 'cpuTlsHandshakeMs', lo: 0.1, hi: 40, log: true, meaning: 'server work of a handshake (the loop upgrade moves in proportion)', scales: ['cpuUpgradeMs'] },
  { path: 'mysqlWriteMs', lo: 0.02, hi: 20, log: true, meaning: 'database cost per operation (MySQL reads, driver CPU per Redis and MySQL operation move in proportion)', scales: ['mysqlReadMs', 'cpuRedisOpUs', 'cpuMysqlOpUs'] },
  { path: 'cpuBroadcastPerSocketUs', lo: 1, hi: 2000, log: true, meaning: 'broadcast CPU per subscribed socket (per update message in proportion)', scales: ['cpuBroadcastMessageUs'] },
  { path: 'broadcastClockOffsetMs', lo: -300, hi: 300, log: false, meaning: 'clock offset added to broadcast latency' },
  { path: 'jitterRelative', lo: 0.002, hi: 3, log: true, meaning: 'jitter scale relative to the one-way delay' },
  { path: 'jitterAbsMs', lo: 0.02, hi: 200, log: true, meaning: 'absolute jitter scale' },
  { path: 'jitterSigma', lo: 0.1, hi: 3.5, log: false, meaning: 'shape of the lognormal jitter (tail length)' },
  { path: 'lossFactor', lo: 0.0001, hi: 15, log: true, meaning: 'multiplier on the Leighton packet-loss prior (each loss costs a retransmission timeout)' },
  { path: 'loopPauseEveryMessages', lo: 100, hi: 1e6, log: true, meaning: 'mean messages a process handles between two pauses of its event loop' },
  { path: 'loopPauseMedianMs', lo: 1, hi: 20000, log: true, meaning: 'median length of an event-loop pause' },
  { path: 'loopPauseSigma', lo: 0.1, hi: 3, log: false, meaning: 'shape of the lognormal pause length (tail length)' },
  { path: 'loopPauseOnsetMessages', lo: 100, hi: 1e6, log: true, meaning: 'messages a process handles before its first pause (stalls absent from the connection ramp)' },
  { path: 'broadcastPaceSigma', lo: 0.01, hi: 1.5, log: false, meaning: 'spread of the pace of one update\'s fan-out (the broadcast median below its mean)' },
  { path: 'broadcastLockHandoff', lo: 0.0005, hi: 1, log: true, meaning: 'chance that a loop waiting for the interpreter lock takes it at one of its process\'s broadcast thread\'s releases (one per socket written)' },
];
