import type net from 'node:net';
import { SEND_EARLY_TOLERANCE_MS, type DueClock, type Waiter } from './dueclock.ts';
import type { ReleaseErrors } from './releaseErrors.ts';

/**
 * One direction of an emulated network path.
 * - `delayMs`: one-way delay added to every chunk (half the path's RTT)
 * - `jitterMs`: each chunk's delay is drawn uniformly in delayMs ± jitterMs (never below 0)
 * - `loss`: probability a chunk is "lost"; TCP hides a loss as a retransmission, so it costs
 *   `rtoMs` of extra delay instead of missing bytes
 */
export interface LinkSpec {
  delayMs: number;
  jitterMs: number;
  loss: number;
  rtoMs: number;
}

/**
 * The delay of one chunk on a link, ms: the one-way delay plus `extraMs` (connection setup), drawn
 * uniformly within ± jitter (never below 0), plus a retransmission timeout when the chunk is
 * "lost" (counted in `stats.lost`). Callers keep chunks in order: due = max(previous due, now + d).
 */
export function drawDelayMs(link: LinkSpec, extraMs: number, rng: () => number, stats: { lost: number }): number {
  let d = link.delayMs + extraMs;
  if (link.jitterMs > 0) d = Math.max(0, d + (rng() * 2 - 1) * link.jitterMs);
  if (link.loss > 0 && rng() < link.loss) {
    d += link.rtoMs;
    stats.lost++;
  }
  return d;
}

/** Bytes a delay line may hold before it stops reading its source (backpressure). */
export const PROXY_MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/** Counters of one proxy, shared by the delay lines of both its directions. */
export interface LineStats {
  bytes: number;
  chunks: number;
  lost: number;
  latenessSum: number;
  latenessMax: number;
}

/**
 * One direction of one connection: chunks leave in arrival order, each no earlier than its own
 * due time. A chunk's due time is max(previous due, arrival + drawn delay), so jitter never
 * reorders bytes, exactly as TCP delivers them in order. Chunks due together are written to the
 * socket in one corked batch (one writev).
 */
export class DelayLine implements Waiter {
  // perf: chunks[head..tail) wait; the arrays keep their capacity when the line empties (most
  // lines hold one chunk at a time, and truncating them made every push allocate anew)
  private readonly chunks: (Buffer | undefined)[] = [];
  private readonly due: number[] = [];
  private head = 0;
  private tail = 0;
  private lastDue = 0;
  private queuedBytes = 0;
  private paused = false;
  private ended = false;
  /** position in the clock's heap, -1 when not waiting there */
  heapIndex = -1;
  /** due time of the first waiting chunk (the heap key) */
  wakeAt = 0;

  constructor(
    private readonly from: net.Socket,
    private readonly to: net.Socket,
    private readonly link: LinkSpec,
    private readonly rng: () => number,
    private readonly stats: LineStats,
    /** extra delay of the first chunk only (connection setup), ms */
    private setupMs: number,
    private readonly clock: DueClock,
    /** where each chunk's release error is counted (write time − due time) */
    private readonly errors: ReleaseErrors,
    /** false when the source was opened with `onread` and hands its chunks to `push` itself */
    listen = true,
  ) {
    if (listen) from.on('data', (b: Buffer) => this.push(b));
    from.on('end', () => {
      this.ended = true;
      if (this.heapIndex < 0) this.flush();
    });
    to.on('drain', () => { if (this.heapIndex < 0) this.flush(); });
  }

  /** Takes a chunk read from the source (the caller owns nothing of it afterwards). */
  push(b: Buffer): void {
    const now = this.clock.time.now();
    const d = drawDelayMs(this.link, this.setupMs, this.rng, this.stats);
    this.setupMs = 0;
    const due = Math.max(this.lastDue, now + d);
    this.lastDue = due;
    if (this.tail === this.chunks.length) {
      this.chunks.push(b);
      this.due.push(due);
    } else {
      this.chunks[this.tail] = b;
      this.due[this.tail] = due;
    }
    this.tail++;
    this.queuedBytes += b.length;
    if (this.queuedBytes > PROXY_MAX_QUEUED_BYTES && !this.paused) {
      this.paused = true;
      this.from.pause();
    }
    // the first waiting chunk: the line joins the clock (later ones wait behind it)
    if (this.head === this.tail - 1) {
      if (due - now <= SEND_EARLY_TOLERANCE_MS) this.flush(now);
      else {
        this.wakeAt = due;
        this.clock.add(this);
      }
    }
  }

  /** Sends every chunk due by `now`; re-joins the clock for the next one, if any. */
  flush(now = this.clock.time.now()): void {
    const to = this.to;
    const open = !to.destroyed;
    let corked = false;
    // the chunks of one flush leave in one (corked) write: the time now, not the tick's, is
    // their write time (lines flushed later in a tick leave later)
    const writtenAt = this.clock.time.now();
    while (this.head < this.tail) {
      const due = this.due[this.head];
      if (due - now > SEND_EARLY_TOLERANCE_MS) {
        if (corked) to.uncork();
        if (this.heapIndex < 0) {
          this.wakeAt = due;
          this.clock.add(this);
        }
        return;
      }
      const b = this.chunks[this.head]!;
      this.chunks[this.head] = undefined;
      this.head++;
      this.queuedBytes -= b.length;
      const error = writtenAt - due;
      this.errors.record(error);
      const late = error > 0 ? error : 0;
      this.stats.latenessSum += late;
      if (late > this.stats.latenessMax) this.stats.latenessMax = late;
      this.stats.bytes += b.length;
      this.stats.chunks++;
      if (open) {
        if (!corked && this.head < this.tail) {
          to.cork();
          corked = true;
        }
        to.write(b);
      }
    }
    if (corked) to.uncork();
    this.head = 0;
    this.tail = 0;
    if (this.paused && this.queuedBytes < PROXY_MAX_QUEUED_BYTES / 2) {
      this.paused = false;
      this.from.resume();
    }
    if (this.ended && !this.to.destroyed) this.to.end();
  }

  destroy(): void {
    this.clock.remove(this);
  }
}
