/**
 * Longest increasing run (contiguous) and longest increasing subsequence (not contiguous).
 * Answers: Q04 (最长递增子串 / longest increasing substring, and the subsequence variant).
 *
 * The idea in two lines: a run is found in one pass, restarting when a[i] <= a[i - 1]. For the
 * subsequence, tails[L] is the smallest value that can end an increasing subsequence of length
 * L + 1; each x replaces the first tail >= x (lower bound) or extends tails (patience sorting).
 *
 * The two textbook answers come first:
 * - `longestIncreasingRun`: what the question literally asks (LeetCode 674), one pass.
 * - `longestIncreasingSubsequence`: O(n log n) patience sorting (LeetCode 300) with predecessor
 *   links, so the subsequence itself is reconstructed (the `tails` array is NOT a subsequence of
 *   the input).
 * Named alternatives follow, proven equal to them in the answer key:
 * - `longestIncreasingRunCounted`, `longestIncreasingSubsequencePatience`: strict or
 *   non-decreasing ({ strict: false }), comparisons counted with a `Counter`. Strict uses lower
 *   bound (first tail >= x); non-decreasing uses upper bound (first tail > x).
 * - `longestIncreasingSubsequenceDP`: the O(n^2) dynamic programme, the oracle and the bench
 *   baseline.
 * - `patienceTails`; `longestNonIncreasingSubsequence` (Erdős–Szekeres: LIS_strict x LNIS >= n).
 * - The common wrong answers, as `pitfall*` functions at the end.
 *
 * Complexity: run O(n) time, O(1) space. Patience O(n log L) comparisons (L = answer), O(n) space.
 * DP O(n^2) time, O(n) space.
 *
 * @example
 *   longestIncreasingRun([1, 3, 5, 4, 7])                              // { start: 0, length: 3 }
 *   longestIncreasingSubsequence([10, 9, 2, 5, 3, 7, 101, 18]).values  // [2, 3, 7, 18]
 *   longestIncreasingSubsequencePatience([7, 7, 7], { strict: false }).length  // 3
 */
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import {
  ArgumentError,
  assertBoolean,
  assertComparableArray,
  assertObject,
  type NumericArray,
} from '../core/errors.js';

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

/**
 * LeetCode 674: the longest strictly increasing contiguous run, leftmost if several tie.
 * Invariant: after index i, the run ending at i starts at `start`; `best` is the longest in [0, i].
 */
export function longestIncreasingRun(values: NumericArray): Run {
  assertComparableArray('values', values);
  if (values.length === 0) return { start: 0, length: 0 };
  let best: Run = { start: 0, length: 1 };
  let start = 0;
  for (let i = 1; i < values.length; i++) {
    if (values[i]! <= values[i - 1]!) start = i; // the run breaks: restart at i
    // Compare on every step, not only when a run breaks: otherwise the final run is never counted.
    if (i - start + 1 > best.length) best = { start, length: i - start + 1 };
  }
  return best;
}

/** LeetCode 300, reconstructed: a longest strictly increasing subsequence in O(n log n). */
export function longestIncreasingSubsequence(values: NumericArray): Subsequence {
  assertComparableArray('values', values);
  const tails: number[] = []; // values[tails[L]]: smallest last value of an increasing run of L + 1
  const prev: number[] = []; // prev[i]: the index before i in the subsequence that i ends
  for (let i = 0; i < values.length; i++) {
    // lower bound: the first L with values[tails[L]] >= values[i] (an equal value replaces)
    let [lo, hi] = [0, tails.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[tails[mid]!]! < values[i]!) lo = mid + 1;
      else hi = mid;
    }
    prev[i] = lo > 0 ? tails[lo - 1]! : -1;
    tails[lo] = i; // replaces a larger tail, or extends tails when lo = tails.length
  }
  const indices: number[] = [];
  for (let i = tails.at(-1) ?? -1; i >= 0; i = prev[i]!) indices.push(i);
  indices.reverse();
  return { length: indices.length, indices, values: indices.map((i) => values[i]!) };
}

export interface IncreasingOptions {
  /** true (default): each element is > the previous one; false: >= (non-decreasing). */
  strict?: boolean;
}

