import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `sim` entry point. */
export const SIM_BIN = fileURLToPath(new URL('../bin/sim.js', import.meta.url));

/**
 * `sim <args>` in a child process, without blocking, so the cases of one test can run at once:
 * its exit code and what it printed.
 */
export function simChild(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SIM_BIN, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
