/**
 * Longest increasing run (contiguous) and longest increasing subsequence (not contiguous).
 * Answers: Q04 (最长递增子串 / longest increasing substring, and the subsequence variant).
 *
 * The idea in two lines: a run is found in one pass, resetting the length when a[i] <= a[i - 1].
 * For the subsequence, tails[L] is the smallest value that can end an increasing subsequence of length
 * L + 1; each x replaces the first tail >= x (lower bound) or extends tails (patience sorting).
 *
 * Variants here, side by side:
 * - `longestIncreasingRun`: what the question literally asks (LeetCode 674), strict or non-decreasing.
 * - `longestIncreasingSubsequence`: O(n log n) patience sorting with predecessor links, so the
 *   subsequence itself is reconstructed (the `tails` array is NOT a subsequence of the input).
 *   Strict uses lower bound (first tail >= x); non-decreasing uses upper bound (first tail > x).
 *   Swapping them is the classic bug: upper bound on [2, 2] says the strict LIS has length 2.
 * - `longestIncreasingSubsequenceDP`: the O(n^2) dynamic programme, the oracle and the bench baseline.
 * - `longestNonIncreasingSubsequence`: for Erdős–Szekeres / Dilworth, LIS_strict x LNIS >= n.
 *
 * Complexity: run O(n) time, O(1) space. Patience O(n log L) comparisons (L = answer), O(n) space.
 * DP O(n^2) time, O(n) space.
 *
 * @example
 *   longestIncreasingRun([1, 3, 5, 4, 7])                      // { start: 0, length: 3 }
 *   longestIncreasingSubsequence([10, 9, 2, 5, 3, 7, 101, 18]).length   // 4, e.g. 2, 3, 7, 18
 *   longestIncreasingSubsequence([7, 7, 7], { strict: false }).length  // 3
 */
import { assertComparableArray, type NumericArray } from '../core/errors.js';

export interface IncreasingOptions {
  /** true (default): each element is > the previous one; false: >= (non-decreasing). */
  strict?: boolean;
  /** If given, every comparison between two input values is added to `comparisons`. */
  ops?: { comparisons: number };
}

/** A contiguous run values[start .. start + length - 1]. */
export interface Run {
  start: number;
  length: number;
}

/** A subsequence: ascending indices into the input and the values at them. */
export interface Subsequence {
  length: number;
  indices: number[];
  values: number[];
}

/** `next` continues an increasing sequence after `prev` (strict: >, non-decreasing: >=). */
function follows(prev: number, next: number, strict: boolean): boolean {
  return strict ? next > prev : next >= prev;
}

/**
 * The longest increasing contiguous run, leftmost if several tie. Empty input gives length 0.
 * Invariant: after index i, `length` is the run ending at i, `best` the longest run in [0, i].
 */
export function longestIncreasingRun(values: NumericArray, options: IncreasingOptions = {}): Run {
  assertComparableArray('values', values);
  const strict = options.strict ?? true;
  if (values.length === 0) return { start: 0, length: 0 };
  let best: Run = { start: 0, length: 1 };
  let start = 0;
  for (let i = 1; i < values.length; i++) {
    if (options.ops) options.ops.comparisons++;
    if (!follows(values[i - 1] as number, values[i] as number, strict)) start = i; // the run breaks: restart at i
    // Compare on every step, not only when a run breaks: otherwise the final run is never counted.
    if (i - start + 1 > best.length) best = { start, length: i - start + 1 };
  }
  return best;
}

/**
 * First position p in tails[0 .. size) where x may go: strict -> first tail >= x (lower bound),
 * non-decreasing -> first tail > x (upper bound). tails is sorted (strictly, in the strict case).
 */
