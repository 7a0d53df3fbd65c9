import { usersPerRegion } from '../../model/workload.ts';
import type { Topology } from './topology.ts';

/**
 * Who connects when and where: users in connection order, each with a client region and the
 * process the round-robin routing gives it (over the region's server groups in proportion to
 * their processes, then over a group's instances, then over an instance's processes). Deterministic (no randomness): users of each region
 * are spread evenly over the ramp, as the thesis's client machines opened one connection per
 * second each.
 */
export interface Population {
  users: number;
  /** client region index (into topology.clientRegions), by connection order */
  region: Uint8Array;
  /** process, by connection order */
  proc: Int32Array;
  /** users per process */
  perProcess: Int32Array;
  /** users per client region */
  perRegion: Int32Array;
}

export function buildPopulation(topo: Topology, users: number, mix: Record<string, number>): Population {
  const counts = usersPerRegion(users, mix);
  const R = topo.clientRegions.length;
  // stratified merge: region r's k-th user sits at position (k + 0.5) / n_r of the ramp
  const pos = new Float64Array(users);
  const reg = new Uint8Array(users);
  let i = 0;
  topo.clientRegions.forEach((rid, ri) => {
    const n = counts[rid] ?? 0;
    for (let k = 0; k < n; k++, i++) {
      pos[i] = (k + 0.5) / n;
      reg[i] = ri;
    }
  });
  const order = new Int32Array(users);
  for (let k = 0; k < users; k++) order[k] = k;
  // stable: equal positions keep region order
  order.sort((a, b) => pos[a] - pos[b] || a - b);
  const region = new Uint8Array(users);
  for (let k = 0; k < users; k++) region[k] = reg[order[k]];

  const proc = new Int32Array(users);
  const perProcess = new Int32Array(topo.processes);
  const perRegion = new Int32Array(R);
  const groups = topo.groupFirstProc.length;
  const nextInGroup = new Float64Array(groups);
  for (let u = 0; u < users; u++) {
    const ri = region[u];
    // over the region's groups in proportion to their processes, then round-robin within the group
    const cycle = topo.regionGroupCycle[ri];
    const g = cycle.length === 1 ? cycle[0] : cycle[perRegion[ri] % cycle.length];
    perRegion[ri]++;
    const k = nextInGroup[g]++;
    const count = topo.groupInstances[g];
    const P = topo.groupProcsPerInstance[g];
    // round-robin over instances, then over the processes of an instance
    const inst = k % count;
    const local = Math.floor(k / count) % P;
    const p = topo.groupFirstProc[g] + inst * P + local;
    proc[u] = p;
    perProcess[p]++;
  }
  return { users, region, proc, perProcess, perRegion };
}
