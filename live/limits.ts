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
  /** Connections one server process accepts; more are refused with close code 1013. */
  maxConnectionsPerProcess: 20_000,
  /** Messages waiting in a blocking-mode process queue before new ones are refused. */
  maxQueuedMessagesPerProcess: 100_000,
  /** Broadcast batching window per pool (SYSTEM.md §1, BATCH_FREQUENCY = 3 s). */
  broadcastWindowMs: 3000,
  /** How often a server process reports its metrics to its primary. */
  metricsIntervalMs: 1000,
  /** Largest prediction amount accepted. */
  maxAmount: 1_000_000,
} as const;

/** The limits as plain numbers (what a caller may override). */
export type LiveLimits = { [K in keyof typeof LIVE_LIMITS]: number };

/** Close codes the server uses (RFC 6455 ranges; 4000+ is application-defined). */
export const CLOSE_CODES = {
  slowConsumer: 4008,
  tooManyConnections: 1013,
  shuttingDown: 1001,
} as const;
