/**
 * Named limits and defaults of the live system, in one place (STYLE.md: limits are named,
 * defaulted and counted as data arrives). Every figure has its unit in its name.
 */
export const LIVE_LIMITS = {
  /** Largest application message the server handles; larger ones get an error response. */
  maxMessageBytes: 4096,
  /** Largest WebSocket frame the server reads at all; above it ws closes with 1009. */
  maxFrameBytes: 64 * 1024,
  /** Bytes queued on one socket before its consumer counts as slow and is disconnected. */
  maxBufferedBytesPerSocket: 1024 * 1024,
  /** Connections one server process accepts; more are refused at the upgrade with HTTP 503. */
  maxConnectionsPerProcess: 20_000,
  /**
   * Requests one socket may have accepted and not yet answered; more get LIVE_OVERLOADED at once.
   * The benchmark's clients have one in flight; this bounds what a client that floods can hold.
   */
  maxInFlightPerSocket: 64,
  /**
   * Requests one process may have accepted and not yet answered, over all its sockets and in
   * every driver mode (in blocking mode: the queue, WebSocket upgrades included); more get
   * LIVE_OVERLOADED (upgrades: HTTP 503).
   */
  maxInFlightPerProcess: 10_000,
  /**
   * Time a connection attempt to Redis or MySQL may take before it counts as failed (a server
   * that is down refuses at once; this bounds a host that does not answer, with room for a
   * process whose event loop is busy while it opens its pool).
   */
  dependencyConnectTimeoutMs: 2000,
  /** Time one Redis command may take; then it fails with LIVE_UNAVAILABLE (a hung server). */
  redisCommandTimeoutMs: 2000,
  /** Longest wait between attempts to reconnect to a Redis or MySQL that went away. */
  dependencyRetryMaxMs: 200,
  /** How often a process retries bringing the pool totals back in line with MySQL after a fault. */
  reconcileIntervalMs: 500,
  /** Broadcast batching window per pool (SYSTEM.md §1, BATCH_FREQUENCY = 3 s). */
  broadcastWindowMs: 3000,
  /** How often a server process reports its metrics to its primary. */
  metricsIntervalMs: 1000,
  /** Largest prediction amount accepted. */
  maxAmount: 1_000_000,
} as const;

/** The limits as plain numbers (what a caller may override). */
export type LiveLimits = { [K in keyof typeof LIVE_LIMITS]: number };

/**
 * Close codes the server uses (RFC 6455). A slow consumer is cut with `terminate()` (no close
 * frame: it does not read); a full process refuses the upgrade with HTTP 503 before any
 * WebSocket exists; a frame over maxFrameBytes is closed by ws with 1009.
 */
export const CLOSE_CODES = {
  messageTooBig: 1009,
  shuttingDown: 1001,
} as const;
