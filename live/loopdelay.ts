import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Sampling interval of the event-loop delay monitor, ms. */
export const LOOP_SAMPLE_MS = 10;

/** Event-loop delay over one interval: how late the loop ran beyond its sampling timer, ms. */
export interface LoopDelay {
  meanMs: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Measures this process's event-loop delay (perf_hooks.monitorEventLoopDelay). The monitor
 * records the full time between its timer ticks, so the sampling interval is subtracted: an idle
 * loop reads ~0 ms, a loop that could not run for 30 ms reads ~30.
 */
export class LoopDelayMonitor {
  private readonly h: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  constructor() {
    this.h.enable();
  }
  /** Delay since the previous call (or start), then resets. */
  take(): LoopDelay {
    const h = this.h;
    const lag = (ns: number) => Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS);
    const out = h.count ? { meanMs: lag(h.mean), p99Ms: lag(h.percentile(99)), maxMs: lag(h.max) } : { meanMs: 0, p99Ms: 0, maxMs: 0 };
    h.reset();
    return out;
  }
  stop(): void {
    this.h.disable();
  }
}
