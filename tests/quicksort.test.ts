/**
 * Answer key for Q06, quicksort. Read top-down: worked examples (partitions by hand, the n(n - 1)/2
 * count of a first-element pivot on sorted input), the oracle (Array.prototype.sort with a comparator,
 * TypedArray.prototype.sort) for every partition x pivot x introsort setting, partition invariants,
 * the stack depth and comparison counts as bounds, the wrong answers rejected by the same properties,
 * and bad input.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  ascending,
  emptyStats,
  hoarePartition,
  lomutoPartition,
  quicksort,
  threeWayPartition,
  type Compare,
  type Partition,
  type PivotRule,
  type QuicksortOptions,
} from '../algorithms/quicksort.js';
import { ArgumentError, ArgumentTypeError } from '../core/errors.js';
import { rng } from '../core/random.js';

const PARTITIONS: Partition[] = ['lomuto', 'hoare', 'three-way'];
const PIVOTS: PivotRule[] = ['random', 'first', 'median-of-three'];
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** -0 and +0 compare equal in quicksort, but not in toEqual: compare them as +0. */
const plusZero = (xs: ArrayLike<number>) => Array.from(xs, (x) => x + 0);

const settings = fc.record({
  partition: fc.constantFrom(...PARTITIONS),
  pivot: fc.constantFrom(...PIVOTS),
  introsort: fc.boolean(),
  insertionThreshold: fc.constantFrom(1, 2, 16),
});

/** Inputs that exercise the bad cases: random, sorted, reversed, few distinct values, all equal. */
const inputs = (maxLength: number) =>
  fc.oneof(
    fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength }),
    fc.array(fc.integer({ min: 0, max: 3 }), { maxLength }),
    fc.array(fc.double({ noNaN: true }), { maxLength }),
    fc.nat({ max: maxLength }).map(range),
    fc.nat({ max: maxLength }).map((n) => range(n).reverse()),
    fc.nat({ max: maxLength }).map((n) => new Array<number>(n).fill(7)),
  );

type Sort = (values: number[], seed: number, options: QuicksortOptions) => unknown;
const ours: Sort = (values, seed, options) => quicksort(values, rng(seed), options);

/** THE oracle property: the sort leaves exactly what Array.prototype.sort with a comparator gives. */
const sortsLikeBuiltin = (sort: Sort) =>
  fc.property(inputs(120), fc.integer(), settings, (values, seed, options) => {
    // Not (a, b) => a - b: Infinity - Infinity is NaN, an inconsistent comparator for the built-in too.
    const expected = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const got = [...values];
    sort(got, seed, options);
    expect(plusZero(got)).toEqual(plusZero(expected));
  });

/** Recursion depth stays <= log2 n + 2, for every input and pivot rule (the smaller side is recursed on). */
const depthIsLogarithmic = (depthOf: (values: number[], seed: number, options: QuicksortOptions) => number) =>
  fc.property(inputs(600), fc.integer(), settings, (values, seed, options) => depthOf(values, seed, options) <= Math.log2(Math.max(values.length, 1)) + 2);

/** Comparisons <= 2 n log2 n for n in [256, 2048], any input, for the given pivot rule (introsort off). */
const fewComparisons = (pivot: PivotRule, partition: Partition) =>
  fc.property(fc.integer({ min: 256, max: 2048 }), fc.constantFrom('random', 'sorted', 'reversed'), fc.integer(), (n, kind, seed) => {
    const r = rng(seed);
    const values = kind === 'sorted' ? range(n) : kind === 'reversed' ? range(n).reverse() : r.shuffled(range(n));
    const stats = emptyStats();
    quicksort(values, r, { pivot, partition, introsort: false, stats });
    return stats.comparisons <= 2 * n * Math.log2(n);
  });

// ---- Wrong answers, written out in full so the bug is visible. ----

/** WRONG: Hoare partition followed by Lomuto's recursion [lo, j - 1], [j + 1, hi]: a[j] is skipped. */
function hoareSkipsJVariant(values: number[]): void {
  const sort = (lo: number, hi: number): void => {
    if (lo >= hi) return;
    const j = hoarePartition(values, lo, hi);
    sort(lo, j - 1); // should be [lo, j]: the pivot is not necessarily at j
    sort(j + 1, hi);
  };
  sort(0, values.length - 1);
}

