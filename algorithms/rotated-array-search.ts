/**
 * Binary search in a sorted array that was rotated at an unknown offset, e.g.
 * [4, 5, 6, 7, 0, 1, 2].
 * Answers: Q02 (旋转数组找 target): LeetCode 33 (distinct values, returns the index), 81 (duplicates,
 * returns whether the target is there), 153 and 154 (the minimum, distinct / with duplicates).
 *
 * The idea in two lines: cut [lo, hi] at mid; at least one of the halves [lo, mid] and [mid, hi] is
 * sorted, and comparing its two ends with the target tells whether the target can be inside it.
 * For the minimum, compare nums[mid] with the RIGHT end: nums[mid] > nums[hi] means the drop is
 * after mid.
 *
 * Complexity: distinct values (33, 153) O(log n) time, at most floor(log2 n) + 1 probes (one probe
 * = one midpoint examined). With duplicates (81, 154) O(log n) on most inputs but O(n) in the worst
 * case: when nums[lo] = nums[mid] = nums[hi] nothing says which half is sorted, so only the ends
 * are dropped; an all-equal array without the target costs about n / 2 probes (81) or n - 1 (154).
 * O(1) extra space everywhere.
 *
 * `searchRotated` is the textbook answer. The named alternatives follow: `searchRotatedCounted`
 * (the same search, with probes counted and every probed value checked), the duplicates version
 * (81), the minimum (153, 154), and `assertRotatedSorted`; the common wrong answers are the
 * `pitfall*` functions at the end.
 *
 * Input checks, and what they cost:
 * - `nums` must be an array and `target` an integer (NaN and 1.5 are rejected), checked up front.
 * - The textbook answer trusts the elements (an interviewer's input). The counted versions check
 *   the elements they read: a NaN or non-integer that is probed throws. Checking all of them would
 *   cost O(n) and undo the point of the search, so an element never probed is not checked.
 * - The counted versions also detect an unsorted "rotated" array where they can at no asymptotic
 *   cost: every probe checks that nums[lo], nums[mid], nums[hi] could be a window of a rotated
 *   sorted array (at most one descent going lo -> mid -> hi -> lo), and the distinct-value versions
 *   reject a repeated value they see. Disorder only among elements never probed is NOT detected;
 *   call `assertRotatedSorted` (O(n)) first when the input is not trusted.
 *
 * @example
 *   searchRotated([4, 5, 6, 7, 0, 1, 2], 0)                    // 4
 *   searchRotated([4, 5, 6, 7, 0, 1, 2], 3)                    // -1
 *   searchRotatedWithDuplicates([2, 5, 6, 0, 0, 1, 2], 0)      // true
 *   findMinRotated([3, 4, 5, 1, 2])                            // 1
 *   findMinRotatedWithDuplicates([2, 2, 2, 0, 1])              // 0
 */
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertBoolean,
  assertInteger,
  assertObject,
} from '../core/errors.js';

