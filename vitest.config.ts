import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // End-to-end suites start servers on loopback; two workers match the two-core machines.
    maxWorkers: 2,
    // The default reporter does not say why a suite was skipped; the second prints one line per skipped suite.
    reporters: ['default', './test/support/skip-reporter.ts'],
  },
});
