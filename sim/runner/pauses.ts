import type { Stream } from '../engine/random.ts';
import { inverseNormal } from './delay.ts';
import { EntityDraws } from './entity-draws.ts';

/**
 * Event-loop pauses: stretches during which a server process's loop runs nothing, although
 * messages wait (a full garbage collection of the interpreter's heap, a blocking call that
 * stalls: a write to a slow socket, a database commit waiting for a checkpoint flush).
 *
 * Per process a renewal process counted in handled messages, not in wall time: what triggers a
 * collection is allocation, what fills a redo log is writes, both in proportion to the work done,
 * so a quiet loop (the connection ramp) pauses less often than a loaded one. The gap to the next
 * pause is exponential with mean `everyMessages` messages; a pause's length is lognormal with
 * median `medianS` and shape `sigma` (long-tailed).
 *
 * A process's first pause waits for an onset (loopPauseOnsetMessages): what stalls must first
 * fill with work (a redo log before its first checkpoint flush, a heap before its first full
 * collection), so a fresh process does not pause; the connection ramp, whose handshakes go through
 * the same loop, runs on fresh processes.
 *
 * A pause starts when the loop takes the message that reaches the count (between two handlers,
 * where a collection runs) and holds the loop for its length; that message and every one behind
 * it wait. perf: nothing per socket or per time slice, one counter decrement per message and two
 * draws per pause.
 */
export class LoopPauses {
  /** false when pauses are off (everyMessages = 0 or median 0): no draws, no effect */
  readonly enabled: boolean;
  /** pauses taken, all processes */
  count = 0;
  /** total pause time, all processes, s */
  totalS = 0;
  /** per process: messages left before its next pause */
  private readonly left: Float64Array;
  /** per process: its gaps and lengths (its k-th pause is the same whatever the others do) */
  private readonly draws: EntityDraws;

  constructor(processes: number, rng: Stream, private readonly everyMessages: number, private readonly medianS: number, private readonly sigma: number, onsetMessages = 0) {
    this.enabled = everyMessages > 0 && medianS > 0;
    this.left = new Float64Array(processes);
    this.draws = new EntityDraws(rng, processes);
    if (this.enabled) for (let p = 0; p < processes; p++) this.left[p] = onsetMessages + this.gap(p);
  }

  /**
   * Process p's loop takes a message at startS: the seconds of pause it first goes through
   * (0 almost always).
   */
  before(p: number): number {
    if (!this.enabled) return 0;
    this.left[p] -= 1;
    if (this.left[p] > 0) return 0;
    this.left[p] += this.gap(p);
    const u = this.draws.next(p);
    const lengthS = this.medianS * Math.exp(this.sigma * inverseNormal(u > 0 ? u : Number.MIN_VALUE));
    this.count++;
    this.totalS += lengthS;
    return lengthS;
  }

  /** process p's messages to its next pause: exponential with the configured mean (at least 1) */
  private gap(p: number): number {
    return Math.max(1, -Math.log(1 - this.draws.next(p)) * this.everyMessages);
  }
}
