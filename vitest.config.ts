import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites share real Redis/MariaDB servers; files run one at a time per pool worker.
    pool: 'forks',
    // The files of a worker share its loaded modules instead of importing (and transforming) them
    // anew for each file: on a 2-core machine one worker runs every file, and the imports took
    // about a fifth of the suite's time. Tests keep no state in modules between files.
    poolOptions: { forks: { isolate: false } },
    reporters: ['default', './scripts/plain-summary-reporter.ts'],
  },
});
