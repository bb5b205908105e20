import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // one fast-check seed for every property (BAGU_SEED overrides it): runs are reproducible
    setupFiles: ['tests/support/seed.ts'],
    // Property tests and tfjs warm-up are CPU-bound; two workers match the 2-core target machine.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
});
