import type { Distribution } from './protocol.ts';

/** Share of every pool the operator keeps before paying out (a parimutuel take). */
export const DEFAULT_TAKE = 0.05;

/**
 * The parimutuel distribution of a pool: all stakes go into one pot; after the operator's take,
 * the pot is shared among those who backed the winning outcome in proportion to their stake.
 * `odds[o]` is the payout per unit staked on outcome `o` if it wins: pot·(1−take)/totals[o];
 * null while nobody has backed `o`.
 *
 * @param totals stake per outcome (non-negative)
 * @param outcomes every outcome of the pool, so unbacked ones appear with 0 and null odds
 * @param count number of predictions counted
 * @throws RangeError when a stake is negative or the take is outside [0, 1)
 */
export function distribution(totals: Record<string, number>, outcomes: readonly string[], count: number, take = DEFAULT_TAKE): Distribution {
  if (!(take >= 0 && take < 1)) throw new RangeError(`take must be in [0, 1) (got ${take})`);
  const t: Record<string, number> = {};
  let total = 0;
  for (const o of outcomes) {
    const v = totals[o] ?? 0;
    if (!(v >= 0)) throw new RangeError(`stake on ${o} must be >= 0 (got ${v})`);
    t[o] = v;
    total += v;
  }
  const odds: Record<string, number | null> = {};
  for (const o of outcomes) odds[o] = t[o] > 0 ? (total * (1 - take)) / t[o] : null;
  return { totals: t, total, odds, count };
}
