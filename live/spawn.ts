import { createRequire } from 'node:module';
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
 * one machine"). Passed to the host in NICE_ENV; its cluster workers inherit it.
 */
export const UNDER_TEST_NICE = 10;
export const NICE_ENV = 'SIM_LIVE_NICE';
