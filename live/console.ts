import { writeFileSync } from 'node:fs';
import { UserError } from '../model/errors.ts';

/** What the `sim live` commands share on the terminal: progress lines, output files, Ctrl-C. */

/** One line on stderr, prefixed, for progress and notices. */
export const log = (line: string) => process.stderr.write(`sim live: ${line}\n`);

/** Writes an output file; a path that cannot be written is the user's mistake (UserError). */
export function writeOut(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new UserError('FILE_UNREADABLE', `--out ${path} cannot be written (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Runs `fn` with an AbortSignal wired to Ctrl-C / SIGTERM; sets exit code 130 when interrupted. */
export async function interruptible(fn: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const ac = new AbortController();
  const onSignal = () => {
    log('stopping (interrupt received) ...');
    ac.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await fn(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
