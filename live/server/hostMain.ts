/**
 * Entry point of a server host forked by the orchestrator: reads the groups from the
 * environment, starts them, sends `{type:'ready', groups, adminPort}` over IPC, and stops all
 * its workers on SIGTERM/SIGINT, on a `shutdown` message, or when the orchestrator goes away.
 */
import { onParentGone, sendToParent } from '../children.ts';
import { startServerHost, type ServerGroupConfig } from './host.ts';

import os from 'node:os';
import { HOST_CONFIG_ENV, NICE_ENV } from '../spawn.ts';

async function main(): Promise<void> {
  const raw = process.env[HOST_CONFIG_ENV];
  if (!raw) throw new Error(`${HOST_CONFIG_ENV} is not set`);
  const groups = JSON.parse(raw) as ServerGroupConfig[];
  // before the workers are forked, so they inherit it
  const nice = Number(process.env[NICE_ENV] ?? 0);
  if (nice > 0) os.setPriority(nice);
  const host = await startServerHost(groups, { adminPort: 0 });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await host.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  onParentGone(() => void stop());
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'shutdown') void stop();
  });
  void sendToParent({ type: 'ready', groups: host.groups, adminPort: host.adminPort, workerPids: host.workerPids() });
}

main().catch((err) => {
  void sendToParent({ type: 'failed', message: String(err?.message ?? err) });
  process.stderr.write(`sim live host: ${err?.stack ?? err}\n`);
  process.exit(1);
});