/** The checked `strict` of an options bag (default true). */
function strictOf(options: unknown): boolean {
  assertObject('options', options);
  const strict = options['strict'] ?? true;
  assertBoolean('options.strict', strict);
  return strict;
}

/** `next` continues an increasing sequence after `prev` (strict: >, non-decreasing: >=). */
function follows(prev: number, next: number, strict: boolean): boolean {
  return strict ? next > prev : next >= prev;
}

/**
 * The longest run, strict or non-decreasing, comparisons counted ('comparisons', n - 1 of them).
 * With the default options it returns what `longestIncreasingRun` returns.
 */
export function longestIncreasingRunCounted(
  values: NumericArray,
  options: IncreasingOptions = {},
  counter?: Counter,
): Run {
  assertComparableArray('values', values);
  const strict = strictOf(options);
  assertOptionalCounter('counter', counter);
  if (values.length === 0) return { start: 0, length: 0 };
  let best: Run = { start: 0, length: 1 };
  let start = 0;
  for (let i = 1; i < values.length; i++) {
    counter?.add('comparisons');
    if (!follows(values[i - 1]!, values[i]!, strict)) start = i;
    if (i - start + 1 > best.length) best = { start, length: i - start + 1 };
  }
  return best;
}

/**
 * First position p in tails[0 .. size) where x may go: strict -> first tail >= x (lower bound),
 * non-decreasing -> first tail > x (upper bound). tails is sorted (strictly, in the strict case).
 */
function tailPosition(
  values: NumericArray,
  tails: Int32Array,
  size: number,
  x: number,
  strict: boolean,
  counter?: Counter,
): number {
  let lo = 0;
  let hi = size; // the answer is in [lo, hi]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = values[tails[mid]!]!;
    counter?.add('comparisons');
    if (strict ? t < x : t <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Patience sorting over the whole input: tails[0 .. size) (indices) and predecessor links. */
function patience(values: NumericArray, strict: boolean, counter?: Counter) {
  const n = values.length;
  const tails = new Int32Array(n);
  const prev = new Int32Array(n).fill(-1);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const p = tailPosition(values, tails, size, values[i]!, strict, counter);
    if (p > 0) prev[i] = tails[p - 1]!; // i extends the best subsequence of length p
    tails[p] = i; // replaces a larger tail, or appends when p === size
    if (p === size) size++;
  }
  return { tails, prev, size };
}

/** Follows predecessor links back from `last` and returns the subsequence front to back. */
function rebuild(
  values: NumericArray,
  prev: Int32Array,
  length: number,
  last: number,
): Subsequence {
  const indices = new Array<number>(length);
  for (let k = length - 1, i = last; k >= 0; k--, i = prev[i]!) indices[k] = i;
  return { length, indices, values: indices.map((i) => values[i]!) };
}

/**
 * Patience sorting, engineered: typed arrays, strict or non-decreasing, binary-search comparisons
 * counted ('comparisons'). With the default options it returns exactly what
 * `longestIncreasingSubsequence` returns.
 */
export function longestIncreasingSubsequencePatience(
  values: NumericArray,
  options: IncreasingOptions = {},
  counter?: Counter,
): Subsequence {
  assertComparableArray('values', values);
  const strict = strictOf(options);
  assertOptionalCounter('counter', counter);
  const { tails, prev, size } = patience(values, strict, counter);
  return rebuild(values, prev, size, size > 0 ? tails[size - 1]! : -1);
}

/**
 * The tails after the whole input, as values: tails[L] is the smallest last value of any increasing
 * subsequence of length L + 1. Sorted (strictly, for the strict version), and its length is the LIS
 * length, but it is usually NOT a subsequence of the input.
 */
export function patienceTails(values: NumericArray, options: IncreasingOptions = {}): number[] {
  assertComparableArray('values', values);
  const { tails, size } = patience(values, strictOf(options));
  return Array.from(tails.subarray(0, size), (i) => values[i]!);
}

/** The DP does n (n - 1) / 2 comparisons: past this many values that is over 2^27 steps. */
const DP_MAX_LENGTH = 2 ** 14;

/**
 * The O(n^2) dynamic programme: best[i] = 1 + max best[j] over j < i with values[j] < values[i]
 * (<= when not strict). Simple and obviously right; the oracle for the fast version. Comparisons
 * counted ('comparisons', one per pair). At most 2^14 values (the patience versions take any n).
 */
export function longestIncreasingSubsequenceDP(
  values: NumericArray,
  options: IncreasingOptions = {},
  counter?: Counter,
): Subsequence {
  assertComparableArray('values', values);
  const strict = strictOf(options);
  assertOptionalCounter('counter', counter);
  const n = values.length;
  if (n > DP_MAX_LENGTH) {
    throw new ArgumentError('values', values, `at most ${DP_MAX_LENGTH} values for the O(n^2) DP`);
  }
  const best = new Int32Array(n);
  const prev = new Int32Array(n).fill(-1);
  let end = -1;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    let length = 1;
    for (let j = 0; j < i; j++) {
      if (follows(values[j]!, x, strict) && best[j]! + 1 > length) {
        length = best[j]! + 1;
        prev[i] = j;
      }
    }
    best[i] = length;
    counter?.add('comparisons', i); // one comparison of values per j < i
    if (end < 0 || best[i]! > best[end]!) end = i;
  }
  return rebuild(values, prev, end < 0 ? 0 : best[end]!, end);
}

