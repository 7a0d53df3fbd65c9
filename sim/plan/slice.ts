import type { Params } from '../../model/params.ts';
import type { Scenario } from '../../model/workload.ts';
import { usersPerRegion } from '../../model/workload.ts';
import type { SimInput } from '../input.ts';
import { buildArchitecture, isCentral, processesFor, shardsOf, type Design } from './design.ts';

/**
 * Scaled-down equivalents of a large run. Server processes are independent of each other
 * (clients are spread round-robin over instances and processes; each process has its own
 * event loop, broadcast thread and sockets), and server groups of different regions share only
 * the masters. So a run with fewer processes per group and the same users per process (same
 * ramp per process, same broadcast fan-out per process) shows the latencies each process would
 * see at full scale — except for the masters, which see only the slice's load: their
 * full-scale load is checked by capacity.ts instead. A slice keeps whole instances while the
 * group has more than one instance's worth of processes in the slice, else one instance with
 * fewer processes. It is used only when the full run would exceed `maxUsers` simulated users.
 * A design with several shards per region is always simulated as one shard per region (its
 * servers, its masters, its share of the region's users), sliced further if still too large:
 * shards share nothing, so one shard shows what every shard of its region sees.
 */
export interface Slice {
  input: SimInput;
  /** full users / simulated users (1 when not sliced) */
  scale: number;
  simulatedUsers: number;
  /** simulated instances per group */
  counts: Record<string, number>;
  /** simulated processes per instance, per group */
  processes: Record<string, number>;
}

export function sliceInput(d: Design, scenario: Scenario, params: Params, seed: number, maxUsers: number, name: string): Slice {
  const regionUsers = usersPerRegion(scenario.users, scenario.regionMix);
  // several shards per region: the shards are independent (own servers, own masters, own pools),
  // so ONE shard per region is simulated, with its part of the region's users
  const full: Record<string, number> = Object.fromEntries(Object.entries(regionUsers).map(([r, u]) => [r, u / shardsOf(d, r)]));
  const shardUsers = Object.values(full).reduce((sum, u) => sum + u, 0);
  const fraction = Math.min(1, maxUsers / shardUsers);
  const procs = processesFor(d.serverType);
  const counts: Record<string, number> = {};
  const processes: Record<string, number> = {};
  const share: Record<string, number> = {};
  for (const [g, c] of Object.entries(d.counts)) {
    const total = c * procs;
    const keep = fraction >= 1 ? total : Math.max(1, Math.min(total, Math.ceil(total * fraction)));
    if (keep >= procs) {
      counts[g] = Math.ceil(keep / procs);
      processes[g] = procs;
    } else {
      counts[g] = 1;
      processes[g] = keep;
    }
    share[g] = (counts[g] * processes[g]) / total;
  }
  const simUsers: Record<string, number> = {};
  for (const [r, u] of Object.entries(full)) {
    const g = isCentral(d.layout) ? d.hub : r;
    simUsers[r] = share[g] === undefined ? 0 : u * share[g];
  }
  const total = Math.max(1, Math.round(Object.values(simUsers).reduce((s, u) => s + u, 0)));
  const sliced = total < scenario.users;
  const mix = sliced ? Object.fromEntries(Object.entries(simUsers).filter(([, u]) => u > 0).map(([r, u]) => [r, u / total])) : scenario.regionMix;
  const users = sliced ? total : scenario.users;
  const base = buildArchitecture({ ...d, counts, shards: undefined }, name);
  const arch = { ...base, servers: base.servers.map((g) => ({ ...g, processesPerInstance: processes[g.id] })) };
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
    processes,
  };
}
