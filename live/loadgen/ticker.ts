import type { LoopDelayMonitor } from '../loopdelay.ts';
import type { LoadgenOptions, LoadgenTick } from './loadgen.ts';
import type { RegionRecorder, RunControl, VirtualUser } from './vuser.ts';

/** The generator's loop-lag p99 per second (a late tick stands for every second it missed, with its lateness as the lag) and `onTick`. */
export function startLagTicker(loop: LoopDelayMonitor, recs: Map<string, RegionRecorder>, ctl: RunControl, opts: LoadgenOptions, bytes: () => LoadgenTick['bytes']) {
  const lagP99: number[] = [];
  let lagMax = 0;
  const total = () => {
    let connected = 0, requests = 0, confirmed = 0, received = 0;
    for (const r of recs.values()) { connected += r.connected; requests += r.requests; confirmed += r.confirmed; received += r.broadcastsReceived; }
    return { connected, requests, confirmed, received };
  };
  let lastTick = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    const d = loop.take();
    const late = Math.max(0, now - lastTick - 1000);
    const seconds = Math.max(1, Math.round((now - lastTick) / 1000));
    lastTick = now;
    const p99 = Math.max(d.p99Ms, late);
    for (let k = 0; k < seconds; k++) lagP99.push(p99);
    if (Math.max(d.maxMs, late) > lagMax) lagMax = Math.max(d.maxMs, late);
    const t = total();
    opts.onTick?.({ elapsedMs: performance.now() - ctl.t0, connected: t.connected, requests: t.requests, confirmed: t.confirmed, messages: 2 * t.requests + t.received, loopP99Ms: p99, bytes: bytes() });
  }, 1000);
  return { ticker, total, lagP99, lagMax: () => lagMax };
}

/** Bytes all users' sockets sent and read. */
export function bytesOf(users: readonly VirtualUser[]): { up: number; down: number } {
  let up = 0, down = 0;
  for (const u of users) {
    const b = u.bytes();
    up += b.up;
    down += b.down;
  }
  return { up, down };
}
