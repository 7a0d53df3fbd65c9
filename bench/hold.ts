import { Kernel, type KernelOptions } from '../sim/engine/kernel.ts';
import { Stream } from '../sim/engine/random.ts';

/**
 * The hold model, the classic event-queue benchmark: `pending` events wait; each one, when it
 * runs, schedules one more Exp(1) s ahead, until `events` have run. It measures the queue alone,
 * at a chosen queue size. Delays come from a table of seeded draws so that drawing costs
 * little and the same for every queue configuration.
 */
export interface HoldResult {
  pending: number;
  events: number;
  wallS: number;
  cpuS: number;
}

const TABLE_BITS = 16;

export function runHold(pending: number, events: number, options: KernelOptions = {}): HoldResult {
  const rng = new Stream('hold');
  const delays = new Float64Array(1 << TABLE_BITS);
  for (let i = 0; i < delays.length; i++) delays[i] = rng.exp(1);
  const mask = delays.length - 1;
  const kernel = new Kernel(pending + 16, options);
  let j = 0;
  let left = events;
  const kind = kernel.on((p, now) => {
    if (--left > 0) kernel.at(now + delays[j++ & mask], kind, p);
    else kernel.stop();
  });
  for (let i = 0; i < pending; i++) kernel.at(delays[j++ & mask], kind, i);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  kernel.run();
  const wallS = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  if (kernel.executed !== events) throw new Error(`hold invariant violated: ran ${kernel.executed} of ${events} events`);
  return { pending, events, wallS, cpuS: (used.user + used.system) / 1e6 };
}
