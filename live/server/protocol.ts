import { LIVE_LIMITS } from './limits.ts';

/**
 * The WebSocket API of the prediction market (SYSTEM.md §1), as JSON text frames.
 *
 * Client → server (every request carries `rid`, a client-chosen request id echoed in the answer,
 * so a response is never matched to the wrong request):
 *   { type: 'list_games', rid }
 *   { type: 'join_game', rid, gameId }
 *   { type: 'list_pools', rid, gameId }
 *   { type: 'place_prediction', rid, prediction: { id (uuid), poolId, outcome, amount, userId, placedAt } }
 * Server → client:
 *   { type: 'games', rid, games } | { type: 'joined', rid, gameId } | { type: 'pools', rid, pools }
 *   { type: 'confirmed', rid, id, duplicate }   (sent after the prediction is committed)
 *   { type: 'error', rid|null, code, message, dependency? }   (dependency: 'redis' | 'mysql' with LIVE_UNAVAILABLE)
 *   { type: 'pool_update', gameId, poolId, distribution, publishedAt }   (pushed; publishedAt in epoch ms)
 */

/** Stable codes of protocol errors, sent in `error` responses and asserted by tests. */
export type ProtocolErrorCode =
  | 'LIVE_MESSAGE_TOO_LARGE'
  | 'LIVE_MALFORMED_JSON'
  | 'LIVE_UNKNOWN_TYPE'
  | 'LIVE_INVALID_FIELD'
  | 'LIVE_NOT_FOUND'
  | 'LIVE_OVERLOADED'
  | 'LIVE_UNAVAILABLE'
  | 'LIVE_INTERNAL';

/** A data service a request depends on, named in LIVE_UNAVAILABLE errors. */
export type Dependency = 'redis' | 'mysql';

/** A request the server rejects; becomes an `error` response, never a crash. */
export class LiveProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  readonly rid: string | number | null;
  /** the service that is down (LIVE_UNAVAILABLE only) */
  readonly dependency?: Dependency;
  constructor(code: ProtocolErrorCode, message: string, rid: string | number | null = null, dependency?: Dependency) {
    super(message);
    this.name = 'LiveProtocolError';
    this.code = code;
    this.rid = rid;
    if (dependency) this.dependency = dependency;
  }
}

/** A prediction as the client sends it. */
export interface Prediction {
  /** uuid chosen by the client: a retry carries the same id, so it is stored once */
  id: string;
  poolId: number;
  outcome: string;
  amount: number;
  userId: number;
  /** epoch ms at the client */
  placedAt: number;
}

/** A validated request. */
export type Request =
  | { type: 'list_games'; rid: string | number }
  | { type: 'join_game'; rid: string | number; gameId: number }
  | { type: 'list_pools'; rid: string | number; gameId: number }
  | { type: 'place_prediction'; rid: string | number; prediction: Prediction };

/** The parimutuel state of a pool (see parimutuel.ts). */
export interface Distribution {
  /** stake per outcome */
  totals: Record<string, number>;
  /** sum of stakes */
  total: number;
  /** parimutuel payout per unit staked on each outcome (null while nobody backed it) */
  odds: Record<string, number | null>;
  /** predictions counted */
  count: number;
}

/**
 * The clock of `publishedAt` (recorded in a live Report as `extra.live.clock`): the publishing
 * server's wall clock (Date.now()) at the moment it publishes; the receiver subtracts it from its
 * own wall clock. One clock for every process on the machine, so a step of the system clock
 * shifts both ends alike.
 */
export const LIVE_CLOCK = 'wall clock (Date.now) of the publishing server at publish, of the receiver at receipt';

/** The pushed pool distribution update. */
export interface PoolUpdate {
  type: 'pool_update';
  gameId: number;
  poolId: number;
  distribution: Distribution;
  /** epoch ms when the publishing server published it (LIVE_CLOCK) */
  publishedAt: number;
  /** id of the publishing process (for the duplicate-window checks) */
  publisher: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OUTCOME = /^[a-z0-9_]{1,16}$/;

/**
 * What the schema can hold (store.ts): ids and user ids are MySQL `INT` (signed 32-bit),
 * `placed_at` a `BIGINT` of epoch ms that must stay a JavaScript date (±8.64e15 ms; we take
 * 0..8.64e15). A value outside is rejected here, before anything is written.
 */
export const FIELD_RANGES = {
  gameId: { min: 0, max: 2_147_483_647 },
  poolId: { min: 0, max: 2_147_483_647 },
  userId: { min: 0, max: 2_147_483_647 },
  amount: { min: 1, max: LIVE_LIMITS.maxAmount },
  placedAt: { min: 0, max: 8.64e15 },
} as const;

/** Longest string rid echoed back (a longer one is rejected: it would be echoed in every answer). */
export const MAX_RID_CHARS = 128;

function intField(o: Record<string, unknown>, key: keyof typeof FIELD_RANGES, rid: string | number | null, path: string = key): number {
  const v = o[key];
  const { min, max } = FIELD_RANGES[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new LiveProtocolError('LIVE_INVALID_FIELD', `${path} must be an integer ${min}..${max} (got ${describe(v)})`, rid);
  }
  return v;
}

/** A short, safe rendering of a rejected value for an error message. */
function describe(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v) : typeof v === 'number' ? String(v) : v === null ? 'null' : typeof v;
  return s;
}

