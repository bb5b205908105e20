/**
 * Q04 bench: longest increasing subsequence of a random permutation of 10^4 numbers: the textbook
 * O(n log n) patience sorting, the engineered one (typed arrays, options, counter) and the O(n^2)
 * DP. All three return the reconstructed subsequence.
 */
import { bench, describe } from 'vitest';
import {
  longestIncreasingSubsequence,
  longestIncreasingSubsequenceDP,
  longestIncreasingSubsequencePatience,
} from '../algorithms/longest-increasing.js';
import { rng } from '../core/random.js';

const N = 10_000;
const values = rng(4).shuffled(Array.from({ length: N }, (_, i) => i));
const often = { iterations: 50, time: 0, warmupIterations: 5 };

describe('longest-increasing: LIS of a random permutation, n = 10^4', () => {
  bench(
    'patience sorting (textbook), O(n log n)',
    () => {
      void longestIncreasingSubsequence(values);
    },
    often,
  );
  bench(
    'patience sorting (engineered, typed arrays)',
    () => {
      void longestIncreasingSubsequencePatience(values);
    },
    often,
  );
  bench('dynamic programming, O(n^2)', () => void longestIncreasingSubsequenceDP(values), {
    iterations: 5,
    time: 0,
    warmupIterations: 1,
  });
});