/**
 * WRONG: Hoare partition recursing on [lo, j - 1] and [j, hi]. When j = lo (pivot is the minimum),
 * [j, hi] is the same range again: an infinite recursion. The step budget turns it into an error.
 */
function hoareLoopsVariant(values: number[]): void {
  let steps = 0;
  const sort = (lo: number, hi: number): void => {
    if (lo >= hi) return;
    if (++steps > 10 * values.length + 10) throw new Error('no progress: the same range is partitioned again and again');
    const j = hoarePartition(values, lo, hi);
    sort(lo, j - 1);
    sort(j, hi);
  };
  sort(0, values.length - 1);
}

/**
 * WRONG for the stack: Lomuto quicksort that recurses on both sides (pivot random, or the last item
 * otherwise); depth reaches n on sorted or all-equal input, and ~3 log2 n on random input.
 */
function recurseBothSidesDepth(values: number[], seed: number, options: QuicksortOptions): number {
  const r = rng(seed);
  let maxDepth = 0;
  const sort = (lo: number, hi: number, depth: number): void => {
    maxDepth = Math.max(maxDepth, depth);
    if (lo >= hi) return;
    if (options.pivot === 'random') {
      const p = r.integer(lo, hi);
      [values[p], values[hi]] = [values[hi]!, values[p]!];
    }
    const p = lomutoPartition(values, lo, hi);
    sort(lo, p - 1, depth + 1);
    sort(p + 1, hi, depth + 1);
  };
  sort(0, values.length - 1, 1);
  return maxDepth;
}

describe('worked examples', () => {
  it('quicksort([3, 1, 2], rng(1)) sorts in place and returns the same array', () => {
    const values = [3, 1, 2];
    expect(quicksort(values, rng(1))).toBe(values);
    expect(values).toEqual([1, 2, 3]);
  });

  it('numbers sort numerically, unlike the default Array.prototype.sort', () => {
    expect(quicksort([10, 9, 1, 100], rng(1))).toEqual([1, 9, 10, 100]);
    expect([10, 9, 1, 100].sort()).toEqual([1, 10, 100, 9]);
  });

  it('typed arrays, a comparator, infinities', () => {
    expect(Array.from(quicksort(new Float64Array([2.5, -1, 0]), rng(1), { partition: 'three-way' }))).toEqual([-1, 0, 2.5]);
    expect(quicksort([1, 2, 3], rng(1), { compare: (a, b) => b - a })).toEqual([3, 2, 1]);
    expect(quicksort([Infinity, -Infinity, 0, Infinity], rng(1))).toEqual([-Infinity, 0, Infinity, Infinity]);
  });

  it('Lomuto on [3, 8, 2, 5, 1, 4, 7, 6] with pivot 6 (last): [3, 2, 5, 1, 4, 6, 7, 8], pivot index 5', () => {
    const a = [3, 8, 2, 5, 1, 4, 7, 6];
    expect(lomutoPartition(a, 0, 7)).toBe(5);
    expect(a).toEqual([3, 2, 5, 1, 4, 6, 7, 8]);
  });

  it('Hoare on the same array with pivot 3 (first): swaps 3<->1, 8<->2, returns j = 1: [1, 2 | 8, 5, 3, 4, 7, 6]', () => {
    const a = [3, 8, 2, 5, 1, 4, 7, 6];
    expect(hoarePartition(a, 0, 7)).toBe(1);
    expect(a).toEqual([1, 2, 8, 5, 3, 4, 7, 6]); // the pivot 3 sits at index 4, inside the right side
  });

  it('Hoare can return j with the pivot NOT at j: [2, 1, 2, 3] -> j = 1, [2, 1 | 2, 3]', () => {
    const a = [2, 1, 2, 3];
    expect(hoarePartition(a, 0, 3)).toBe(1);
    expect(a).toEqual([2, 1, 2, 3]);
  });

  it('three-way on [2, 3, 2, 1, 2] with pivot 2: [1, 2, 2, 2, 3], equal block [1, 3]', () => {
    const a = [2, 3, 2, 1, 2];
    expect(threeWayPartition(a, 0, 4)).toEqual([1, 3]);
    expect(a).toEqual([1, 2, 2, 2, 3]);
  });

  it('first-element pivot on sorted 1..100 (Lomuto, no cutoff, no introsort): exactly 100 x 99 / 2 = 4950 comparisons', () => {
    const stats = emptyStats();
    quicksort(range(100), rng(1), { partition: 'lomuto', pivot: 'first', introsort: false, insertionThreshold: 1, stats });
    expect(stats.comparisons).toBe(4950);
    expect(stats.maxDepth).toBe(2); // quadratic time, yet the stack stays flat: the smaller side is empty
  });

  it('the same with introsort: after 2 floor(log2 100) = 12 levels the rest is heapsorted', () => {
    const stats = emptyStats();
    quicksort(range(100), rng(1), { partition: 'lomuto', pivot: 'first', insertionThreshold: 1, stats });
    expect(stats.partitions).toBe(12);
    expect(stats.heapsorts).toBe(1);
    expect(stats.comparisons).toBeLessThan(4950 / 2);
  });

  it('all equal (n = 1000): Lomuto needs n(n - 1)/2 comparisons, three-way needs n', () => {
    const lomuto = emptyStats();
    const threeWay = emptyStats();
    quicksort(new Array(1000).fill(5), rng(1), { partition: 'lomuto', introsort: false, insertionThreshold: 1, stats: lomuto });
    quicksort(new Array(1000).fill(5), rng(1), { partition: 'three-way', introsort: false, insertionThreshold: 1, stats: threeWay });
    expect(lomuto.comparisons).toBe((1000 * 999) / 2);
    expect(threeWay.comparisons).toBe(1000);
  });
});

