/**
 * Quicksort, in place, on number arrays and numeric typed arrays, with an optional comparator.
 * Answers: Q06 (快速排序 / quicksort).
 *
 * The idea in two lines: pick a pivot, partition the range so that smaller items come before it and
 * larger items after it, then sort both sides. Expected O(n log n) if the pivot is random; O(n^2) if
 * the pivot is systematically the smallest (first element of sorted input).
 *
 * Variants here, side by side:
 * - Partitions: Lomuto (one scan, pivot at hi, returns its final index p: recurse on [lo, p - 1] and
 *   [p + 1, hi]); Hoare (two pointers, pivot value from lo, returns j with a[lo..j] <= pivot <=
 *   a[j+1..hi]: recurse on [lo, j] and [j + 1, hi], the pivot is NOT necessarily at j); three-way
 *   (Dijkstra: < pivot | == pivot | > pivot, so runs of duplicates are finished in one pass).
 * - Pivot: 'random' (through the passed-in Rng), 'first', or 'median-of-three'.
 * - Stack: recurse on the smaller side and loop on the larger, so the depth is <= log2 n + 1 even
 *   when the time is quadratic; introsort (on by default) switches a range to heapsort after
 *   2 floor(log2 n) partitioning levels, which caps the time at O(n log n).
 * - Ranges of at most `insertionThreshold` items are finished by insertion sort.
 *
 * Lomuto on many duplicates is quadratic (equal items all land on one side); Hoare splits them
 * evenly; three-way does one pass per distinct pivot value.
 * -0 and +0 compare equal (as with `(a, b) => a - b`), so their relative order is not specified.
 *
 * Complexity: expected O(n log n) comparisons with a random pivot (about 1.39 n log2 n for Lomuto);
 * worst case O(n^2) without introsort, O(n log n) with it. Extra space O(log n) (the stack).
 *
 * @example
 *   quicksort([3, 1, 2], rng(1))                                         // [1, 2, 3], in place
 *   quicksort([10, 9, 1, 100], rng(1))                                   // [1, 9, 10, 100] (numeric, not lexicographic)
 *   quicksort(new Float64Array([2.5, -1, 0]), rng(1), { partition: 'three-way' })
 *   quicksort([1, 2, 3], rng(1), { compare: (a, b) => b - a })           // [3, 2, 1]
 */
import { ArgumentError, ArgumentTypeError, assertComparableArray, assertInteger, type NumericArray } from '../core/errors.js';
import { Rng } from '../core/random.js';

/** Negative if a sorts before b, positive if after, 0 if equal (as for Array.prototype.sort). */
export type Compare = (a: number, b: number) => number;
export type Partition = 'lomuto' | 'hoare' | 'three-way';
export type PivotRule = 'random' | 'first' | 'median-of-three';

/** What a sort did, filled in when `stats` is passed. */
export interface QuicksortStats {
  /** Calls of the comparator (partitions, pivot choice, insertion sort and heapsort). */
  comparisons: number;
  /** Deepest nesting of recursive calls (the first call is depth 1). */
  maxDepth: number;
  /** Partition passes. */
  partitions: number;
  /** Ranges handed to heapsort by the introsort fallback. */
  heapsorts: number;
}

export interface QuicksortOptions {
  /** Default 'hoare'. */
  partition?: Partition;
  /** Default 'random'. */
  pivot?: PivotRule;
  /** Default ascending numeric order (NOT Array.prototype.sort's default, which compares strings). */
  compare?: Compare;
  /** Ranges of at most this many items are insertion-sorted. Default 16; 1 means never. */
  insertionThreshold?: number;
  /** Heapsort a range after 2 floor(log2 n) partitioning levels. Default true. */
  introsort?: boolean;
  /** Filled in with counts (fields are overwritten). */
  stats?: QuicksortStats;
}

export const ascending: Compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

export function emptyStats(): QuicksortStats {
  return { comparisons: 0, maxDepth: 0, partitions: 0, heapsorts: 0 };
}

function swap(a: NumericArray, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}

/**
 * Lomuto: pivot = a[hi]. Invariant while j scans [lo, hi): a[lo..i) < pivot <= a[i..j).
 * Ends with the pivot swapped into a[i], its final place; returns i. hi - lo comparisons.
 */
