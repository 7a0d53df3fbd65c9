import type { Usage } from './usage.ts';

/**
 * Redis background saves (RDB snapshots) of every Redis node copy, as Redis 2.8 runs them under
 * the shipped redis.conf's `save 60 10000` rule: once `afterS` have passed since the last save
 * completed (serverCron compares with `lastsave`, set when a save ends) and at least `changes`
 * writes reached the node since the last save started, the node forks. fork() copies the page
 * tables of the parent in the parent's own (single) thread: for `forkMsPerGB` × the resident set
 * the node serves nothing, and an operation that reaches it then waits for the fork to end
 * (blocking drivers: its loop with it). The child then writes the dataset to a temporary file at
 * `rateBytesPerS` and renames it over dump.rdb; the save ends there, and the next cannot start
 * before `afterS` later, so the cycle is `afterS` + the save's length, which grows with the data.
 *
 * The dataset grows with stored predictions (`bytesPerPrediction` of RDB each, on the node that
 * takes a prediction's writes and on every replica of it); the resident set is taken equal to
 * the RDB plus the empty server's memory (no published ratio of the two for this data).
 *
 * Deterministic: no draws. A save is decided on the simulation clock when the data-store queues
 * advance (at most every 10 ms while anything runs): as soon as the last fork is over and the
 * writes since it started reach `changes`, the next fork is set at the first time the rule allows
 * (the last save's end + afterS, or now if that has passed). At the study's write rates that is
 * a few seconds after a fork, so the next fork window is known about a minute ahead, and
 * operations computed ahead of the clock (a handler behind a held loop, a broadcast check decided
 * at its own time) all see it alike. The price: the fork's length is that of the dataset when
 * the save was decided, not when it forks (up to a minute of predictions fewer).
 */
export class RedisSaves {
  /** false when saves are off (afterS = 0) or there is no Redis node: nothing to do */
  readonly enabled: boolean;
  /** per node copy: the last fork window decided [from, to), s (to = 0: none yet), and when it was decided */
  readonly forkFromS: Float64Array;
  readonly forkToS: Float64Array;
  readonly decidedS: Float64Array;
  /** per node copy: writes since the last fork started (Redis's `dirty` after a BGSAVE's start) */
  readonly dirty: Float64Array;
  /** per node copy: predictions stored in its dataset */
  readonly predictions: Float64Array;
  /** per node copy: service of the commands that piled up during the current fork, s */
  private readonly piledS: Float64Array;
  /** saves started, all nodes; total fork time, s; total save (child) time, s */
  count = 0;
  forkS = 0;
  saveS = 0;
  /** per node copy: when the next save may start (last save's end + afterS); Infinity: not Redis */
  private readonly eligibleS: Float64Array;
  /** per node copy: the decided fork has started (its writes count from then) */
  private readonly started: Uint8Array;

  /**
   * redis: per node copy, true for a Redis copy (masters and replicas alike: each runs the same
   * redis.conf); instance: whose CPU the fork and the child use.
   */
  constructor(
    redis: readonly boolean[],
    private readonly instance: readonly number[],
    private readonly usage: Usage,
    private readonly afterS: number,
    private readonly changes: number,
    private readonly bytesPerPrediction: number,
    private readonly baseBytes: number,
    private readonly forkSPerByte: number,
    private readonly rateBytesPerS: number,
  ) {
    const n = redis.length;
    this.enabled = afterS > 0 && redis.some((r) => r);
    this.forkFromS = new Float64Array(n);
    this.forkToS = new Float64Array(n);
    this.decidedS = new Float64Array(n);
    this.started = new Uint8Array(n).fill(1);
    this.dirty = new Float64Array(n);
    this.predictions = new Float64Array(n);
    this.piledS = new Float64Array(n);
    // lastsave is the server's start: the first save may come afterS after it
    this.eligibleS = Float64Array.from(redis, (r) => (this.enabled && r ? afterS : Infinity));
  }

  /** The clock is at nowS: a decided fork that has begun resets its node's writes; a node whose last fork is over and that has its changes gets its next save decided. */
  tick(nowS: number): void {
    const n = this.eligibleS.length;
    for (let node = 0; node < n; node++) {
      if (this.eligibleS[node] === Infinity) continue;
      if (this.started[node] === 0) {
        // writes from the fork on count towards the next save (dirty − dirty_before_bgsave)
        if (nowS >= this.forkFromS[node]) { this.dirty[node] = 0; this.started[node] = 1; }
      } else if (nowS >= this.forkToS[node] && this.dirty[node] >= this.changes) {
        const at = this.eligibleS[node];
        this.decide(node, at > nowS ? at : nowS, nowS);
      }
    }
  }

  /** Node `node`'s next save forks at t (decided at nowS): its fork window, the save's end, the CPU of both. */
  private decide(node: number, t: number, nowS: number): void {
    const rdb = this.predictions[node] * this.bytesPerPrediction;
    const forkS = (this.baseBytes + rdb) * this.forkSPerByte;
    const saveS = rdb / this.rateBytesPerS;
    this.forkFromS[node] = t;
    this.forkToS[node] = t + forkS;
    this.decidedS[node] = nowS;
    this.piledS[node] = 0;
    this.started[node] = 0;
    this.eligibleS[node] = t + forkS + saveS + this.afterS;
    this.count++;
    this.forkS += forkS;
    this.saveS += saveS;
    // the fork is the parent's CPU; the child serialises, compresses and writes on one core
    const inst = this.instance[node];
    this.usage.cpu(inst, t, forkS);
    this.usage.cpuSpan(inst, t + forkS, saveS);
  }

  /**
   * Extra wait of a run of k operations on `node`, the first reaching it at firstS and the next
   * every cycleS, each served in serviceS: the first one that arrives inside the node's fork
   * window waits for its end and for the commands that piled up before it (served one after the
   * other when the fork ends, in the order they are computed); the ones after it come later by as
   * much. 0 almost always.
   */
  waitOf(node: number, firstS: number, k: number, cycleS: number, serviceS: number): number {
    const to = this.forkToS[node];
    if (firstS >= to) return 0;
    const from = this.forkFromS[node];
    const lastS = firstS + (k - 1) * cycleS;
    if (lastS < from) return 0;
    const j = firstS >= from ? 0 : Math.ceil((from - firstS) / cycleS);
    const at = firstS + j * cycleS;
    if (at >= to) return 0;
    const piled = this.piledS[node];
    this.piledS[node] = piled + serviceS;
    return to - at + piled;
  }
}