describe('the oracle: Array.prototype.sort / TypedArray.prototype.sort', () => {
  it('every partition x pivot x introsort x cutoff leaves what Array.prototype.sort((a, b) => a - b) does', () => {
    fc.assert(sortsLikeBuiltin(ours), { numRuns: 400, seed: 11 });
  });

  test.prop([fc.array(fc.double({ noNaN: true }), { maxLength: 300 }), fc.integer(), settings], { numRuns: 100 })(
    'on a Float64Array, equal to Float64Array.prototype.sort',
    (values, seed, options) => {
      const got = quicksort(Float64Array.from(values), rng(seed), options);
      expect(plusZero(got)).toEqual(plusZero(Float64Array.from(values).sort()));
    },
  );

  test.prop([fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 300 }), fc.integer(), settings], { numRuns: 100 })(
    'on an Int32Array, equal to Int32Array.prototype.sort',
    (values, seed, options) => {
      expect(quicksort(Int32Array.from(values), rng(seed), options)).toEqual(Int32Array.from(values).sort());
    },
  );

  const comparators: [string, Compare][] = [
    ['descending', (a, b) => b - a],
    ['by absolute value (ties between x and -x)', (a, b) => Math.abs(a) - Math.abs(b)],
    ['by last decimal digit', (a, b) => (Math.abs(a) % 10) - (Math.abs(b) % 10)],
  ];
  test.prop([fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 150 }), fc.integer(), settings, fc.constantFrom(...comparators)], { numRuns: 200 })(
    'with a comparator: a permutation of the input, ordered by it, with the same keys as the built-in (quicksort is not stable)',
    (values, seed, options, [, compare]) => {
      const got = quicksort([...values], rng(seed), { ...options, compare });
      const expected = [...values].sort(compare);
      expect([...got].sort((a, b) => a - b)).toEqual([...values].sort((a, b) => a - b));
      for (let i = 1; i < got.length; i++) expect(compare(got[i - 1]!, got[i]!)).toBeLessThanOrEqual(0);
      for (let i = 0; i < got.length; i++) expect(compare(got[i]!, expected[i]!)).toBe(0);
    },
  );
});

