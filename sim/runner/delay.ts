import type { Stream } from '../engine/random.ts';
import { EntityDraws, type Counters } from './entity-draws.ts';

/**
 * One-way message delays on a client path: base (half the RTT) + jitter + retransmissions, drawn
 * per entity (a user's messages, a process's fan-out samples: entity-draws.ts), so that an
 * entity's k-th delay is the same whatever the others did.
 *
 * jitter = scale × L, L lognormal with median 1 and shape sigma (long-tailed, never negative:
 * queueing only ever adds delay). A lost message (probability `loss`) costs one retransmission
 * timeout on top.
 *
 * perf: L comes from a precomputed inverse-CDF table (4,096 quantiles, 32 KB: it stays in cache,
 * which a 65,536-entry table did not at 10^6 users; ~9 % less CPU on the sustained case) instead
 * of a Box–Muller draw (log, sqrt, cos) per message, and ONE uniform decides both loss and the
 * jitter quantile (u < loss: lost; otherwise (u − loss)/(1 − loss) is a fresh uniform for the
 * table). A draw in the top cell (1 in 4,096) is computed exactly instead, so the extreme tail
 * (p99.98 and beyond) is not cut at the last quantile of the table.
 */
const TABLE_BITS = 12;
const TABLE_SIZE = 1 << TABLE_BITS;

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function inverseNormal(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

export class DelaySampler {
  private readonly table: Float64Array;
  private readonly draws: EntityDraws;

  /** `entities`: how many entities draw (ids 0 … entities − 1), or where their counters are kept. */
  constructor(stream: Stream, private readonly sigma: number, entities: number | Counters) {
    this.table = new Float64Array(TABLE_SIZE);
    for (let i = 0; i < TABLE_SIZE; i++) this.table[i] = Math.exp(sigma * inverseNormal((i + 0.5) / TABLE_SIZE));
    this.draws = new EntityDraws(stream, entities);
  }

  /**
   * Entity i's next one-way delay in seconds: `halfRttS` + `jitterS` × L, plus `rtoS` when the
   * message is lost (probability `loss`).
   */
  oneWay(i: number, halfRttS: number, jitterS: number, loss: number, rtoS: number): number {
    const u = this.draws.next(i);
    if (u < loss) {
      // lost: one retransmission timeout, then the retransmission itself travels
      return rtoS + halfRttS + jitterS * this.jitter(this.draws.next(i));
    }
    return halfRttS + jitterS * this.jitter((u - loss) / (1 - loss));
  }

  /** The lognormal quantile at v ∈ [0, 1): from the table, or exactly in its top cell. */
  private jitter(v: number): number {
    const i = (v * TABLE_SIZE) | 0;
    return i < TABLE_SIZE - 1 ? this.table[i] : Math.exp(this.sigma * inverseNormal(v));
  }
}
