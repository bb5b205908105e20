/**
 * Quicksort, in place, on number arrays and numeric typed arrays.
 * Answers: Q06 (快速排序 / quicksort).
 *
 * The idea in two lines: pick a pivot, partition the range so that smaller items come before it and
 * larger items after it, then sort both sides. Expected O(n log n) comparisons with a random pivot
 * (about 1.39 n log2 n); O(n^2) if the pivot is systematically the smallest item.
 *
 * `quicksort` is the whiteboard answer: a random pivot from the passed-in Rng, Hoare's partition
 * (equal keys stop both pointers, so duplicates split evenly), recursion on both sides (expected
 * depth O(log n)). The parts follow, each proven equal to it in the answer key:
 * - ./partitions: `lomutoPartition`, `hoarePartition`, `threeWayPartition`;
 * - ./pivots: the pivot rules ('random', 'first', 'median-of-three'): `choosePivot`,
 *   `medianOfThree`;
 * - ./introsort: `quicksortWith` (any partition x pivot rule, a comparator, an insertion-sort
 *   cutoff, smaller-side recursion so the stack is <= log2 n + 1, the heapsort fallback, a
 *   Counter) and `introsort`, its production default;
 * - ./pitfalls: the common wrong answers (`pitfall*`).
 * -0 and +0 compare equal, so their relative order is not specified. Not stable.
 *
 * Complexity: expected O(n log n) time, O(log n) expected stack. Worst case O(n^2) (improbable with
 * a random pivot); introsort caps it at O(n log n).
 *
 * @example
 *   quicksort([3, 1, 2], rng(1))                        // [1, 2, 3], in place
 *   quicksort([10, 9, 1, 100], rng(1))                  // [1, 9, 10, 100], not lexicographic
 *   quicksort(new Float64Array([2.5, -1, 0]), rng(1))   // Float64Array [-1, 0, 2.5]
 */
import { assertComparableArray, type NumericArray } from '../../core/errors.js';
import { assertRng, type Rng } from '../../core/random.js';

/** Sorts `values` in place and returns it: random pivot, Hoare partition, both sides recursed. */
export function quicksort<A extends NumericArray>(values: A, rng: Rng): A {
  assertComparableArray('values', values);
  assertRng('rng', rng);
  const a: NumericArray = values;
  const swap = (i: number, j: number) => ([a[i], a[j]] = [a[j] as number, a[i] as number]);
  /** Sorts a[lo..hi], both ends inclusive. */
  const sort = (lo: number, hi: number): void => {
    if (lo >= hi) return;
    swap(lo, rng.integer(lo, hi)); // a random pivot, moved to the front
    const pivot = a[lo] as number;
    // Hoare: i walks up past items < pivot, j walks down past items > pivot; swap the stuck pair.
    let i = lo - 1;
    let j = hi + 1;
    for (;;) {
      do i++;
      while ((a[i] as number) < pivot);
      do j--;
      while ((a[j] as number) > pivot);
      if (i >= j) break;
      swap(i, j);
    }
    // Now a[lo..j] <= pivot <= a[j+1..hi]; the pivot itself is not necessarily at j.
    sort(lo, j);
    sort(j + 1, hi);
  };
  sort(0, a.length - 1);
  return values;
}

export * from './partitions.js';
export * from './pivots.js';
export * from './introsort.js';
export * from './pitfalls.js';
