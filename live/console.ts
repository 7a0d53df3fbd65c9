/** What the `sim live` commands share on the terminal: progress lines, output files, Ctrl-C. */

/** One line on stderr, prefixed, for progress and notices. */
export const log = (line: string) => process.stderr.write(`sim live: ${line}\n`);

/** One writer of the files a user names (model/load.ts). */
export { writeOut } from '../model/load.ts';

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
