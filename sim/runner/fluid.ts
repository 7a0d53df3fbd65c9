/**
 * Queues of the data nodes (Redis single-threaded, MySQL on c cores) without an event per
 * operation.
 *
 * Why not a FIFO (Lindley) recursion per node: operations are booked when a handler starts, at
 * arrival times in the future (a blocking handler books its tenth query ten round trips ahead).
 * Lindley with out-of-order bookings lets a booking far ahead block earlier ones wrongly.
 *
 * Instead, a fluid backlog in small time bins (ring buffer of BIN_S bins per node): a booking
 * adds its service work to the bin of its arrival time; when the clock passes a bin, the bin is
 * closed: backlog = max(0, backlog + work − cores·BIN_S). The wait of a booking is
 *   backlog / cores                     (work carried in, first-come-first-served), plus
 *   in-bin term: M/D/c Pollaczek–Khinchine wait at the recent utilisation ρ (capped below 1)
 *                ρ·s / (2·c·(1 − ρ)),
 * so waits are order-insensitive, cost O(1) per booking, and overload shows as a backlog that
 * grows bin after bin. Approximations (docs/model.md): the backlog is the one at the last closed
 * bin (a booking ahead does not see the work booked between now and its arrival); within a bin
 * the queue is the stationary M/D/c figure.
 */
export const BIN_S = 0.01;
const BINS_PER_S = 100;
/** Bins kept per node: bookings further ahead than RING × BIN_S (~655 s) land in the last bin. */
const RING = 1 << 16;
const MASK = RING - 1;
/** Smoothing of the utilisation estimate per closed bin (time constant ~ 1/(1 − DECAY) bins). */
const DECAY = 0.95;
const RHO_CAP = 0.95;

import type { Usage } from './usage.ts';

export class FluidQueues {
  /** service work booked per (node, bin), core-seconds */
  private readonly work: Float64Array;
  /** backlog carried out of the last closed bin, core-seconds */
  readonly backlog: Float64Array;
  /** work booked in open bins, per node (to skip idle stretches) */
  private readonly openWork: Float64Array;
  private readonly rho: Float64Array;
  private readonly cores: Float64Array;
  /** total service work ever booked, per node (s) */
  readonly busyS: Float64Array;
  /** largest backlog seen, per node (s of wait) */
  readonly maxWaitS: Float64Array;

  /**
   * cores: parallel servers per node; instance: whose CPU its work is (added per closed bin, so
   * booking costs no accounting).
   */
  constructor(cores: readonly number[], private readonly instance: readonly number[], private readonly usage: Usage) {
    const n = cores.length;
    this.work = new Float64Array(n * RING);
    this.backlog = new Float64Array(n);
    this.openWork = new Float64Array(n);
    this.rho = new Float64Array(n);
    this.cores = Float64Array.from(cores);
    this.busyS = new Float64Array(n);
    this.maxWaitS = new Float64Array(n);
    this.baseWaitS = new Float64Array(n);
    this.inBin = new Float64Array(n);
  }

  /** Time from which the next bin can be closed, s (a single compare tells callers to advance). */
  nextCloseS = BIN_S;
  /** Absolute index of the next bin to close (all nodes advance together). */
  private next = 0;
  /** per node: wait carried in (backlog / cores) and the in-bin factor rho / (2c(1 − rho)), fixed until the next close */
  private readonly baseWaitS: Float64Array;
  private readonly inBin: Float64Array;

  /** Closes every bin that ends at or before `nowS`, on every node. */
  advance(nowS: number): void {
    const nowBin = Math.floor(nowS * BINS_PER_S);
    if (nowBin <= this.next) {
      this.nextCloseS = (this.next + 1) / BINS_PER_S;
      return;
    }
    for (let node = 0; node < this.cores.length; node++) this.roll(node, this.next, nowBin);
    this.next = nowBin;
    this.nextCloseS = (nowBin + 1) / BINS_PER_S;
  }

  private roll(node: number, from: number, nowBin: number): void {
    const c = this.cores[node];
    const capacity = c * BIN_S;
    const base = node * RING;
    let backlog = this.backlog[node];
    let rho = this.rho[node];
    let open = this.openWork[node];
    let k = from;
    while (k < nowBin) {
      if (open <= 0 && backlog <= 0) {
        // perf: an idle stretch closes in one step
        rho *= DECAY ** Math.min(1000, nowBin - k);
        break;
      }
      const slot = base + (k & MASK);
      const w = this.work[slot];
      if (w > 0) {
        this.work[slot] = 0;
        this.usage.cpu(this.instance[node], k * BIN_S, w);
      }
      open -= w;
      backlog += w - capacity;
      if (backlog < 0) backlog = 0;
      rho = DECAY * rho + (1 - DECAY) * (w / capacity);
      k++;
    }
    this.backlog[node] = backlog;
    this.rho[node] = rho;
    this.openWork[node] = open < 1e-9 ? 0 : open;
    const wait = backlog / c;
    if (wait > this.maxWaitS[node]) this.maxWaitS[node] = wait;
    this.baseWaitS[node] = wait;
    const r = rho > RHO_CAP ? RHO_CAP : rho;
    this.inBin[node] = r / (2 * c * (1 - r));
  }

  /** Closes every bin up to `endS` on every node (the run is over). */
  closeAll(endS: number): void {
    this.advance(endS);
  }

  /** The wait before service of an operation of `serviceS` at `node` now (no booking). */
  waitOf(node: number, serviceS: number): number {
    return this.baseWaitS[node] + this.inBin[node] * serviceS;
  }

  /** Adds `workS` of service arriving at `node` at time `atS` (see book). */
  add(node: number, atS: number, workS: number): void {
    let bin = (atS * BINS_PER_S) | 0;
    const first = this.next;
    if (bin < first) bin = first;
    else if (bin >= first + RING) bin = first + RING - 1;
    this.work[node * RING + (bin & MASK)] += workS;
    this.openWork[node] += workS;
    this.busyS[node] += workS;
  }

  /**
   * Books `serviceS` of work arriving at `node` at time `atS` (>= the time of the last advance)
   * and returns the wait before service starts, in seconds. Callers advance() first when the
   * clock has reached nextCloseS.
   */
  book(node: number, atS: number, serviceS: number): number {
    // perf: multiply-and-truncate instead of Math.floor(a / b); times are >= 0 and < 2^31 bins
    let bin = (atS * BINS_PER_S) | 0;
    const first = this.next;
    if (bin < first) bin = first;
    else if (bin >= first + RING) bin = first + RING - 1;
    this.work[node * RING + (bin & MASK)] += serviceS;
    this.openWork[node] += serviceS;
    this.busyS[node] += serviceS;
    return this.baseWaitS[node] + this.inBin[node] * serviceS;
  }
}
