/**
 * The three partition schemes of quicksort, as checked public entries over values[lo..hi] (both
 * ends inclusive). Each rearranges the range in place around a pivot and says where the two sides
 * that are left to sort begin and end:
 * - Lomuto: one scan, pivot = values[hi], returns its final index p: sort [lo, p - 1], [p + 1, hi].
 *   On many equal keys every equal item lands on one side: quadratic.
 * - Hoare: two pointers, pivot value = values[lo], returns j with values[lo..j] <= pivot <=
 *   values[j+1..hi]: sort [lo, j] and [j + 1, hi]; the pivot is NOT necessarily at j. Equal keys
 *   stop both pointers, so they are split evenly.
 * - Three-way (Dijkstra): < pivot | == pivot | > pivot, returns the equal block [lt, gt],
 *   already in place: a run of duplicates is finished in one pass.
 *
 * @example
 *   lomutoPartition([3, 8, 2, 5, 1, 4, 7, 6], 0, 7)   // 5: [3, 2, 5, 1, 4, 6, 7, 8]
 *   hoarePartition([3, 8, 2, 5, 1, 4, 7, 6], 0, 7)    // 1: [1, 2 | 8, 5, 3, 4, 7, 6]
 *   threeWayPartition([2, 3, 2, 1, 2], 0, 4)          // [1, 3]: [1, 2, 2, 2, 3]
 */
import {
  assertComparableArray,
  assertFunction,
  assertInteger,
  type NumericArray,
} from '../../core/errors.js';
import { ascending, hoare, lomuto, threeWay, type Compare } from '../support/sort-kernels.js';

export type { Compare } from '../support/sort-kernels.js';

/** Checks values[lo..hi] is a non-empty range of a comparable array, and the comparator. */
function assertRange(values: unknown, lo: unknown, hi: unknown, compare: unknown): void {
  assertComparableArray('values', values);
  assertInteger('lo', lo, { min: 0, max: values.length - 1 });
  assertInteger('hi', hi, { min: lo, max: values.length - 1 });
  if (compare !== undefined) assertFunction('compare', compare, 'a function (a, b) => number');
}

/** Lomuto partition of values[lo..hi] around values[hi]; returns the pivot's final index. */
export function lomutoPartition(
  values: NumericArray,
  lo: number,
  hi: number,
  compare: Compare = ascending,
): number {
  assertRange(values, lo, hi, compare);
  return lomuto(values, lo, hi, compare);
}

/** Hoare partition of values[lo..hi] around the value values[lo]; returns the split index j. */
export function hoarePartition(
  values: NumericArray,
  lo: number,
  hi: number,
  compare: Compare = ascending,
): number {
  assertRange(values, lo, hi, compare);
  return hoare(values, lo, hi, compare);
}

/** Three-way partition of values[lo..hi] around values[lo]; returns the equal block [lt, gt]. */
export function threeWayPartition(
  values: NumericArray,
  lo: number,
  hi: number,
  compare: Compare = ascending,
): [number, number] {
  assertRange(values, lo, hi, compare);
  return threeWay(values, lo, hi, compare);
}
