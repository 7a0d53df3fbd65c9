import { describe, expect, it } from 'vitest';
import { FIELD_RANGES, LiveProtocolError, errorResponse, parseRequest, sniffRid } from '../../../live/server/protocol.ts';
import { distribution } from '../../../live/server/parimutuel.ts';

const uuid = '3f2b8c1e-9a4d-4c2b-8f1e-2d3c4b5a6978';
const pred = (over: Record<string, unknown> = {}) => JSON.stringify({ type: 'place_prediction', rid: 1, prediction: { id: uuid, poolId: 1, outcome: 'home', amount: 10, userId: 7, placedAt: 1, ...over } });

function codeOf(data: string, max?: number): string {
  try {
    parseRequest(data, max);
  } catch (err) {
    expect(err).toBeInstanceOf(LiveProtocolError);
    return (err as LiveProtocolError).code;
  }
  return 'OK';
}

describe('parseRequest', () => {
  it('accepts the four requests of the benchmark', () => {
    expect(parseRequest('{"type":"list_games","rid":1}')).toEqual({ type: 'list_games', rid: 1 });
    expect(parseRequest('{"type":"join_game","rid":"a","gameId":1}')).toEqual({ type: 'join_game', rid: 'a', gameId: 1 });
    expect(parseRequest('{"type":"list_pools","rid":2,"gameId":1}')).toEqual({ type: 'list_pools', rid: 2, gameId: 1 });
    expect(parseRequest(pred())).toMatchObject({ type: 'place_prediction', prediction: { id: uuid, amount: 10 } });
  });

  it('rejects bad input with a stable code and keeps the request id when it has one', () => {
    expect(codeOf('{nope')).toBe('LIVE_MALFORMED_JSON');
    expect(codeOf('[1,2]')).toBe('LIVE_MALFORMED_JSON');
    expect(codeOf('{"type":"list_games"}')).toBe('LIVE_INVALID_FIELD');
    expect(codeOf('{"type":"drop_tables","rid":1}')).toBe('LIVE_UNKNOWN_TYPE');
    expect(codeOf('{"type":"join_game","rid":1,"gameId":-1}')).toBe('LIVE_INVALID_FIELD');
    expect(codeOf(pred({ id: 'not-a-uuid' }))).toBe('LIVE_INVALID_FIELD');
    expect(codeOf(pred({ amount: 0 }))).toBe('LIVE_INVALID_FIELD');
    expect(codeOf(pred({ amount: 1.5 }))).toBe('LIVE_INVALID_FIELD');
    expect(codeOf(pred({ outcome: 'DROP TABLE' }))).toBe('LIVE_INVALID_FIELD');
    expect(codeOf(`{"type":"list_games","rid":1,"pad":"${'x'.repeat(200)}"}`, 100)).toBe('LIVE_MESSAGE_TOO_LARGE');
    try {
      parseRequest('{"type":"nope","rid":42}');
    } catch (err) {
      expect((err as LiveProtocolError).rid).toBe(42);
    }
  });
});

describe('what the schema cannot hold is rejected before anything is written', () => {
  const messageOf = (data: string): string => {
    try {
      parseRequest(data);
    } catch (err) {
      return (err as LiveProtocolError).message;
    }
    return 'OK';
  };

  it('names the field and its range', () => {
    expect(messageOf(pred({ userId: 2 ** 31 }))).toBe(`prediction.userId must be an integer 0..${FIELD_RANGES.userId.max} (got 2147483648)`);
    expect(messageOf(pred({ userId: 2 ** 31 - 1 }))).toBe('OK');
    expect(messageOf(pred({ poolId: 2 ** 31 }))).toMatch(/^prediction\.poolId must be an integer 0\.\.2147483647/);
    expect(messageOf(pred({ placedAt: 1e300 }))).toBe('prediction.placedAt must be epoch ms 0..8640000000000000 (got 1e+300)');
    expect(messageOf(pred({ placedAt: -1 }))).toMatch(/^prediction\.placedAt must be epoch ms/);
    expect(messageOf(pred({ amount: 1_000_001 }))).toBe('prediction.amount must be an integer 1..1000000 (got 1000001)');
    expect(messageOf('{"type":"join_game","rid":1,"gameId":4294967296}')).toBe('gameId must be an integer 0..2147483647 (got 4294967296)');
    expect(messageOf(`{"type":"list_games","rid":"${'r'.repeat(200)}"}`)).toMatch(/^rid must be a number or a string of at most 128 characters/);
  });

  it('keeps the rid of a message it cannot parse whole, when it can be read', () => {
    expect(sniffRid('{"type":"list_games","rid":9,"pad":"xxxx')).toBe(9);
    expect(sniffRid('{"rid":"abc","type":')).toBe('abc');
    expect(sniffRid('{"type":"x","nested":{"rid":4}}')).toBeNull();
    expect(sniffRid('not json')).toBeNull();
    try {
      parseRequest(`{"type":"list_games","rid":"big","pad":"${'x'.repeat(300)}"}`, 100);
    } catch (err) {
      expect(JSON.parse(errorResponse(err as LiveProtocolError))).toMatchObject({ type: 'error', rid: 'big', code: 'LIVE_MESSAGE_TOO_LARGE' });
    }
  });
});

describe('parimutuel distribution', () => {
  it('pays the pot minus the take pro rata to the winning side', () => {
    const d = distribution({ home: 60, draw: 30, away: 10 }, ['home', 'draw', 'away'], 3, 0.05);
    expect(d.total).toBe(100);
    expect(d.odds.home).toBeCloseTo(95 / 60, 12);
    expect(d.odds.draw).toBeCloseTo(95 / 30, 12);
    expect(d.odds.away).toBeCloseTo(9.5, 12);
    // whichever side wins, the payout is the pot minus the take
    for (const o of ['home', 'draw', 'away'] as const) expect(d.totals[o] * d.odds[o]!).toBeCloseTo(95, 9);
  });

  it('lists unbacked outcomes with null odds and rejects nonsense', () => {
    const d = distribution({ home: 5 }, ['home', 'draw'], 1);
    expect(d.totals.draw).toBe(0);
    expect(d.odds.draw).toBeNull();
    expect(() => distribution({ home: -1 }, ['home'], 1)).toThrow(RangeError);
    expect(() => distribution({}, ['home'], 0, 1)).toThrow(RangeError);
  });
});
