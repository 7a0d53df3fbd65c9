import type { ManyProgress } from './runner.ts';

/** Seconds between two progress lines when stderr is not a terminal (logs, CI). */
export const PROGRESS_LOG_INTERVAL_S = 10;

/**
 * A progress printer for stderr: `sweep: 12/40 done, 2 running, 0 failed (1 retried), 35 s`.
 * On a terminal it rewrites one line; elsewhere it prints a line at most every
 * {@link PROGRESS_LOG_INTERVAL_S} seconds and at the end. Wall-clock time appears here only,
 * never in a Report.
 */
export function progressPrinter(label: string, stream: NodeJS.WriteStream = process.stderr): { update(p: ManyProgress): void; end(): void } {
  const started = performance.now();
  let last = -Infinity;
  let lastLine = '';
  const tty = Boolean(stream.isTTY);
  const line = (p: ManyProgress): string => {
    const s = Math.round((performance.now() - started) / 1000);
    return `${label}: ${p.done}/${p.total} done, ${p.running} running, ${p.failed} failed${p.retried ? ` (${p.retried} retried)` : ''}, ${s} s`;
  };
  return {
    update(p) {
      lastLine = line(p);
      const now = performance.now();
      if (tty) stream.write(`\r${lastLine}\x1b[K`);
      else if (now - last >= PROGRESS_LOG_INTERVAL_S * 1000 || p.done + p.failed === p.total) {
        last = now;
        stream.write(`${lastLine}\n`);
      }
    },
    end() {
      if (tty && lastLine) stream.write('\n');
    },
  };
}