export function lomutoPartition(a: NumericArray, lo: number, hi: number, compare: Compare = ascending): number {
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
 * Returns j with lo <= j < hi and a[lo..j] <= pivot <= a[j+1..hi]. Both sides are non-empty, but the
 * pivot is not necessarily at j: recurse on [lo, j] and [j + 1, hi], never on [lo, j - 1].
 * Items equal to the pivot stop both pointers, so duplicates are split evenly.
 */
export function hoarePartition(a: NumericArray, lo: number, hi: number, compare: Compare = ascending): number {
  const pivot = a[lo] as number;
  let i = lo - 1;
  let j = hi + 1;
  for (;;) {
    do i++;
    while (compare(a[i] as number, pivot) < 0);
    do j--;
    while (compare(a[j] as number, pivot) > 0);
    if (i >= j) return j;
    swap(a, i, j);
  }
}

/**
 * Three-way (Dijkstra's Dutch national flag): pivot = a[lo]. Invariant: a[lo..lt) < pivot,
 * a[lt..i) == pivot, a(gt..hi] > pivot, a[i..gt] not yet seen. Returns [lt, gt]: a[lt..gt] are the
 * items equal to the pivot, already in their final place. hi - lo + 1 comparisons.
 */
export function threeWayPartition(a: NumericArray, lo: number, hi: number, compare: Compare = ascending): [number, number] {
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

/** Insertion sort of a[lo..hi]: fast for a handful of items, and what quicksort finishes small ranges with. */
function insertionSort(a: NumericArray, lo: number, hi: number, compare: Compare): void {
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
function heapsort(a: NumericArray, lo: number, hi: number, compare: Compare): void {
  const m = hi - lo + 1;
  // Max-heap on positions 0..size-1, stored at a[lo + position]; children of k are 2k + 1 and 2k + 2.
  const siftDown = (k: number, size: number) => {
    for (;;) {
      let child = 2 * k + 1;
      if (child >= size) return;
      if (child + 1 < size && compare(a[lo + child] as number, a[lo + child + 1] as number) < 0) child++;
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

/** Moves the chosen pivot to `slot` (lo for Hoare and three-way, hi for Lomuto). */
function placePivot(a: NumericArray, lo: number, hi: number, slot: number, rule: PivotRule, rng: Rng, compare: Compare): void {
  let p = lo;
  if (rule === 'random') p = rng.integer(lo, hi);
  else if (rule === 'median-of-three') {
    const mid = lo + ((hi - lo) >> 1);
    const [x, y, z] = [a[lo] as number, a[mid] as number, a[hi] as number];
    // The index of the middle value of (x, y, z).
    if (compare(x, y) < 0) p = compare(y, z) < 0 ? mid : compare(x, z) < 0 ? hi : lo;
    else p = compare(x, z) < 0 ? lo : compare(y, z) < 0 ? hi : mid;
  }
  swap(a, p, slot);
}

const PARTITIONS: readonly Partition[] = ['lomuto', 'hoare', 'three-way'];
const PIVOTS: readonly PivotRule[] = ['random', 'first', 'median-of-three'];

/**
 * Sorts `values` in place and returns it. See the module comment for the options; every option has
 * a default, so `quicksort(xs, rng(1))` is a randomized Hoare quicksort with introsort.
 */
export function quicksort<A extends NumericArray>(values: A, rng: Rng, options: QuicksortOptions = {}): A {
  assertComparableArray('values', values);
  if (!(rng instanceof Rng)) throw new ArgumentTypeError('rng', rng, 'an Rng (from rng(seed))');
  const partition = options.partition ?? 'hoare';
  const rule = options.pivot ?? 'random';
  const userCompare = options.compare ?? ascending;
  const threshold = options.insertionThreshold ?? 16;
  const introsort = options.introsort ?? true;
  if (!PARTITIONS.includes(partition)) throw new ArgumentError('options.partition', partition, "'lomuto', 'hoare' or 'three-way'");
  if (!PIVOTS.includes(rule)) throw new ArgumentError('options.pivot', rule, "'random', 'first' or 'median-of-three'");
  if (typeof userCompare !== 'function') throw new ArgumentTypeError('options.compare', userCompare, 'a function (a, b) => number');
  assertInteger('options.insertionThreshold', threshold, { min: 1 });

  const stats = emptyStats();
  const compare: Compare = (x, y) => {
    stats.comparisons++;
    const c = userCompare(x, y);
    if (c !== c) throw new ArgumentError('options.compare', c, `a number, not NaN (compare(${x}, ${y}))`);
    return c;
  };
  const a = values as NumericArray;
  const n = a.length;
  const levels = introsort && n > 1 ? 2 * Math.floor(Math.log2(n)) : Number.POSITIVE_INFINITY;

  /** Sorts a[lo..hi]; `budget` is how many more partitioning levels this range may use. */
  const sortRange = (lo: number, hi: number, depth: number, budget: number): void => {
    if (depth > stats.maxDepth) stats.maxDepth = depth;
    while (hi - lo + 1 > threshold) {
      if (budget === 0) {
        stats.heapsorts++;
        heapsort(a, lo, hi, compare);
        return;
      }
      budget--;
      stats.partitions++;
      // [lo, leftHi] and [rightLo, hi] are what is left to sort after partitioning.
      let leftHi: number;
      let rightLo: number;
      if (partition === 'lomuto') {
        placePivot(a, lo, hi, hi, rule, rng, compare);
        const p = lomutoPartition(a, lo, hi, compare);
        leftHi = p - 1;
        rightLo = p + 1;
      } else if (partition === 'hoare') {
        placePivot(a, lo, hi, lo, rule, rng, compare);
        const j = hoarePartition(a, lo, hi, compare);
        leftHi = j;
        rightLo = j + 1;
      } else {
        placePivot(a, lo, hi, lo, rule, rng, compare);
        const [lt, gt] = threeWayPartition(a, lo, hi, compare);
        leftHi = lt - 1;
        rightLo = gt + 1;
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
  if (options.stats) Object.assign(options.stats, stats);
  return values;
}
