import type { Child } from '../children.ts';
import type { ClientPathSpec } from '../loadgen/clientpath.ts';
import type { LoadgenTarget } from '../loadgen/loadgen.ts';
import { symmetricLinks, type LatencyProxy } from '../proxy/proxy.ts';
import { packProxies, startProxyHosts, type ProxyHosts } from '../proxy/proxyHosts.ts';
import { CLIENT_SETUP_RTTS, type ClientNetwork, type LivePath, type LivePlan } from './plan.ts';

/** Both directions of a planned path: half its RTT each way. */
export const linksOf = (p: LivePath) => symmetricLinks(p.rttMs, p.jitterMs, p.loss, p.rtoMs);

/** The path a route's users carry when the generator makes it (`--client-network loadgen`). */
export const clientPathOf = (p: LivePath): ClientPathSpec => ({ ...linksOf(p), setupRtts: CLIENT_SETUP_RTTS });

/** Where a run's users connect (one target per client region, in the plan's route order) and the proxy processes that make their paths, if any. */
export interface ClientPaths {
  targets: LoadgenTarget[];
  hosts: ProxyHosts;
}

/**
 * Makes the client paths of a plan where `network` says: in proxy processes in front of the server
 * groups (two sockets per user, so a process's open-file limit caps its users: packProxies), or in
 * the generators, whose users then connect to the groups' ports and carry their path (clientpath.ts).
 * `portOf` maps a group to its port; `perRegion` is the users of each route.
 */
export async function startClientPaths(plan: LivePlan, perRegion: readonly number[], portOf: ReadonlyMap<string, number>, seed: string, network: ClientNetwork): Promise<ClientPaths> {
  if (network === 'loadgen') {
    return {
      targets: plan.routes.map((r, i) => ({ region: r.clientRegion, url: `ws://127.0.0.1:${portOf.get(r.group)!}/`, users: perRegion[i], path: clientPathOf(r.path) })),
      hosts: { children: [] as Child[], proxies: [] as LatencyProxy[], refresh: async () => {} },
    };
  }
  const hosts = await startProxyHosts(packProxies(plan.routes.map((r, i) => ({
    item: { name: `clients ${r.clientRegion} -> server ${r.group}`, targetHost: '127.0.0.1', targetPort: portOf.get(r.group)!, ...clientPathOf(r.path), seed: `${seed}/client/${r.clientRegion}` },
    connections: perRegion[i],
  }))));
  return { targets: plan.routes.map((r, i) => ({ region: r.clientRegion, url: `ws://127.0.0.1:${hosts.proxies[i].port}/`, users: perRegion[i] })), hosts };
}
