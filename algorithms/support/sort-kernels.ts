/**
 * The unchecked kernels behind the quicksort parts (algorithms/quicksort/): partitions, insertion
 * sort, heapsort and the pivot choice, on a[lo..hi] with both ends inclusive. Not a public surface:
 * they trust their arguments (an array, integer bounds inside it, a comparator), because they run
 * inside the sort loops. Their callers are the checked entries of algorithms/quicksort/, which
 * validate once at entry.
 *
 * @internal: not probed by the junk-call test (tests/surface.test.ts), for the reason above.
 *
 * The two-pointer loops are bounded by lo and hi, so even an inconsistent comparator (one that
 * says x < x) cannot walk them off the range: the range is never read or written outside [lo, hi].
 */
import type { NumericArray } from '../../core/errors.js';
import type { Rng } from '../../core/random.js';

/** Negative if a sorts before b, positive if after, 0 if equal (as for Array.prototype.sort). */
export type Compare = (a: number, b: number) => number;
export type PivotRule = 'random' | 'first' | 'median-of-three';

/** Numeric order without subtraction: Infinity - Infinity is NaN, this gives 0. */
export const ascending: Compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

export function swap(a: NumericArray, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}

/**
 * Lomuto: pivot = a[hi]. Invariant while j scans [lo, hi): a[lo..i) < pivot <= a[i..j).
 * Ends with the pivot swapped into a[i], its final place; returns i. hi - lo comparisons.
 */
export function lomuto(a: NumericArray, lo: number, hi: number, compare: Compare): number {
  const pivot = a[hi] as number;
  let i = lo;
  for (let j = lo; j < hi; j++) {
    if (compare(a[j] as number, pivot) < 0) swap(a, i++, j);
  }
  swap(a, i, hi);
  return i;
}

/**
 * Hoare: pivot = a[lo] (its value; it may move). i walks up past items < pivot, j walks down past
 * items > pivot, and the two out-of-place items are swapped, until the pointers cross.
 * Returns j with lo <= j < hi (for lo < hi) and a[lo..j] <= pivot <= a[j+1..hi]: recurse on
 * [lo, j] and [j + 1, hi]. The guards i < hi and j > lo never change the result for a consistent
 * comparator (the pivot and the swapped items stop the pointers first); they only keep an
 * inconsistent one inside the range.
 */
export function hoare(a: NumericArray, lo: number, hi: number, compare: Compare): number {
  const pivot = a[lo] as number;
  let i = lo - 1;
  let j = hi + 1;
  for (;;) {
    do i++;
    while (i < hi && compare(a[i] as number, pivot) < 0);
    do j--;
    while (j > lo && compare(a[j] as number, pivot) > 0);
    if (i >= j) return j;
    swap(a, i, j);
  }
}

/**
 * Three-way (Dijkstra's Dutch national flag): pivot = a[lo]. Invariant: a[lo..lt) < pivot,
 * a[lt..i) == pivot, a(gt..hi] > pivot, a[i..gt] not yet seen. Returns [lt, gt]: a[lt..gt] are the
 * items equal to the pivot, already in their final place. hi - lo + 1 comparisons.
 */
export function threeWay(
  a: NumericArray,
  lo: number,
  hi: number,
  compare: Compare,
): [number, number] {
  const pivot = a[lo] as number;
  let lt = lo;
  let gt = hi;
  let i = lo;
  while (i <= gt) {
    const c = compare(a[i] as number, pivot);
    if (c < 0) swap(a, lt++, i++);
    else if (c > 0) swap(a, i, gt--);
    else i++;
  }
  return [lt, gt];
}

/** Insertion sort of a[lo..hi]: fast for a handful of items; finishes the small ranges. */
export function insertionSort(a: NumericArray, lo: number, hi: number, compare: Compare): void {
  for (let i = lo + 1; i <= hi; i++) {
    const x = a[i] as number;
    let j = i - 1;
    while (j >= lo && compare(a[j] as number, x) > 0) {
      a[j + 1] = a[j] as number;
      j--;
    }
    a[j + 1] = x;
  }
}

/** Heapsort of a[lo..hi] (the introsort fallback): O(m log m) worst case, in place. */
export function heapsort(a: NumericArray, lo: number, hi: number, compare: Compare): void {
  const m = hi - lo + 1;
  // Max-heap on positions 0..size-1, stored at a[lo + position]; children of k are 2k+1, 2k+2.
  const siftDown = (k: number, size: number) => {
    for (;;) {
      let child = 2 * k + 1;
      if (child >= size) return;
      if (child + 1 < size && compare(a[lo + child] as number, a[lo + child + 1] as number) < 0) {
        child++;
      }
      if (compare(a[lo + k] as number, a[lo + child] as number) >= 0) return;
      swap(a, lo + k, lo + child);
      k = child;
    }
  };
  for (let k = (m >> 1) - 1; k >= 0; k--) siftDown(k, m);
  for (let size = m - 1; size > 0; size--) {
    swap(a, lo, lo + size); // the largest goes to the end of the shrinking heap
    siftDown(0, size);
  }
}

/** The index of the median of a[lo], a[mid], a[hi] (mid = the middle of the range). */
export function medianOfThreeIndex(
  a: NumericArray,
  lo: number,
  hi: number,
  compare: Compare,
): number {
  const mid = lo + ((hi - lo) >> 1);
  const [x, y, z] = [a[lo] as number, a[mid] as number, a[hi] as number];
  if (compare(x, y) < 0) return compare(y, z) < 0 ? mid : compare(x, z) < 0 ? hi : lo;
  return compare(x, z) < 0 ? lo : compare(y, z) < 0 ? hi : mid;
}

/** The index of the pivot by `rule` in a[lo..hi]. */
export function pivotIndex(
  a: NumericArray,
  lo: number,
  hi: number,
  rule: PivotRule,
  rng: Rng,
  compare: Compare,
): number {
  if (rule === 'random') return rng.integer(lo, hi);
  if (rule === 'median-of-three') return medianOfThreeIndex(a, lo, hi, compare);
  return lo;
}