/**
 * A longest non-increasing subsequence (each element <= the previous one): the non-decreasing LIS
 * of the negated values. With the strict LIS it satisfies Erdős–Szekeres: LIS x LNIS >= n.
 */
export function longestNonIncreasingSubsequence(
  values: NumericArray,
  counter?: Counter,
): Subsequence {
  assertComparableArray('values', values);
  assertOptionalCounter('counter', counter);
  const negated = Array.from(values, (x) => -x);
  const nonDecreasing = { strict: false };
  const { length, indices } = longestIncreasingSubsequencePatience(negated, nonDecreasing, counter);
  return { length, indices, values: indices.map((i) => values[i]!) };
}

/**
 * Pitfall: the strict LIS with upper bound (first tail > x) instead of lower bound. Equal values
 * then extend each other, so [2, 2] gets "strict" length 2.
 */
export function pitfallUpperBoundForStrict(values: NumericArray): Subsequence {
  assertComparableArray('values', values);
  const tails: number[] = [];
  const prev: number[] = [];
  for (let i = 0; i < values.length; i++) {
    let [lo, hi] = [0, tails.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[tails[mid]!]! <= values[i]!)
        lo = mid + 1; // wrong: `<=` is the non-strict bound
      else hi = mid;
    }
    prev[i] = lo > 0 ? tails[lo - 1]! : -1;
    tails[lo] = i;
  }
  const indices: number[] = [];
  for (let i = tails.at(-1) ?? -1; i >= 0; i = prev[i]!) indices.push(i);
  indices.reverse();
  return { length: indices.length, indices, values: indices.map((i) => values[i]!) };
}

/**
 * Pitfall: the tails array returned as if it were the subsequence. Its length is right, but
 * [3, 4, 1] gives tails (1, 4), which is not in input order.
 */
export function pitfallTailsAsSubsequence(values: NumericArray): Subsequence {
  assertComparableArray('values', values);
  const tails: number[] = [];
  const at: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    let [lo, hi] = [0, tails.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tails[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = x;
    at[lo] = i;
  }
  // wrong: the tails are not in input order
  return { length: tails.length, indices: at, values: tails };
}

/**
 * Pitfall: the best run updated only when a run breaks, so the last run is never counted:
 * [3, 1, 2, 3, 4] gives length 1.
 */
export function pitfallRunUpdatedOnBreak(values: NumericArray): Run {
  assertComparableArray('values', values);
  let best: Run = { start: 0, length: values.length > 0 ? 1 : 0 };
  let start = 0;
  for (let i = 1; i < values.length; i++) {
    if (values[i]! <= values[i - 1]!) {
      if (i - start > best.length) best = { start, length: i - start }; // wrong: only on a break
      start = i;
    }
  }
  return best;
}
