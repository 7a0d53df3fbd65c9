import { forkChild, type Child } from '../children.ts';
import type { LatencyProxy, ProxyOptions, ProxyStats } from './proxy.ts';

/** Environment variable carrying a proxy host's proxies (JSON ProxyOptions[], no clock). */
export const PROXY_CONFIG_ENV = 'SIM_LIVE_PROXY_CONFIG';
/** How often a proxy host sends its counters, ms. */
export const PROXY_STATS_MS = 250;
/**
 * Client connections one proxy process relays at most: each holds two sockets, and a process may
 * open 20,000 files on common Linux set-ups (`ulimit -Hn`), so 7,000 leave room for the rest.
 */
export const PROXY_CLIENTS_PER_PROCESS = 7000;

/** Proxies running in child processes; `stats()` of each is at most PROXY_STATS_MS old. */
export interface ProxyHosts {
  proxies: LatencyProxy[];
  children: Child[];
  /** asks every host for its counters now and waits for them */
  refresh(): Promise<void>;
}

const ZERO: ProxyStats = { connections: 0, upBytes: 0, downBytes: 0, chunks: 0, lostChunks: 0, latenessMeanMs: 0, latenessMaxMs: 0, releaseErrorP50Ms: 0, releaseErrorP99Ms: 0 };

/**
 * Packs proxies into as few processes as the open-file limit allows (in order, each process at
 * most PROXY_CLIENTS_PER_PROCESS expected connections; a proxy bigger than that gets its own).
 */
export function packProxies<T>(items: readonly { item: T; connections: number }[], perProcess = PROXY_CLIENTS_PER_PROCESS): T[][] {
  const out: T[][] = [];
  let load = Infinity;
  for (const { item, connections } of items) {
    if (load + connections > perProcess) {
      out.push([]);
      load = 0;
    }
    out[out.length - 1].push(item);
    load += connections;
  }
  return out;
}

/** Starts each group of proxies in its own process; resolves when all listen. */
export async function startProxyHosts(groups: readonly ProxyOptions[][], timeoutMs = 30_000): Promise<ProxyHosts> {
  const children: Child[] = [];
  const proxies: LatencyProxy[] = [];
  try {
    for (const specs of groups) {
      const latest: ProxyStats[] = specs.map(() => ZERO);
      const child = forkChild('proxy/proxyHostMain.ts', { [PROXY_CONFIG_ENV]: JSON.stringify(specs) }, (m) => {
        if (m?.type !== 'stats') return;
        const stats = (m as { stats: ProxyStats[] }).stats;
        for (let i = 0; i < stats.length; i++) latest[i] = stats[i];
      });
      children.push(child);
      const { ports } = await child.waitFor<{ ports: number[] }>(['ready'], timeoutMs);
      specs.forEach((s, i) => proxies.push({
        name: s.name, port: ports[i], stats: () => latest[i],
        close: () => child.stop(),
      }));
    }
  } catch (err) {
    await Promise.all(children.map((c) => c.stop()));
    throw err;
  }
  return {
    proxies,
    children,
    async refresh() {
      await Promise.all(children.filter((c) => c.alive()).map((c) => new Promise<void>((resolve) => {
        const done = () => {
          c.proc.off('message', onMsg);
          clearTimeout(t);
          resolve();
        };
        const onMsg = (m: { type?: string }) => { if (m?.type === 'stats') done(); };
        const t = setTimeout(done, 2000);
        c.proc.on('message', onMsg);
        c.proc.send?.({ type: 'stats?' });
      })));
    },
  };
}
