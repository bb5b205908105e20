// Loaded only by vitest.stryker.config.ts: a fixed fast-check seed makes every property draw the same
// inputs in every Stryker run, so a mutant is killed or survives for a reason, not by chance.
import { fc } from '@fast-check/vitest';

fc.configureGlobal({ seed: 20261122 });
