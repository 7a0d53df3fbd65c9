/**
 * Entry point of a load generator forked by the orchestrator, so that its event loop (and its
 * lag) is its own: runs the options from the environment, reports ticks and the result over IPC,
 * and stops when told to or when the orchestrator goes away.
 */
import { disconnectFromParent, onParentGone, sendToParent } from '../children.ts';
import { runLoadgen, type LoadgenOptions } from './loadgen.ts';

import { LOADGEN_CONFIG_ENV } from '../spawn.ts';

async function main(): Promise<void> {
  const raw = process.env[LOADGEN_CONFIG_ENV];
  if (!raw) throw new Error(`${LOADGEN_CONFIG_ENV} is not set`);
  const opts = JSON.parse(raw) as LoadgenOptions;
  const ac = new AbortController();
  process.on('SIGTERM', () => ac.abort());
  process.on('SIGINT', () => ac.abort());
  onParentGone(() => {
    ac.abort();
    setTimeout(() => process.exit(1), 2000).unref();
  });
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'stop') ac.abort();
  });
  const result = await runLoadgen({ ...opts, onTick: (t) => void sendToParent({ type: 'tick', tick: t }) }, ac.signal);
  await sendToParent({ type: 'result', result });
  disconnectFromParent();
}

main().catch((err) => {
  void sendToParent({ type: 'failed', message: String(err?.message ?? err) });
  process.stderr.write(`sim live loadgen: ${err?.stack ?? err}\n`);
  process.exit(1);
});
