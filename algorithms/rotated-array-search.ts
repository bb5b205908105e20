/**
 * Binary search in a sorted array that was rotated at an unknown offset, e.g. [4, 5, 6, 7, 0, 1, 2].
 * Answers: Q02 (旋转数组找 target): LeetCode 33 (distinct values, returns the index), 81 (duplicates,
 * returns whether the target is there), 153 and 154 (the minimum, distinct / with duplicates).
 *
 * The idea in two lines: cut [lo, hi] at mid; at least one of the halves [lo, mid] and [mid, hi] is
 * sorted, and comparing its two ends with the target tells whether the target can be inside it.
 * For the minimum, compare nums[mid] with the RIGHT end: nums[mid] > nums[hi] means the drop is after mid.
 *
 * Complexity: distinct values (33, 153) O(log n) time, at most floor(log2 n) + 1 probes (one probe
 * = one midpoint examined). With duplicates (81, 154) O(log n) on most inputs but O(n) in the worst
 * case: when nums[lo] = nums[mid] = nums[hi] nothing says which half is sorted, so only the ends are
 * dropped; an all-equal array without the target costs about n / 2 probes (81) or n - 1 (154).
 * O(1) extra space everywhere.
 *
 * Input checks, and what they cost:
 * - `nums` must be an array and `target` an integer (NaN and 1.5 are rejected), checked up front.
 * - Elements are checked as they are read: a NaN or non-integer that is probed throws. Checking all
 *   of them would cost O(n) and undo the point of the search, so an element never probed is not checked.
 * - An unsorted "rotated" array is detected where it can be at no asymptotic cost: every probe checks
 *   that nums[lo], nums[mid], nums[hi] could be a window of a rotated sorted array (at most one
 *   descent going lo -> mid -> hi -> lo), and the distinct-value versions also reject a repeated value
 *   they see. Disorder only among elements never probed is NOT detected and gives an unspecified
 *   answer; call `assertRotatedSorted` (O(n)) first when the input is not trusted.
 *
 * @example
 *   searchRotated([4, 5, 6, 7, 0, 1, 2], 0)                    // 4
 *   searchRotated([4, 5, 6, 7, 0, 1, 2], 3)                    // -1
 *   searchRotatedWithDuplicates([2, 5, 6, 0, 0, 1, 2], 0)      // true
 *   findMinRotated([3, 4, 5, 1, 2])                            // 1
 *   findMinRotatedWithDuplicates([2, 2, 2, 0, 1])              // 0
 */
import { ArgumentError, ArgumentTypeError, assertArray, assertInteger } from '../core/errors.js';

