/**
 * Entry point of one server process forked by the host (node:cluster worker). Reads its
 * configuration from the environment, serves, reports metrics to the primary every second, and
 * exits when told to or when the primary goes away (so no orphan survives its host).
 */
import cluster from 'node:cluster';
import { onParentGone, sendToParent } from '../children.ts';
import { LIVE_LIMITS } from './limits.ts';
import { startServerProcess, type ServerProcessConfig } from './server.ts';

import { WORKER_CONFIG_ENV } from '../spawn.ts';

async function main(): Promise<void> {
  const raw = process.env[WORKER_CONFIG_ENV];
  if (!raw) throw new Error(`${WORKER_CONFIG_ENV} is not set`);
  const cfg = JSON.parse(raw) as ServerProcessConfig;
  const server = await startServerProcess(cfg);
  const timer = setInterval(() => void sendToParent({ type: 'metrics', metrics: server.metrics() }), cfg.limits?.metricsIntervalMs ?? LIVE_LIMITS.metricsIntervalMs);
  let exiting = false;
  const exit = async (code: number) => {
    if (exiting) return;
    exiting = true;
    clearInterval(timer);
    await sendToParent({ type: 'metrics', metrics: server.metrics() });
    await server.close();
    process.exit(code);
  };
  process.on('SIGTERM', () => void exit(0));
  process.on('SIGINT', () => void exit(0));
  onParentGone(() => void exit(0));
  process.on('message', (msg: { type?: string }) => {
    if (msg?.type === 'shutdown') void exit(0);
  });
  void sendToParent({ type: 'ready', port: server.port, pid: process.pid });
}

if (cluster.isWorker || process.env[WORKER_CONFIG_ENV]) {
  main().catch((err) => {
    process.stderr.write(`sim live server process ${process.pid}: ${err?.stack ?? err}\n`);
    process.exit(1);
  });
}
