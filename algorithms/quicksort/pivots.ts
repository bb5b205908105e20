/**
 * Pivot rules of quicksort, as checked public entries. A rule picks the index of the pivot in
 * values[lo..hi]:
 * - 'random' (through the passed-in Rng): expected O(n log n) on every input.
 * - 'first': values[lo]; on sorted input it is the minimum every time, n(n - 1) / 2 comparisons.
 * - 'median-of-three': the median of values[lo], values[mid], values[hi]: fine on sorted and
 *   reversed input, yet still quadratic on crafted "median-of-3 killer" inputs.
 *
 * @example
 *   medianOfThree([5, 9, 1], 0, 2)                           // 0 (5 is the median of 5, 9, 1)
 *   choosePivot([4, 3, 2, 1], 0, 3, 'median-of-three', rng(1)) // 1 (3 is the median of 4, 3, 1)
 */
import {
  assertComparableArray,
  assertInteger,
  assertOneOf,
  type NumericArray,
} from '../../core/errors.js';
import { assertRng, type Rng } from '../../core/random.js';
import {
  ascending,
  medianOfThreeIndex,
  pivotIndex,
  type PivotRule,
} from '../support/sort-kernels.js';

export type { PivotRule } from '../support/sort-kernels.js';
export const PIVOT_RULES: readonly PivotRule[] = ['random', 'first', 'median-of-three'];

function assertRange(values: unknown, lo: unknown, hi: unknown): asserts values is NumericArray {
  assertComparableArray('values', values);
  assertInteger('lo', lo, { min: 0, max: values.length - 1 });
  assertInteger('hi', hi, { min: lo, max: values.length - 1 });
}

/** The index of the median of values[lo], values[mid], values[hi] (mid: the middle index). */
export function medianOfThree(values: NumericArray, lo: number, hi: number): number {
  assertRange(values, lo, hi);
  return medianOfThreeIndex(values, lo, hi, ascending);
}

/** The index of the pivot that `rule` picks in values[lo..hi]. */
export function choosePivot(
  values: NumericArray,
  lo: number,
  hi: number,
  rule: PivotRule,
  rng: Rng,
): number {
  assertRange(values, lo, hi);
  assertOneOf('rule', rule, PIVOT_RULES);
  assertRng('rng', rng);
  return pivotIndex(values, lo, hi, rule, rng, ascending);
}
