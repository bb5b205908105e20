/**
 * The vitest config Stryker uses (npm run mutate). fast-check's seed is fixed for both configs
 * (tests/support/seed.ts): Stryker compares runs of the same tests, and a property that drew new
 * inputs on every run would make every mutant look "survived" or "killed" at random. What differs
 * from vitest.config.ts:
 * - only the answer keys run: input tables, the junk-call test, the CLI, site and notebook tests are
 *   not what a mutation score should measure (no test exists to kill a mutant in validation code);
 * - `isolate: false`: test files share one module graph instead of re-importing it for every mutant
 *   (Stryker switches mutants at run time, so nothing needs re-importing), about 2x faster here.
 * - `testTimeout` 5 minutes: instrumented code is several times slower, and the FlashAttention memory
 *   property ran past 60 s in Stryker's first run (2026-11-30), and a failed first run stops Stryker.
 * scripts/mutate.ts narrows the run to some answer keys by setting BAGU_MUTATION_TESTS (comma-separated).
 */
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

const onlyTests = process.env.BAGU_MUTATION_TESTS?.split(',').filter((file) => file !== '');

const config = mergeConfig(
  base,
  defineConfig({
    test: {
      isolate: false,
      testTimeout: 300_000,
      // answer keys only: not the input tables, the junk-call test, the site, CLI or architecture tests
      exclude: [
        'tests/cli.test.ts',
        'tests/notebooks.test.ts',
        'tests/catalog.test.ts',
        'tests/inputs/**',
        'tests/surface.test.ts',
        'tests/site.test.ts',
        'tests/architecture.test.ts',
        'node_modules/**',
      ],
    },
  }),
);

// Set after the merge: mergeConfig concatenates arrays, which would keep every test file.
if (onlyTests !== undefined && onlyTests.length > 0) config.test.include = onlyTests;

export default config;
