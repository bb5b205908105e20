/**
 * Helpers for judging seeded random algorithms in tests: tally which subsets a sampler returns over
 * many runs and test the tally against exact probabilities with Pearson's chi-square.
 */
import { chiSquareTest, type ChiSquareResult } from '../../core/stats.js';
import { rng, type Rng } from '../../core/random.js';

/** The significance level used by every statistical test in the suite. */
export const ALPHA = 0.001;

/** A canonical key for a set of items (order does not matter). */
export const subsetKey = (items: readonly unknown[]) => items.map(String).sort().join(',');

/** Runs `sampler` `runs` times from one seeded generator and counts each returned subset. */
export function tallySubsets(
  sampler: (r: Rng) => readonly unknown[],
  runs: number,
  seed: number,
): Map<string, number> {
  const r = rng(seed);
  const counts = new Map<string, number>();
  for (let t = 0; t < runs; t++) {
    const key = subsetKey(sampler(r));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Chi-square of observed subset counts against exact probabilities. A subset the sampler returned
 * that has probability 0 makes the statistic infinite (p = 0).
 */
export function subsetChiSquare(
  counts: Map<string, number>,
  exact: Map<string, number>,
  runs: number,
): ChiSquareResult {
  for (const key of counts.keys()) {
    if (!exact.has(key)) {
      return { statistic: Number.POSITIVE_INFINITY, df: exact.size - 1, pValue: 0 };
    }
  }
  const keys = [...exact.keys()];
  return chiSquareTest(
    keys.map((k) => counts.get(k) ?? 0),
    keys.map((k) => (exact.get(k) as number) * runs),
  );
}

/** All k-subsets of [0, n), each as an array. */
export function kSubsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  if (n < k) return [];
  return [...kSubsets(n - 1, k - 1).map((s) => [...s, n - 1]), ...kSubsets(n - 1, k)];
}

/** The exact law of a uniform k-subset of [0, n): each of the C(n, k) subsets equally likely. */
export function uniformSubsets(n: number, k: number): Map<string, number> {
  const subsets = kSubsets(n, k);
  return new Map(subsets.map((s) => [subsetKey(s), 1 / subsets.length]));
}

/**
 * fast-check parameters for a statistical property over seeds: a few seeded runs, replayable, and
 * no shrinking (a seed that fails has no smaller version worth looking for).
 */
export const STATISTICAL = { numRuns: 2, seed: 11, endOnFailure: true } as const;
