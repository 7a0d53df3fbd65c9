/**
 * Entry point of a proxy host forked by the orchestrator: starts the latency proxies of its
 * configuration (several paths share this process and its one timer), sends their ports, then
 * their counters every PROXY_STATS_MS and on request; stops on SIGTERM, on `shutdown`, or when
 * the orchestrator goes away. Exists because one process holds two sockets per relayed
 * connection and the open-file limit caps how many a process may hold.
 */
import { startProxy, type LatencyProxy, type ProxyOptions } from './proxy.ts';
import { PROXY_CONFIG_ENV, PROXY_STATS_MS } from './proxyHosts.ts';

async function main(): Promise<void> {
  const raw = process.env[PROXY_CONFIG_ENV];
  if (!raw) throw new Error(`${PROXY_CONFIG_ENV} is not set`);
  const specs = JSON.parse(raw) as ProxyOptions[];
  const proxies: LatencyProxy[] = [];
  for (const s of specs) proxies.push(await startProxy(s));
  const report = () => process.send?.({ type: 'stats', stats: proxies.map((p) => p.stats()) });
  const timer = setInterval(report, PROXY_STATS_MS);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    await Promise.all(proxies.map((p) => p.close()));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('disconnect', () => void stop());
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'shutdown') void stop();
    else if (m?.type === 'stats?') report();
  });
  process.send?.({ type: 'ready', ports: proxies.map((p) => p.port) });
}

main().catch((err) => {
  process.send?.({ type: 'failed', message: String(err?.message ?? err) });
  process.stderr.write(`sim live proxy host: ${err?.stack ?? err}\n`);
  process.exit(1);
});