function tailPosition(values: NumericArray, tails: Int32Array, size: number, x: number, strict: boolean, ops?: { comparisons: number }): number {
  let lo = 0;
  let hi = size; // the answer is in [lo, hi]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = values[tails[mid] as number] as number;
    if (ops) ops.comparisons++;
    if (strict ? t < x : t <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The state of patience sorting after the whole input: tails[0 .. size) (indices) and predecessor links. */
function patience(values: NumericArray, strict: boolean, ops?: { comparisons: number }) {
  const n = values.length;
  const tails = new Int32Array(n);
  const prev = new Int32Array(n).fill(-1);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const p = tailPosition(values, tails, size, values[i] as number, strict, ops);
    if (p > 0) prev[i] = tails[p - 1] as number; // i extends the best subsequence of length p
    tails[p] = i; // replaces a larger tail, or appends when p === size
    if (p === size) size++;
  }
  return { tails, prev, size };
}

/**
 * A longest increasing subsequence in O(n log n), reconstructed. `tails` holds indices: values[tails[L]]
 * is the smallest possible last value of an increasing subsequence of length L + 1, and prev[i] is the
 * index before i in the subsequence that i ended when it was placed.
 */
export function longestIncreasingSubsequence(values: NumericArray, options: IncreasingOptions = {}): Subsequence {
  assertComparableArray('values', values);
  const { tails, prev, size } = patience(values, options.strict ?? true, options.ops);
  return rebuild(values, prev, size, size > 0 ? (tails[size - 1] as number) : -1);
}

/**
 * The tails after the whole input, as values: tails[L] is the smallest last value of any increasing
 * subsequence of length L + 1. Sorted (strictly, for the strict version), and its length is the LIS
 * length, but it is usually NOT a subsequence of the input.
 */
export function patienceTails(values: NumericArray, options: Omit<IncreasingOptions, 'ops'> = {}): number[] {
  assertComparableArray('values', values);
  const { tails, size } = patience(values, options.strict ?? true);
  return Array.from(tails.subarray(0, size), (i) => values[i] as number);
}

/** Follows predecessor links back from `last` and returns the subsequence front to back. */
function rebuild(values: NumericArray, prev: Int32Array, length: number, last: number): Subsequence {
  const indices = new Array<number>(length);
  for (let k = length - 1, i = last; k >= 0; k--, i = prev[i] as number) indices[k] = i;
  return { length, indices, values: indices.map((i) => values[i] as number) };
}

/**
 * The O(n^2) dynamic programme: best[i] = 1 + max best[j] over j < i with values[j] < values[i]
 * (<= when not strict). Simple and obviously right; the oracle for the fast version.
 */
export function longestIncreasingSubsequenceDP(values: NumericArray, options: IncreasingOptions = {}): Subsequence {
  assertComparableArray('values', values);
  const strict = options.strict ?? true;
  const n = values.length;
  const best = new Int32Array(n);
  const prev = new Int32Array(n).fill(-1);
  let end = -1;
  for (let i = 0; i < n; i++) {
    const x = values[i] as number;
    let length = 1;
    for (let j = 0; j < i; j++) {
      if (follows(values[j] as number, x, strict) && (best[j] as number) + 1 > length) {
        length = (best[j] as number) + 1;
        prev[i] = j;
      }
    }
    best[i] = length;
    if (options.ops) options.ops.comparisons += i; // one comparison of values per j < i
    if (end < 0 || (best[i] as number) > (best[end] as number)) end = i;
  }
  return rebuild(values, prev, end < 0 ? 0 : (best[end] as number), end);
}

/**
 * A longest non-increasing subsequence (each element <= the previous one): the non-decreasing LIS of
 * the negated values. With the strict LIS it satisfies Erdős–Szekeres: LIS x LNIS >= n.
 */
export function longestNonIncreasingSubsequence(values: NumericArray, options: Omit<IncreasingOptions, 'strict'> = {}): Subsequence {
  assertComparableArray('values', values);
  const negated = Array.from(values, (x) => -x);
  const { length, indices } = longestIncreasingSubsequence(negated, { strict: false, ops: options.ops });
  return { length, indices, values: indices.map((i) => values[i] as number) };
}

/**
 * WRONG, kept to be rejected by the tests: strict LIS with upper bound (first tail > x) instead of
 * lower bound. Equal values then extend each other, so [2, 2] gets "strict" length 2.
 */
export function longestIncreasingSubsequenceUpperBoundVariant(values: NumericArray): Subsequence {
  return longestIncreasingSubsequence(values, { strict: false });
}

/**
 * WRONG, kept to be rejected by the tests: returns the tails array as if it were the subsequence.
 * Its length is right, but [3, 4, 1] gives tails (1, 4), which is not in input order.
 */
export function longestIncreasingSubsequenceTailsVariant(values: NumericArray): Subsequence {
  assertComparableArray('values', values);
  const tails: number[] = [];
  const at: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    let p = 0;
    while (p < tails.length && (tails[p] as number) < x) p++;
    tails[p] = x;
    at[p] = i;
  }
  return { length: tails.length, indices: at, values: tails };
}
