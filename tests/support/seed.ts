// Loaded by vitest.config.ts before every test file (and so by Stryker's config too): one fast-check
// seed for every property, so a run is reproducible, a CI failure replays on any machine, and a
// Stryker mutant is killed or survives for a reason, not by chance. BAGU_SEED=<integer> draws
// other inputs, to explore beyond the fixed ones. (fast-check itself, not @fast-check/vitest:
// the tests' `fc` is the same module, and importing vitest's wrapper here costs seconds a file.)
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env['BAGU_SEED'] ?? 20261122) });
