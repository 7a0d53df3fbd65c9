/**
 * The guard of a live run's private services (services.ts): a child of the run that outlives it.
 * The run tells it what it started (`watch`: a pid and a data directory); when the run goes away
 * without releasing them (its IPC channel closes: killed, SIGKILL included), the guard stops
 * those processes and removes their directories, then exits. SIGINT is ignored (a Ctrl-C reaches
 * the whole process group; the run itself stops its services in order).
 */
import { rmSync } from 'node:fs';
import { onParentGone, pidAlive, waitGone } from '../children.ts';

/** Time to wait for the watched services to be gone after SIGKILL. */
const GONE_WAIT_MS = 5000;

const watched = new Map<number, string>();
let cleaning = false;

async function cleanUp(reason: string): Promise<void> {
  if (cleaning) return;
  cleaning = true;
  if (watched.size) process.stderr.write(`sim live: ${reason}; stopping its private services (${[...watched.keys()].map((p) => `pid ${p}`).join(', ')}) and removing ${[...watched.values()].join(', ')}\n`);
  // SIGKILL at once: their data directories are deleted next, a clean shutdown saves nothing
  const pids = [...watched.keys()].filter(pidAlive);
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitGone(pids, GONE_WAIT_MS);
  for (const dir of watched.values()) rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

process.on('SIGINT', () => {});
process.on('SIGTERM', () => void cleanUp('the guard was told to stop'));
onParentGone(() => void cleanUp('the live run went away'));
process.on('message', (m: { type?: string; pid?: number; dir?: string }) => {
  if (m?.type === 'watch' && m.pid && m.dir) watched.set(m.pid, m.dir);
  else if (m?.type === 'release' && m.pid) watched.delete(m.pid);
});
process.send?.({ type: 'ready' });
