import { forkChild, type Child } from '../children.ts';
import type { LoadgenOptions, LoadgenResult, LoadgenTick } from './loadgen.ts';
import { mergeLoadgenResults } from './merge.ts';
import { LOADGEN_CONFIG_ENV } from '../spawn.ts';

/**
 * Users one load-generator process carries at most: each holds a socket, a process may open
 * 20,000 files on common Linux set-ups (`ulimit -Hn`), and one process's loop must keep up with
 * the updates its users receive (bench case live-loadgen).
 */
export const LOADGEN_USERS_PER_PROCESS = 12_000;

/** Several generator processes sharing one run's users, merged into one result. */
export interface LoadgenPool {
  children: Child[];
  result: Promise<LoadgenResult>;
  /** asks every generator to stop now (they still drain and send their results) */
  stop(): void;
}

/**
 * Splits a run's users over `ceil(users / perProcess)` generator processes: each region's users
 * are shared out evenly, each process gets a disjoint range of user ids, its share of the ramp
 * (so the run still connects `rampPerSecond` users per second) and its own seed (the first keeps
 * the run's seed, so a run that fits in one process is the same as before). Ticks are summed over
 * the processes; the result is the exact merge of theirs (merge.ts).
 */
export function startLoadgens(opts: LoadgenOptions, timeoutMs: number, onTick?: (t: LoadgenTick) => void, perProcess = LOADGEN_USERS_PER_PROCESS): LoadgenPool {
  const users = opts.targets.reduce((s, t) => s + t.users, 0);
  const k = Math.max(1, Math.ceil(users / perProcess));
  const shares = Array.from({ length: k }, (_, g) => opts.targets.map((t) => ({ ...t, users: Math.floor(t.users / k) + (g < t.users % k ? 1 : 0) })));
  const ticks: (LoadgenTick | null)[] = Array(k).fill(null);
  let idBase = opts.userIdBase;
  const children = shares.map((targets, g) => {
    const n = targets.reduce((s, t) => s + t.users, 0);
    const o: LoadgenOptions = { ...opts, targets, userIdBase: idBase, seed: g === 0 ? opts.seed : `${opts.seed}/generator-${g + 1}`, rampPerSecond: (opts.rampPerSecond * n) / Math.max(1, users), onTick: undefined };
    idBase += n;
    return forkChild('loadgen/loadgenMain.ts', { [LOADGEN_CONFIG_ENV]: JSON.stringify(o) }, (m) => {
      const t = (m as { tick?: LoadgenTick }).tick;
      if (m?.type !== 'tick' || !t) return;
      ticks[g] = t;
      if (g === 0 && onTick) {
        const all = ticks.filter((x): x is LoadgenTick => x !== null);
        onTick({
          elapsedMs: t.elapsedMs, connected: all.reduce((s, x) => s + x.connected, 0), requests: all.reduce((s, x) => s + x.requests, 0),
          confirmed: all.reduce((s, x) => s + x.confirmed, 0), messages: all.reduce((s, x) => s + x.messages, 0), loopP99Ms: Math.max(...all.map((x) => x.loopP99Ms)),
          bytes: all.some((x) => x.bytes) ? { up: all.reduce((s, x) => s + (x.bytes?.up ?? 0), 0), down: all.reduce((s, x) => s + (x.bytes?.down ?? 0), 0) } : undefined,
        });
      }
    });
  });
  const result = Promise.all(children.map((c) => c.waitFor<{ result: LoadgenResult }>(['result'], timeoutMs))).then((rs) => mergeLoadgenResults(rs.map((r) => r.result)));
  return { children, result, stop: () => { for (const c of children) c.proc.send?.({ type: 'stop' }); } };
}
