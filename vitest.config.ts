import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites share real Redis/MariaDB servers; files run one at a time per pool worker.
    pool: 'forks',
    reporters: ['default', './scripts/plain-summary-reporter.ts'],
  },
});
