/**
 * The cores of the one machine that every server process of a run shares (Scenario.hostCores:
 * `sim live` runs all of a run's processes on its host). A piece of work (a handler's CPU, an
 * upgrade, a fan-out) needs one core for its whole length: it starts at the earliest time at or
 * after it is ready when some core is free for that long. No preemption: the Linux scheduler
 * gives a runnable task a slice of milliseconds, longer than most of these pieces (a live
 * handler's tenths of a millisecond, a fan-out to a few dozen sockets a millisecond or two),
 * so one that has started runs to its end.
 *
 * Work is given in the order its events are handled, and may be ready ahead of the clock (a
 * handler is computed when its message arrives, and may wait for its loop): each core keeps the
 * intervals it is promised, and later work that fits a gap before one of them takes the gap,
 * so a promise about the future holds up nothing that comes earlier.
 */
export class HostCores {
  /** per core: the [start, end) intervals it is promised, flattened, sorted by start */
  private readonly busy: number[][];

  constructor(readonly cores: number) {
    if (!(Number.isInteger(cores) && cores > 0)) throw new Error(`host cores must be a positive integer, got ${cores}`);
    this.busy = Array.from({ length: cores }, () => []);
  }

  /**
   * Work ready at `readyS` that needs a core for `seconds`, given at clock time `nowS` (intervals
   * that ended by then, and before `readyS`, are forgotten): when it starts. The core is
   * promised from then.
   */
  take(readyS: number, seconds: number, nowS: number): number {
    let best = Infinity;
    let bestCore = 0;
    let bestAt = 0;
    // (a message released by the wheel may be handled a little after its time)
    const forget = readyS < nowS ? readyS : nowS;
    for (let c = 0; c < this.cores; c++) {
      const iv = this.busy[c];
      let drop = 0;
      while (drop < iv.length && iv[drop + 1] <= forget) drop += 2;
      if (drop > 0) iv.splice(0, drop);
      // the first gap at or after readyS that holds the work
      let t = readyS;
      let i = 0;
      for (; i < iv.length; i += 2) {
        if (iv[i + 1] <= t) continue;
        if (iv[i] >= t + seconds) break;
        t = iv[i + 1];
      }
      if (t < best) {
        best = t;
        bestCore = c;
        bestAt = i;
      }
    }
    if (seconds > 0) this.busy[bestCore].splice(bestAt, 0, best, best + seconds);
    return best;
  }
}
