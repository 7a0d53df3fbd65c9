/**
 * The listen (accept) queue of each server process's socket (SYSTEM.md §2 "What each part of a
 * connection needs on the server"): nginx's upstream connection to a Tornado process completes
 * its TCP handshake in the kernel, without the process, and waits in the queue until the
 * process's loop accepts it. Linux drops an incoming SYN when the queue is full
 * (`sk_acceptq_is_full`: more than the backlog waiting, so backlog + 1 connections fit).
 *
 * A connection waits from its upstream connect (the time its upgrade request reaches the process)
 * to its acceptance, taken as the time the loop takes its upgrade (its FIFO start). A loop takes
 * its messages in order, so acceptance times of one process are non-decreasing in arrival order:
 * each process's queue is a ring of those times, and the connections accepted by a time are the
 * ones at its front. Exact for that rule, no randomness.
 *
 * perf: a process with no more users than fit in its queue can never overflow and keeps no ring;
 * one array for all rings, sized once.
 */
export class ListenBacklog {
  /** SYNs dropped on a full queue, all processes (each retry that finds it full counts again) */
  drops = 0;
  /** per process: offset of its ring in `acceptS`, and its capacity (0: it never overflows) */
  private readonly first: Int32Array;
  private readonly cap: Int32Array;
  /** per process: index of the oldest waiting connection within its ring, and how many wait */
  private readonly head: Int32Array;
  private readonly size: Int32Array;
  /** acceptance times of the waiting connections, s */
  private readonly acceptS: Float64Array;

  /**
   * @param usersPerProcess users routed to each process (a bound on how many can ever wait)
   * @param backlog the listen backlog; a SYN that finds more than this many waiting is dropped
   */
  constructor(usersPerProcess: Int32Array, backlog: number) {
    const n = usersPerProcess.length;
    const fit = backlog + 1;
    this.first = new Int32Array(n);
    this.cap = new Int32Array(n);
    this.head = new Int32Array(n);
    this.size = new Int32Array(n);
    let total = 0;
    for (let p = 0; p < n; p++) {
      this.first[p] = total;
      if (usersPerProcess[p] > fit) total += this.cap[p] = fit;
    }
    this.acceptS = new Float64Array(total);
  }

  /**
   * An upstream connection reaches process p's queue at aS: true when it enters (the caller then
   * calls `accepted`), false when the queue is full and its SYN is dropped. Call in time order
   * per process.
   */
  admit(p: number, aS: number): boolean {
    const cap = this.cap[p];
    if (cap === 0) return true;
    // connections accepted by aS have left the queue
    const base = this.first[p];
    let head = this.head[p];
    let size = this.size[p];
    while (size > 0 && this.acceptS[base + head] <= aS) {
      head = head + 1 === cap ? 0 : head + 1;
      size--;
    }
    this.head[p] = head;
    this.size[p] = size;
    if (size < cap) return true;
    this.drops++;
    return false;
  }

  /**
   * The connection just admitted to process p is accepted at acceptS (not before any connection
   * admitted to p earlier).
   * @throws Error when acceptance times go backwards (the ring would no longer be in order)
   */
  accepted(p: number, acceptS: number): void {
    const cap = this.cap[p];
    if (cap === 0) return;
    const size = this.size[p];
    const base = this.first[p];
    const tail = (this.head[p] + size) % cap;
    if (size > 0) {
      const last = this.acceptS[base + (tail === 0 ? cap - 1 : tail - 1)];
      if (acceptS < last) throw new Error(`listen backlog invariant violated: process ${p} accepts at ${acceptS} s after ${last} s`);
    }
    this.acceptS[base + tail] = acceptS;
    this.size[p] = size + 1;
  }
}
