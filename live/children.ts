import { fork, type ChildProcess } from 'node:child_process';
import { liveFile, tsLoaderArgs } from './spawn.ts';

/**
 * Child processes of a live run (server host, load generator): forked with an IPC channel so
 * they exit when the run goes away, and stopped by pid, never by name.
 */
export interface Child {
  proc: ChildProcess;
  /** resolves with the first message of one of `types`; rejects if the child exits first */
  waitFor<T>(types: string[], timeoutMs: number): Promise<T & { type: string }>;
  stop(graceMs?: number): Promise<void>;
  alive(): boolean;
}

/** Forks an entry file of live/ (`loadgen/loadgenMain.ts`) with its configuration in the environment. */
export function forkChild(file: string, env: Record<string, string>, onMessage?: (m: { type?: string }) => void): Child {
  const proc = fork(liveFile(file), [], { execArgv: tsLoaderArgs(), env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  if (onMessage) proc.on('message', onMessage);
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  return {
    proc,
    alive,
    waitFor<T>(types: string[], timeoutMs: number) {
      return new Promise<T & { type: string }>((resolve, reject) => {
        const onMsg = (m: { type?: string }) => {
          if (m?.type === 'failed') {
            cleanup();
            reject(new Error(`${file} failed: ${(m as { message?: string }).message}`));
          } else if (m?.type && types.includes(m.type)) {
            cleanup();
            resolve(m as T & { type: string });
          }
        };
        const onExit = (code: number | null, sig: string | null) => {
          cleanup();
          reject(new Error(`${file} exited (${sig ?? `code ${code}`}) before sending ${types.join('/')}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${file} sent no ${types.join('/')} within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          proc.off('message', onMsg);
          proc.off('exit', onExit);
        };
        proc.on('message', onMsg);
        proc.on('exit', onExit);
      });
    },
    stop(graceMs = 8000) {
      return new Promise<void>((resolve) => {
        if (!alive()) return resolve();
        const kill = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        proc.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        proc.kill('SIGTERM');
      });
    },
  };
}

/** True while a process with this pid exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits until none of the pids exists (or the timeout passes); returns the survivors. */
export async function waitGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(pidAlive);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = left.filter(pidAlive);
  }
  return left;
}

/**
 * Sends a message to the parent process if the IPC channel is still open; resolves once it is
 * handed over, or at once when the parent is gone (never throws: a child whose parent died has
 * nobody to tell).
 */
export function sendToParent(msg: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    try {
      process.send(msg, undefined, {}, () => resolve());
    } catch {
      resolve();
    }
  });
}

/** Closes the IPC channel to the parent if it is still open. */
export function disconnectFromParent(): void {
  if (process.connected) process.disconnect();
}

/** How often a child checks that its parent is still there. */
const PARENT_CHECK_MS = 500;

/**
 * Calls `gone` once when the parent process goes away: on the IPC channel's `disconnect`, and
 * also when the channel has closed without that event (a send that failed as the parent died)
 * or this process was re-parented, checked every 500 ms.
 */
export function onParentGone(gone: () => void): void {
  const parent = process.ppid;
  let called = false;
  const fire = () => {
    if (called) return;
    called = true;
    clearInterval(timer);
    gone();
  };
  const timer = setInterval(() => {
    if (!process.connected || process.ppid !== parent) fire();
  }, PARENT_CHECK_MS);
  timer.unref();
  process.once('disconnect', fire);
}
