import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * Environment variable naming a directory: when set, every child of a live run (server workers,
 * load generators, proxy hosts) is started with `--cpu-prof` and writes its CPU profile there on
 * exit (Node refuses `--cpu-prof` in NODE_OPTIONS). docs/live.md "Full size on one machine".
 */
export const CPU_PROF_DIR_ENV = 'SIM_LIVE_CPU_PROF_DIR';

/** Node arguments that let a child process run our TypeScript files directly (tsx loader), profiled if asked. */
export function tsLoaderArgs(): string[] {
  const dir = process.env[CPU_PROF_DIR_ENV];
  return ['--import', pathToFileURL(require.resolve('tsx')).href, ...(dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [])];
}

/** Absolute path of a file of live/, given relative to it (`server/worker.ts`), for forking it. */
export function liveFile(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}

/** Absolute path of the `sim` entry point. */
export function simBin(): string {
  return fileURLToPath(new URL('../bin/sim.js', import.meta.url));
}

/** Environment variables that carry a child's configuration (JSON). */
export const WORKER_CONFIG_ENV = 'SIM_LIVE_SERVER_CONFIG';
export const HOST_CONFIG_ENV = 'SIM_LIVE_HOST_CONFIG';
export const LOADGEN_CONFIG_ENV = 'SIM_LIVE_LOADGEN_CONFIG';

/**
 * Niceness of the system under test in `sim live run`: the server host and its workers, and the
 * private Redis and MariaDB. The load generators and proxies stand for the clients' machines and
 * the network, which in the study did not share the servers' cores: at the default priority they
 * get a core first and the system under test gets the rest of the machine, instead of 16 server
 * processes out-voting 2 generators for the scheduler's fair shares (docs/live.md "Full size on
 * one machine"). The lowest priority, 19: Linux's scheduler weighs a runnable task at 1024 at nice
 * 0, 110 at nice 10 and 15 at nice 19 (kernel/sched/core.c, sched_prio_to_weight), so 17 server
 * processes at nice 10 (1,870) weighed as much as two generators (2,048) and took half of what the
 * generators wanted at full size (2026-12-07); at nice 19 they weigh 255. Passed to the host in
 * NICE_ENV; its cluster workers inherit it.
 */
export const UNDER_TEST_NICE = 19;
export const NICE_ENV = 'SIM_LIVE_NICE';

/**
 * Puts a process of the system under test below the generators and proxies: its niceness, and,
 * when it leads a session of its own (a detached child: Linux then schedules its session as an
 * autogroup beside the run's, /proc/<pid>/autogroup), its autogroup's niceness, since a nice
 * value only weighs within its autogroup. Best effort: a process already gone, or a kernel
 * without autogroups, is left as it is.
 */
export function lowerPriority(pid: number): void {
  try {
    os.setPriority(pid, UNDER_TEST_NICE);
  } catch {
    return; // already gone: the caller finds out when it waits for it
  }
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(UNDER_TEST_NICE));
  } catch {
    // no autogroups here (or not allowed): the niceness alone
  }
}