describe('partition invariants', () => {
  const segment = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 2, maxLength: 60 });

  test.prop([segment], { numRuns: 300 })('Hoare: lo <= j < hi and a[lo..j] <= every a[j+1..hi], a permutation', (values) => {
    const a = [...values];
    const j = hoarePartition(a, 0, a.length - 1);
    expect(j >= 0 && j < a.length - 1).toBe(true);
    expect(Math.max(...a.slice(0, j + 1))).toBeLessThanOrEqual(Math.min(...a.slice(j + 1)));
    expect([...a].sort()).toEqual([...values].sort());
  });

  test.prop([segment], { numRuns: 300 })('Lomuto: a[lo..p) < a[p] <= a(p..hi], a[p] is the old a[hi]', (values) => {
    const a = [...values];
    const p = lomutoPartition(a, 0, a.length - 1);
    expect(a[p]).toBe(values.at(-1));
    expect(a.slice(0, p).every((x) => x < a[p]!)).toBe(true);
    expect(a.slice(p + 1).every((x) => x >= a[p]!)).toBe(true);
  });

  test.prop([segment], { numRuns: 300 })('three-way: < pivot | == pivot | > pivot, the middle block non-empty', (values) => {
    const a = [...values];
    const [lt, gt] = threeWayPartition(a, 0, a.length - 1);
    const pivot = values[0]!;
    expect(lt <= gt).toBe(true);
    expect(a.slice(0, lt).every((x) => x < pivot)).toBe(true);
    expect(a.slice(lt, gt + 1).every((x) => x === pivot)).toBe(true);
    expect(a.slice(gt + 1).every((x) => x > pivot)).toBe(true);
  });
});

describe('the stack stays O(log n): depth measured', () => {
  it('depth <= log2 n + 2 for every setting and input (sorted, reversed, all equal, ...)', () => {
    fc.assert(
      depthIsLogarithmic((values, seed, options) => {
        const stats = emptyStats();
        quicksort(values, rng(seed), { ...options, stats });
        return stats.maxDepth;
      }),
      { numRuns: 300, seed: 12 },
    );
  });

  it('at 5000 sorted items with the first-element pivot and no introsort, depth is 2 (while time is quadratic)', () => {
    const stats = emptyStats();
    quicksort(range(5000), rng(1), { pivot: 'first', partition: 'lomuto', introsort: false, stats });
    expect(stats.maxDepth).toBe(2);
    expect(stats.comparisons).toBeGreaterThan((5000 * 4999) / 2 - 5000 * 16);
  });
});

describe('comparisons as bounds', () => {
  it.each(PARTITIONS)('%s, random pivot: <= 2 n log2 n on random, sorted and reversed input (expected ~1.39 n log2 n)', (partition) => {
    fc.assert(fewComparisons('random', partition), { numRuns: 25, seed: 13 });
  });

  it('median-of-three (Hoare) also stays under 2 n log2 n on these inputs', () => {
    fc.assert(fewComparisons('median-of-three', 'hoare'), { numRuns: 25, seed: 13 });
  });

  test.prop([fc.integer({ min: 64, max: 3000 }), fc.constantFrom(...PIVOTS), fc.constantFrom(...PARTITIONS), fc.integer()], { numRuns: 60 })(
    'with introsort, <= 4 n log2 n whatever the pivot rule and input (here: sorted and all equal)',
    (n, pivot, partition, seed) => {
      for (const values of [range(n), new Array<number>(n).fill(1)]) {
        const stats = emptyStats();
        quicksort(values, rng(seed), { pivot, partition, stats });
        expect(stats.comparisons).toBeLessThanOrEqual(4 * n * Math.log2(n));
      }
    },
  );

  /** Three-way on k distinct values: about n per level of pivots over the k values, not n log2 n. */
  const duplicatesCheap = (partition: Partition) =>
    fc.property(fc.integer({ min: 1, max: 10 }), fc.integer(), (k, seed) => {
      const r = rng(seed);
      const values = Array.from({ length: 4096 }, () => r.integer(1, k));
      const stats = emptyStats();
      quicksort(values, r, { partition, stats });
      return stats.comparisons <= 2 * 4096 * (Math.log2(k) + 1);
    });

  it('three-way on 4096 items with k <= 10 distinct values: <= 2 n (log2 k + 1) comparisons', () => {
    fc.assert(duplicatesCheap('three-way'), { numRuns: 30, seed: 14 });
  });

  it('two-way Hoare (correct, but unaware of duplicates) does not meet that bound', () => {
    expect(fc.check(duplicatesCheap('hoare'), { numRuns: 30, seed: 14 }).failed).toBe(true);
  });
});

