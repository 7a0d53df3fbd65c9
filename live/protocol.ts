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
 *   { type: 'error', rid|null, code, message }
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
  | 'LIVE_INTERNAL';

/** A request the server rejects; becomes an `error` response, never a crash. */
export class LiveProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  readonly rid: string | number | null;
  constructor(code: ProtocolErrorCode, message: string, rid: string | number | null = null) {
    super(message);
    this.name = 'LiveProtocolError';
    this.code = code;
    this.rid = rid;
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

/** The pushed pool distribution update. */
export interface PoolUpdate {
  type: 'pool_update';
  gameId: number;
  poolId: number;
  distribution: Distribution;
  /** epoch ms when the publishing server published it */
  publishedAt: number;
  /** id of the publishing process (for the duplicate-window checks) */
  publisher: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OUTCOME = /^[a-z0-9_]{1,16}$/;

function intField(o: Record<string, unknown>, key: string, rid: string | number | null): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new LiveProtocolError('LIVE_INVALID_FIELD', `${key} must be a non-negative integer`, rid);
  }
  return v;
}

/**
 * Parses one text frame into a request. Throws LiveProtocolError (never anything else) for a
 * frame over `maxBytes`, malformed JSON, an unknown type or an invalid field.
 */
export function parseRequest(data: string | Buffer, maxBytes: number = LIVE_LIMITS.maxMessageBytes): Request {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (size > maxBytes) throw new LiveProtocolError('LIVE_MESSAGE_TOO_LARGE', `message of ${size} bytes exceeds ${maxBytes}`);
  let msg: unknown;
  try {
    msg = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    throw new LiveProtocolError('LIVE_MALFORMED_JSON', 'message is not valid JSON');
  }
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) throw new LiveProtocolError('LIVE_MALFORMED_JSON', 'message must be a JSON object');
  const o = msg as Record<string, unknown>;
  const rid = typeof o.rid === 'string' || typeof o.rid === 'number' ? o.rid : null;
  if (rid === null) throw new LiveProtocolError('LIVE_INVALID_FIELD', 'rid must be a string or number');
  switch (o.type) {
    case 'list_games':
      return { type: 'list_games', rid };
    case 'join_game':
      return { type: 'join_game', rid, gameId: intField(o, 'gameId', rid) };
    case 'list_pools':
      return { type: 'list_pools', rid, gameId: intField(o, 'gameId', rid) };
    case 'place_prediction': {
      const p = o.prediction;
      if (!p || typeof p !== 'object') throw new LiveProtocolError('LIVE_INVALID_FIELD', 'prediction must be an object', rid);
      const q = p as Record<string, unknown>;
      if (typeof q.id !== 'string' || !UUID.test(q.id)) throw new LiveProtocolError('LIVE_INVALID_FIELD', 'prediction.id must be a uuid', rid);
      if (typeof q.outcome !== 'string' || !OUTCOME.test(q.outcome)) throw new LiveProtocolError('LIVE_INVALID_FIELD', 'prediction.outcome must match [a-z0-9_]{1,16}', rid);
      const amount = intField(q, 'amount', rid);
      if (amount < 1 || amount > LIVE_LIMITS.maxAmount) throw new LiveProtocolError('LIVE_INVALID_FIELD', `prediction.amount must be 1..${LIVE_LIMITS.maxAmount}`, rid);
      const placedAt = q.placedAt;
      if (typeof placedAt !== 'number' || !Number.isFinite(placedAt)) throw new LiveProtocolError('LIVE_INVALID_FIELD', 'prediction.placedAt must be epoch ms', rid);
      return {
        type: 'place_prediction', rid,
        prediction: { id: q.id.toLowerCase(), poolId: intField(q, 'poolId', rid), outcome: q.outcome, amount, userId: intField(q, 'userId', rid), placedAt },
      };
    }
    default:
      throw new LiveProtocolError('LIVE_UNKNOWN_TYPE', `unknown message type ${JSON.stringify(o.type)}`, rid);
  }
}

/** The `error` response for a protocol error. */
export function errorResponse(err: LiveProtocolError): string {
  return JSON.stringify({ type: 'error', rid: err.rid, code: err.code, message: err.message });
}