/** Counts probes: one per midpoint examined. Pass one in to measure; it is incremented, not reset. */
export interface ProbeCounter {
  probes: number;
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
function checkWindow(nums: readonly number[], lo: number, mid: number, hi: number, distinct: boolean): [number, number, number] {
  const [a, b, c] = [read(nums, lo), read(nums, mid), read(nums, hi)];
  const descents = Number(a > b) + Number(b > c) + Number(c > a);
  if (descents > 1) {
    throw new ArgumentError('nums', nums, ROTATED_SORTED, `nums[${lo}] = ${a}, nums[${mid}] = ${b}, nums[${hi}] = ${c} (out of rotated order)`);
  }
  if (distinct && ((mid !== lo && a === b) || (mid !== hi && b === c) || (lo !== hi && a === c))) {
    throw new ArgumentError('nums', nums, DISTINCT, `nums[${lo}] = ${a}, nums[${mid}] = ${b}, nums[${hi}] = ${c} (a repeated value)`);
  }
  return [a, b, c];
}

interface SearchOptions {
  duplicates: boolean;
  /** Whether nums[lo..mid] is sorted, from its two ends. Correct: a <= b. */
  leftHalfSorted: (a: number, b: number) => boolean;
}

function searchCore(nums: readonly number[], target: number, counter: ProbeCounter | undefined, options: SearchOptions): number {
  assertArray('nums', nums);
  assertInteger('target', target);
  let lo = 0;
  let hi = nums.length - 1;
  // Invariant: if target is in nums, it is in nums[lo..hi].
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (counter) counter.probes++;
    const [a, b, c] = checkWindow(nums, lo, mid, hi, !options.duplicates);
    if (b === target) return mid;
    if (options.duplicates && a === b && b === c) {
      // Either half could hold the drop. Both ends equal nums[mid], which is not the target: drop them.
      lo++;
      hi--;
    } else if (options.leftHalfSorted(a, b)) {
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

/** `<=`, not `<`: when mid = lo the "left half" is the single element nums[lo], which is sorted. */
const leftHalfSorted = (a: number, b: number) => a <= b;

/** LeetCode 33: the index of `target` in a rotated sorted array of distinct integers, or -1. */
export function searchRotated(nums: readonly number[], target: number, counter?: ProbeCounter): number {
  return searchCore(nums, target, counter, { duplicates: false, leftHalfSorted });
}

/** LeetCode 81: whether `target` is in a rotated sorted array that may repeat values. O(n) worst case. */
export function searchRotatedWithDuplicates(nums: readonly number[], target: number, counter?: ProbeCounter): boolean {
  return searchCore(nums, target, counter, { duplicates: true, leftHalfSorted }) >= 0;
}

/**
 * WRONG, kept to be rejected by the tests: LeetCode 33 with `nums[lo] < nums[mid]` where `<=` is
 * needed. When mid = lo (a window of two) it wrongly believes the right half is the sorted one:
 * searchRotatedStrictVariant([3, 1], 1) returns -1.
 */
export function searchRotatedStrictVariant(nums: readonly number[], target: number): number {
  return searchCore(nums, target, undefined, { duplicates: false, leftHalfSorted: (a, b) => a < b });
}

/** Where the minimum of nums[lo..hi] is, judged from the probed values a = nums[lo], b = nums[mid], c = nums[hi]. */
type MinSide = 'after-mid' | 'at-or-before-mid' | 'not-hi';

/**
 * Compare with the RIGHT end. b > c: the drop, and so the minimum, is after mid. b < c: nums[mid..hi]
 * ascends, so the minimum is at mid or before. b = c (duplicates only): nums[hi] has a copy at mid,
 * so dropping hi keeps the minimum in the window.
 */
const compareWithRight = (_a: number, b: number, c: number): MinSide => (b > c ? 'after-mid' : b < c ? 'at-or-before-mid' : 'not-hi');

function findMinCore(nums: readonly number[], counter: ProbeCounter | undefined, distinct: boolean, side: typeof compareWithRight): number {
  assertArray('nums', nums);
  if (nums.length === 0) throw new ArgumentError('nums', nums, 'a non-empty array');
  let lo = 0;
  let hi = nums.length - 1;
  // Invariant: the minimum is in nums[lo..hi].
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (counter) counter.probes++;
    const where = side(...checkWindow(nums, lo, mid, hi, distinct));
    if (where === 'after-mid') lo = mid + 1;
    else if (where === 'at-or-before-mid') hi = mid;
    else hi--;
  }
  return read(nums, lo);
}

/** LeetCode 153: the minimum of a rotated sorted array of distinct integers. O(log n). */
export function findMinRotated(nums: readonly number[], counter?: ProbeCounter): number {
  return findMinCore(nums, counter, true, compareWithRight);
}

/** LeetCode 154: the minimum when values may repeat. O(log n) typical, O(n) when all are equal. */
export function findMinRotatedWithDuplicates(nums: readonly number[], counter?: ProbeCounter): number {
  return findMinCore(nums, counter, false, compareWithRight);
}

/**
 * WRONG, kept to be rejected by the tests: the minimum found by comparing nums[mid] with the LEFT
 * end. "nums[mid] >= nums[lo]" does not say the drop is after mid: on an array that is not rotated
 * at all it walks right, and findMinRotatedLeftVariant([1, 2, 3]) returns 3.
 */
export function findMinRotatedLeftVariant(nums: readonly number[]): number {
  return findMinCore(nums, undefined, false, (a, b) => (b >= a ? 'after-mid' : 'at-or-before-mid'));
}

/**
 * The full O(n) check the searches skip: every element an integer and the array a sorted array
 * rotated by some offset (at most one descent, counting the wrap from the last element to the first).
 * With `distinct`, no value may repeat. Throws a typed error naming the first offending index.
 */
export function assertRotatedSorted(nums: readonly number[], { distinct = false }: { distinct?: boolean } = {}): void {
  assertArray('nums', nums);
  const n = nums.length;
  let descents = 0;
  for (let i = 0; i < n; i++) {
    const [x, next] = [read(nums, i), read(nums, (i + 1) % n)];
    if (x > next) descents++;
    if (descents > 1) throw new ArgumentError('nums', nums, ROTATED_SORTED, `a second descent at nums[${i}] = ${x} > nums[${(i + 1) % n}] = ${next}`);
    if (distinct && n > 1 && x === next) throw new ArgumentError('nums', nums, DISTINCT, `nums[${i}] = nums[${(i + 1) % n}] = ${x}`);
  }
}