/** LeetCode 33: the index of `target` in a rotated sorted array of distinct integers, or -1. */
export function searchRotated(nums: readonly number[], target: number): number {
  assertArray('nums', nums);
  assertInteger('target', target);
  let lo = 0;
  let hi = nums.length - 1;
  // Invariant: if target is in nums, it is in nums[lo..hi].
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (nums[mid] === target) return mid;
    if (nums[lo]! <= nums[mid]!) {
      // nums[lo..mid] ascends (<=: when mid = lo it is one element), so target is there iff
      // nums[lo] <= target < nums[mid]
      if (nums[lo]! <= target && target < nums[mid]!) hi = mid - 1;
      else lo = mid + 1;
    } else {
      // the drop is in (lo, mid], so nums[mid..hi] ascends
      if (nums[mid]! < target && target <= nums[hi]!) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return -1;
}

const ROTATED_SORTED = 'a sorted array rotated by some offset';
const DISTINCT = 'distinct values (for repeated values use the ...WithDuplicates version)';

/** nums[i], checked: an integer, or a typed error naming the index. */
function read(nums: readonly number[], i: number): number {
  const v: unknown = nums[i];
  if (typeof v !== 'number') throw new ArgumentTypeError(`nums[${i}]`, v, 'an integer');
  if (!Number.isSafeInteger(v)) throw new ArgumentError(`nums[${i}]`, v, 'an integer');
  return v;
}

/**
 * Every window nums[lo..hi] of a rotated sorted array is sorted or rotated sorted, so going
 * lo -> mid -> hi and back to lo there is at most one strict descent. Two descents prove disorder.
 * With distinct values required, two equal values at different indices prove a repeat.
 */
function assertWindow(
  nums: readonly number[],
  lo: number,
  mid: number,
  hi: number,
  distinct: boolean,
): [number, number, number] {
  const [a, b, c] = [read(nums, lo), read(nums, mid), read(nums, hi)];
  const descents = Number(a > b) + Number(b > c) + Number(c > a);
  if (descents > 1) throw windowError(nums, [lo, mid, hi], ROTATED_SORTED, 'out of rotated order');
  const repeat = (mid !== lo && a === b) || (mid !== hi && b === c) || (lo !== hi && a === c);
  if (distinct && repeat) throw windowError(nums, [lo, mid, hi], DISTINCT, 'a repeated value');
  return [a, b, c];
}

/** The error for a probed window: "nums[0] = 5, nums[2] = 4, nums[4] = 3 (out of order)". */
function windowError(
  nums: readonly number[],
  at: number[],
  expected: string,
  why: string,
): ArgumentError {
  const shown = at.map((i) => `nums[${i}] = ${nums[i]}`).join(', ');
  return new ArgumentError('nums', nums, expected, `${shown} (${why})`);
}

/** The search of 33 (duplicates = false) and 81 (true), probed values checked, probes counted. */
function searchCore(
  nums: readonly number[],
  target: number,
  duplicates: boolean,
  counter?: Counter,
): number {
  assertArray('nums', nums);
  assertInteger('target', target);
  assertOptionalCounter('counter', counter);
  let lo = 0;
  let hi = nums.length - 1;
  // Invariant: if target is in nums, it is in nums[lo..hi].
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    counter?.add('probes');
    const [a, b, c] = assertWindow(nums, lo, mid, hi, !duplicates);
    if (b === target) return mid;
    if (duplicates && a === b && b === c) {
      // Either half could hold the drop. Both ends equal nums[mid], which is not the target:
      // drop them.
      lo++;
      hi--;
    } else if (a <= b) {
      // nums[lo..mid] ascends, so target is there iff a <= target < b.
      if (a <= target && target < b) hi = mid - 1;
      else lo = mid + 1;
    } else {
      // The drop is in (lo, mid], so nums[mid..hi] ascends: target is there iff b < target <= c.
      if (b < target && target <= c) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return -1;
}

/**
 * LeetCode 33 as `searchRotated`, engineered: probes counted ('probes', one per midpoint examined)
 * and every probed value checked (an integer, in rotated order, not repeated).
 */
export function searchRotatedCounted(
  nums: readonly number[],
  target: number,
  counter?: Counter,
): number {
  return searchCore(nums, target, false, counter);
}

/** LeetCode 81: whether `target` is in a rotated sorted array that may repeat values. */
export function searchRotatedWithDuplicates(
  nums: readonly number[],
  target: number,
  counter?: Counter,
): boolean {
  return searchCore(nums, target, true, counter) >= 0;
}

function findMinCore(nums: readonly number[], distinct: boolean, counter?: Counter): number {
  assertArray('nums', nums);
  assertOptionalCounter('counter', counter);
  if (nums.length === 0) throw new ArgumentError('nums', nums, 'a non-empty array');
  let lo = 0;
  let hi = nums.length - 1;
  // Invariant: the minimum is in nums[lo..hi].
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    counter?.add('probes');
    const [, b, c] = assertWindow(nums, lo, mid, hi, distinct);
    // Compare with the RIGHT end. b > c: the drop, and so the minimum, is after mid.
    if (b > c) lo = mid + 1;
    // b < c: nums[mid..hi] ascends, so the minimum is at mid or before.
    else if (b < c) hi = mid;
    // b = c (duplicates only): nums[hi] has a copy at mid, so dropping hi keeps the minimum.
    else hi--;
  }
  return read(nums, lo);
}

/** LeetCode 153: the minimum of a rotated sorted array of distinct integers. O(log n). */
export function findMinRotated(nums: readonly number[], counter?: Counter): number {
  return findMinCore(nums, true, counter);
}

/** LeetCode 154: the minimum when values may repeat. O(log n) typical, O(n) when all are equal. */
export function findMinRotatedWithDuplicates(nums: readonly number[], counter?: Counter): number {
  return findMinCore(nums, false, counter);
}

/**
 * The full O(n) check the searches skip: every element an integer and the array a sorted array
 * rotated by some offset (at most one descent, counting the wrap from the last element to the
 * first).
 * With `distinct`, no value may repeat. Throws a typed error naming the first offending index.
 */
export function assertRotatedSorted(
  nums: readonly number[],
  options: { distinct?: boolean } = {},
): void {
  assertArray('nums', nums);
  assertObject('options', options);
  const distinct = options.distinct ?? false;
  assertBoolean('options.distinct', distinct);
  const n = nums.length;
  let descents = 0;
  for (let i = 0; i < n; i++) {
    const [x, next] = [read(nums, i), read(nums, (i + 1) % n)];
    const pair = () => `nums[${i}] = ${x}, nums[${(i + 1) % n}] = ${next}`;
    if (x > next) descents++;
    if (descents > 1) {
      throw new ArgumentError('nums', nums, ROTATED_SORTED, `a second descent at ${pair()}`);
    }
    if (distinct && n > 1 && x === next) throw new ArgumentError('nums', nums, DISTINCT, pair());
  }
}

/**
 * Pitfall: the wrong half test `nums[lo] < nums[mid]` where `<=` is needed. When mid = lo (a window
 * of two) it believes the right half is the sorted one: pitfallStrictHalfTest([3, 1], 1) is -1.
 */
export function pitfallStrictHalfTest(nums: readonly number[], target: number): number {
  assertArray('nums', nums);
  assertInteger('target', target);
  let lo = 0;
  let hi = nums.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (nums[mid] === target) return mid;
    if (nums[lo]! < nums[mid]!) {
      // wrong: `<` says a one-element left half [lo, mid] is not sorted
      if (nums[lo]! <= target && target < nums[mid]!) hi = mid - 1;
      else lo = mid + 1;
    } else {
      if (nums[mid]! < target && target <= nums[hi]!) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return -1;
}

/**
 * Pitfall: the minimum found by comparing nums[mid] with the LEFT end. "nums[mid] >= nums[lo]" does
 * not say the drop is after mid: on an array that is not rotated at all it walks right, and
 * pitfallMinAgainstLeftEnd([1, 2, 3]) is 3.
 */
export function pitfallMinAgainstLeftEnd(nums: readonly number[]): number {
  assertArray('nums', nums);
  if (nums.length === 0) throw new ArgumentError('nums', nums, 'a non-empty array');
  let lo = 0;
  let hi = nums.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (nums[mid]! >= nums[lo]!)
      lo = mid + 1; // wrong: compare with nums[hi]
    else hi = mid;
  }
  return nums[lo]!;
}
