/**
 * The engineered quicksort: any partition scheme and pivot rule, an optional comparator, small
 * ranges finished by insertion sort, recursion on the smaller side only (the stack stays <=
 * log2 n + 1 deep whatever the pivots), and the introsort fallback: after 2 floor(log2 n)
 * partitioning levels a range is heapsorted, which caps the time at O(n log n). `introsort` is the
 * production default of it (Hoare, random pivot, cutoff 16, heapsort fallback), what C++'s
 * std::sort does. Both are proven equal to the textbook `quicksort` in the answer key.
 *
 * Counted, when a Counter is passed: 'comparisons' (comparator calls), 'partitions' (partition
 * passes), 'heapsorts' (ranges handed to heapsort), 'maxDepth' (the deepest recursion, first
 * call = 1).
 *
 * @example
 *   introsort([3, 1, 2], rng(1))                                          // [1, 2, 3]
 *   quicksortWith(new Float64Array([2.5, -1, 0]), rng(1), { partition: 'three-way' })
 *   quicksortWith([1, 2, 3], rng(1), { compare: (a, b) => b - a })       // [3, 2, 1]
 */
import { assertOptionalCounter, type Counter } from '../../core/counter.js';
import {
  ArgumentError,
  assertBoolean,
  assertComparableArray,
  assertFunction,
  assertInteger,
  assertObject,
  assertOneOf,
  type NumericArray,
} from '../../core/errors.js';
import { assertRng, type Rng } from '../../core/random.js';
import {
  ascending,
  heapsort,
  hoare,
  insertionSort,
  lomuto,
  pivotIndex,
  swap,
  threeWay,
  type Compare,
  type PivotRule,
} from '../support/sort-kernels.js';
import { PIVOT_RULES } from './pivots.js';

export type Partition = 'lomuto' | 'hoare' | 'three-way';
export const PARTITIONS: readonly Partition[] = ['lomuto', 'hoare', 'three-way'];

export interface QuicksortOptions {
  /** Default 'hoare'. */
  partition?: Partition;
  /** Default 'random'. */
  pivot?: PivotRule;
  /** Default ascending numeric order (NOT Array.prototype.sort's default: it compares strings). */
  compare?: Compare;
  /** Ranges of at most this many items are insertion-sorted. Default 16; 1 means never. */
  insertionThreshold?: number;
  /** Heapsort a range after 2 floor(log2 n) partitioning levels. Default true. */
  introsort?: boolean;
}

/**
 * Sorts `values` in place and returns it. Every option has a default, so
 * `quicksortWith(xs, rng(1))` is `introsort(xs, rng(1))`.
 */
export function quicksortWith<A extends NumericArray>(
  values: A,
  rng: Rng,
  options: QuicksortOptions = {},
  counter?: Counter,
): A {
  assertComparableArray('values', values);
  assertRng('rng', rng);
  assertObject('options', options);
  assertOptionalCounter('counter', counter);
  const partition = options.partition ?? 'hoare';
  const rule = options.pivot ?? 'random';
  const userCompare = options.compare ?? ascending;
  const threshold = options.insertionThreshold ?? 16;
  const useIntrosort = options.introsort ?? true;
  assertOneOf('options.partition', partition, PARTITIONS);
  assertOneOf('options.pivot', rule, PIVOT_RULES);
  assertFunction('options.compare', userCompare, 'a function (a, b) => number');
  assertInteger('options.insertionThreshold', threshold, { min: 1 });
  assertBoolean('options.introsort', useIntrosort);

  // Tallied in locals (a Map update per comparison would cost more than the comparison).
  let [comparisons, partitions, heapsorts, maxDepth] = [0, 0, 0, 0];
  const inconsistent = () =>
    new ArgumentError('options.compare', userCompare, 'a consistent comparator (x vs x gives 0)');
  const compare: Compare = (x, y) => {
    comparisons++;
    const c: unknown = (userCompare as Compare)(x, y);
    if (typeof c !== 'number' || c !== c) {
      throw new ArgumentError('options.compare', c, `a number, not NaN (compare(${x}, ${y}))`);
    }
    return c;
  };
  const a: NumericArray = values;
  const n = a.length;
  const levels = useIntrosort && n > 1 ? 2 * Math.floor(Math.log2(n)) : Number.POSITIVE_INFINITY;

  /** Sorts a[lo..hi]; `budget` is how many more partitioning levels this range may use. */
  const sortRange = (lo: number, hi: number, depth: number, budget: number): void => {
    if (depth > maxDepth) maxDepth = depth;
    while (hi - lo + 1 > threshold) {
      if (budget === 0) {
        heapsorts++;
        heapsort(a, lo, hi, compare);
        return;
      }
      budget--;
      partitions++;
      // [lo, leftHi] and [rightLo, hi] are what is left to sort after partitioning.
      let leftHi: number;
      let rightLo: number;
      if (partition === 'lomuto') {
        swap(a, pivotIndex(a, lo, hi, rule, rng, compare), hi);
        const p = lomuto(a, lo, hi, compare);
        [leftHi, rightLo] = [p - 1, p + 1];
      } else if (partition === 'hoare') {
        swap(a, pivotIndex(a, lo, hi, rule, rng, compare), lo);
        const j = hoare(a, lo, hi, compare);
        if (j >= hi) throw inconsistent(); // a consistent comparator gives lo <= j < hi
        [leftHi, rightLo] = [j, j + 1];
      } else {
        swap(a, pivotIndex(a, lo, hi, rule, rng, compare), lo);
        const [lt, gt] = threeWay(a, lo, hi, compare);
        if (lt > gt) throw inconsistent(); // the block equal to the pivot holds the pivot
        [leftHi, rightLo] = [lt - 1, gt + 1];
      }
      // Recurse on the smaller side, loop on the larger: the recursive range is at most half of
      // this one, so the depth stays <= log2 n + 1 whatever the pivots are.
      if (leftHi - lo < hi - rightLo) {
        sortRange(lo, leftHi, depth + 1, budget);
        lo = rightLo;
      } else {
        sortRange(rightLo, hi, depth + 1, budget);
        hi = leftHi;
      }
    }
    insertionSort(a, lo, hi, compare);
  };

  if (n > 1) sortRange(0, n - 1, 1, levels);
  if (counter !== undefined) {
    counter.add('comparisons', comparisons);
    counter.add('partitions', partitions);
    counter.add('heapsorts', heapsorts);
    // A Counter keeps sums: the maximum is kept by adding how much deeper this sort went.
    counter.add('maxDepth', Math.max(0, maxDepth - counter.get('maxDepth')));
  }
  return values;
}

/** Introsort: Hoare, random pivot, insertion sort up to 16 items, heapsort after 2 log2 n levels */
export function introsort<A extends NumericArray>(values: A, rng: Rng, counter?: Counter): A {
  return quicksortWith(values, rng, {}, counter);
}