/**
 * The rid of a message that cannot be parsed as a whole (too large, malformed): a top-level
 * `"rid":` with a number or a plain string near the start, else null. A best effort, so that the
 * client can match the error to its request.
 */
export function sniffRid(text: string): string | number | null {
  const m = /^\s*\{(?:[^{}\[\]]*?,)?\s*"rid"\s*:\s*(?:"([^"\\]{0,128})"|(-?\d{1,15}(?:\.\d+)?))/.exec(text.slice(0, 512));
  if (!m) return null;
  return m[1] !== undefined ? m[1] : Number(m[2]);
}

/**
 * Parses one text frame into a request. Throws LiveProtocolError (never anything else) for a
 * frame over `maxBytes`, malformed JSON, an unknown type or an invalid field.
 */
export function parseRequest(data: string | Buffer, maxBytes: number = LIVE_LIMITS.maxMessageBytes): Request {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  const text = () => (typeof data === 'string' ? data : data.toString('utf8', 0, Math.min(data.length, 512)));
  if (size > maxBytes) throw new LiveProtocolError('LIVE_MESSAGE_TOO_LARGE', `message of ${size} bytes exceeds ${maxBytes}`, sniffRid(text()));
  let msg: unknown;
  try {
    msg = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    throw new LiveProtocolError('LIVE_MALFORMED_JSON', 'message is not valid JSON', sniffRid(text()));
  }
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) throw new LiveProtocolError('LIVE_MALFORMED_JSON', 'message must be a JSON object');
  const o = msg as Record<string, unknown>;
  const rid = (typeof o.rid === 'string' && o.rid.length <= MAX_RID_CHARS) || (typeof o.rid === 'number' && Number.isFinite(o.rid)) ? (o.rid as string | number) : null;
  if (rid === null) throw new LiveProtocolError('LIVE_INVALID_FIELD', `rid must be a number or a string of at most ${MAX_RID_CHARS} characters (got ${describe(o.rid)})`);
  switch (o.type) {
    case 'list_games':
      return { type: 'list_games', rid };
    case 'join_game':
      return { type: 'join_game', rid, gameId: intField(o, 'gameId', rid) };
    case 'list_pools':
      return { type: 'list_pools', rid, gameId: intField(o, 'gameId', rid) };
    case 'place_prediction': {
      const p = o.prediction;
      if (!p || typeof p !== 'object' || Array.isArray(p)) throw new LiveProtocolError('LIVE_INVALID_FIELD', `prediction must be an object (got ${describe(p)})`, rid);
      const q = p as Record<string, unknown>;
      if (typeof q.id !== 'string' || !UUID.test(q.id)) throw new LiveProtocolError('LIVE_INVALID_FIELD', `prediction.id must be a uuid (got ${describe(q.id)})`, rid);
      if (typeof q.outcome !== 'string' || !OUTCOME.test(q.outcome)) throw new LiveProtocolError('LIVE_INVALID_FIELD', `prediction.outcome must match [a-z0-9_]{1,16} (got ${describe(q.outcome)})`, rid);
      const amount = intField(q, 'amount', rid, 'prediction.amount');
      const poolId = intField(q, 'poolId', rid, 'prediction.poolId');
      const userId = intField(q, 'userId', rid, 'prediction.userId');
      const placedAt = q.placedAt;
      const r = FIELD_RANGES.placedAt;
      if (typeof placedAt !== 'number' || !Number.isFinite(placedAt) || placedAt < r.min || placedAt > r.max) {
        throw new LiveProtocolError('LIVE_INVALID_FIELD', `prediction.placedAt must be epoch ms ${r.min}..${r.max} (got ${describe(placedAt)})`, rid);
      }
      return { type: 'place_prediction', rid, prediction: { id: q.id.toLowerCase(), poolId, outcome: q.outcome, amount, userId, placedAt: Math.round(placedAt) } };
    }
    default:
      throw new LiveProtocolError('LIVE_UNKNOWN_TYPE', `unknown message type ${describe(o.type)}`, rid);
  }
}

/** The `error` response for a protocol error. */
export function errorResponse(err: LiveProtocolError): string {
  return JSON.stringify({ type: 'error', rid: err.rid, code: err.code, message: err.message, ...(err.dependency ? { dependency: err.dependency } : {}) });
}
