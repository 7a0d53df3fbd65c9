import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** Node arguments that let a child process run our TypeScript files directly (tsx loader). */
export function tsLoaderArgs(): string[] {
  return ['--import', pathToFileURL(require.resolve('tsx')).href];
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
