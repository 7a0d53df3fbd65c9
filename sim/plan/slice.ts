import type { Params } from '../../model/params.ts';
import type { Scenario } from '../../model/workload.ts';
import { usersPerRegion } from '../../model/workload.ts';
import type { SimInput } from '../input.ts';
import { buildArchitecture, isCentral, type Design } from './design.ts';

/**
 * Scaled-down equivalents of a large run. Server instances of a group are independent of each
 * other (clients are spread round-robin; each instance has its own processes and sockets),
 * and server groups of different regions share only the masters in the hub. So a run with
 * fewer instances per group and the same users per instance (same ramp per instance, same
 * broadcast fan-out per process) shows the latencies each instance would see at full scale —
 * except for the shared masters, which see only the slice's load: their full-scale load is
 * checked by capacity.ts instead. A slice is used only when the full run would exceed
 * `maxUsers` simulated users.
 */
export interface Slice {
  input: SimInput;
  /** full users / simulated users (1 when not sliced) */
  scale: number;
  simulatedUsers: number;
  /** simulated instances per group */
  counts: Record<string, number>;
}

export function sliceInput(d: Design, scenario: Scenario, params: Params, seed: number, maxUsers: number, name: string): Slice {
  const full = usersPerRegion(scenario.users, scenario.regionMix);
  const fraction = Math.min(1, maxUsers / scenario.users);
  const counts: Record<string, number> = {};
  const simUsers: Record<string, number> = {};
  if (isCentral(d.layout)) {
    const c = d.counts[d.hub];
    const sc = fraction >= 1 ? c : Math.max(1, Math.min(c, Math.ceil(c * fraction)));
    counts[d.hub] = sc;
    for (const [r, u] of Object.entries(full)) simUsers[r] = (u * sc) / c;
  } else {
    for (const [r, c] of Object.entries(d.counts)) {
      const sc = fraction >= 1 ? c : Math.max(1, Math.min(c, Math.ceil(c * fraction)));
      counts[r] = sc;
      simUsers[r] = ((full[r] ?? 0) * sc) / c;
    }
  }
  const total = Math.max(1, Math.round(Object.values(simUsers).reduce((s, u) => s + u, 0)));
  const sliced = total < scenario.users;
  const mix = sliced ? Object.fromEntries(Object.entries(simUsers).filter(([, u]) => u > 0).map(([r, u]) => [r, u / total])) : scenario.regionMix;
  const users = sliced ? total : scenario.users;
  const arch = buildArchitecture({ ...d, counts }, name);
  return {
    input: {
      arch,
      scenario: { ...scenario, users, regionMix: mix, rampPerS: (scenario.rampPerS * users) / scenario.users },
      params,
      seed,
    },
    scale: scenario.users / users,
    simulatedUsers: users,
    counts,
  };
}
