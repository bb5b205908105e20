/**
 * Q04 bench: longest increasing subsequence of a random permutation of 10^4 numbers,
 * O(n log n) patience sorting vs the O(n^2) DP. Both return the reconstructed subsequence.
 */
import { bench, describe } from 'vitest';
import { longestIncreasingSubsequence, longestIncreasingSubsequenceDP } from '../algorithms/longest-increasing.js';
import { rng } from '../core/random.js';

const N = 10_000;
const values = rng(4).shuffled(Array.from({ length: N }, (_, i) => i));

describe('longest-increasing: LIS of a random permutation, n = 10^4', () => {
  bench('patience sorting, O(n log n)', () => void longestIncreasingSubsequence(values), { iterations: 50, time: 0, warmupIterations: 5 });
  bench('dynamic programming, O(n^2)', () => void longestIncreasingSubsequenceDP(values), { iterations: 5, time: 0, warmupIterations: 1 });
});