describe('the wrong answers are rejected by the same properties', () => {
  it('first-element pivot on sorted input breaks the 2 n log2 n comparison bound (n^2 / 2)', () => {
    expect(fc.check(fewComparisons('first', 'lomuto'), { numRuns: 25, seed: 13 }).failed).toBe(true);
    expect(fc.check(fewComparisons('first', 'hoare'), { numRuns: 25, seed: 13 }).failed).toBe(true);
  });

  it('Hoare partition recursing on [lo, j - 1] and [j + 1, hi] mis-sorts: [3, 1, 2] -> [2, 1, 3] (a[j] = 1 is never compared with 2)', () => {
    const a = [3, 1, 2];
    hoareSkipsJVariant(a);
    expect(a).toEqual([2, 1, 3]);
    expect(fc.check(sortsLikeBuiltin((values) => hoareSkipsJVariant(values)), { numRuns: 400, seed: 11 }).failed).toBe(true);
  });

  it('Hoare partition recursing on [lo, j - 1] and [j, hi] never finishes on [1, 2]', () => {
    expect(() => hoareLoopsVariant([1, 2])).toThrow('no progress');
    expect(fc.check(sortsLikeBuiltin((values) => hoareLoopsVariant(values)), { numRuns: 400, seed: 11 }).failed).toBe(true);
  });

  it('recursing on both sides (no smaller-side recursion) breaks the depth bound', () => {
    expect(recurseBothSidesDepth(range(1000), 1, { pivot: 'first' })).toBe(1000);
    expect(fc.check(depthIsLogarithmic(recurseBothSidesDepth), { numRuns: 300, seed: 12 }).failed).toBe(true);
  });
});

describe('bad input gets a typed error naming the argument', () => {
  it.each([
    ['not an array', () => quicksort('321' as unknown as number[], rng(1)), ArgumentTypeError, 'values: got "321", expected an array of numbers or a numeric typed array'],
    ['a NaN element', () => quicksort([3, Number.NaN, 1], rng(1)), ArgumentError, 'values[1]: got NaN, expected a number that is not NaN (NaN cannot be ordered)'],
    ['a NaN in a Float32Array', () => quicksort(new Float32Array([1, Number.NaN]), rng(1)), ArgumentError, 'values[1]: got NaN'],
    ['a string element', () => quicksort([1, 'a' as unknown as number], rng(1)), ArgumentTypeError, 'values[1]: got "a", expected a number'],
    ['no rng', () => quicksort([1, 2], undefined as unknown as ReturnType<typeof rng>), ArgumentTypeError, 'rng: got undefined, expected an Rng'],
    ['an unknown partition', () => quicksort([1, 2], rng(1), { partition: 'bentley' as Partition }), ArgumentError, "options.partition: got \"bentley\", expected 'lomuto', 'hoare' or 'three-way'"],
    ['an unknown pivot rule', () => quicksort([1, 2], rng(1), { pivot: 'last' as PivotRule }), ArgumentError, 'options.pivot: got "last"'],
    ['a comparator that is not a function', () => quicksort([1, 2], rng(1), { compare: 1 as unknown as Compare }), ArgumentTypeError, 'options.compare: got 1, expected a function'],
    ['a comparator returning NaN', () => quicksort([1, 2, 3], rng(1), { compare: () => Number.NaN }), ArgumentError, 'options.compare: got NaN, expected a number, not NaN'],
    ['a threshold of 0', () => quicksort([1, 2], rng(1), { insertionThreshold: 0 }), ArgumentError, 'options.insertionThreshold: got 0, expected an integer >= 1'],
  ])('%s', (_, fn, type, message) => {
    expect(fn).toThrow(type);
    expect(fn).toThrow(message);
  });

  it('the default comparator orders infinities without producing NaN (Infinity - Infinity would)', () => {
    expect(ascending(Infinity, Infinity)).toBe(0);
    expect(ascending(-Infinity, 1)).toBe(-1);
  });
});
