/**
 * Answer key for Q06, quicksort. Read top-down: worked examples (the textbook answer, partitions by
 * hand, the n(n - 1)/2 count of a first-element pivot on sorted input); the oracle
 * (Array.prototype.sort with a numeric comparator, TypedArray.prototype.sort) for the textbook and
 * for every partition x pivot x introsort setting of the engineered sort; partition and pivot
 * invariants; the stack depth and comparison counts as bounds; the wrong answers rejected by the
 * same properties. Input checks: tests/inputs/quicksort.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  choosePivot,
  hoarePartition,
  introsort,
  lomutoPartition,
  medianOfThree,
  pitfallFirstPivot,
  pitfallHoareNoProgress,
  pitfallHoareSkipsSplit,
  pitfallLomutoOnEqualKeys,
  pitfallRecurseBothSides,
  quicksort,
  quicksortWith,
  threeWayPartition,
  type Compare,
  type Partition,
  type PivotRule,
  type QuicksortOptions,
} from '../algorithms/quicksort/index.js';
import { Counter } from '../core/counter.js';
import { rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

const PARTITIONS: Partition[] = ['lomuto', 'hoare', 'three-way'];
const PIVOTS: PivotRule[] = ['random', 'first', 'median-of-three'];
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** -0 and +0 compare equal in quicksort, but not in toEqual: compare them as +0. */
const plusZero = (xs: ArrayLike<number>) => Array.from(xs, (x) => x + 0);
/** Not (a, b) => a - b: Infinity - Infinity is NaN, an inconsistent comparator for the built-in. */
const numeric = (a: number, b: number) => (a < b ? -1 : a > b ? 1 : 0);

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
const textbook: Sort = (values, seed) => quicksort(values, rng(seed));
const engineered: Sort = (values, seed, options) => quicksortWith(values, rng(seed), options);

/**
 * THE oracle property: the sort leaves exactly what Array.prototype.sort with a numeric comparator
 * gives (so: sorted, and a permutation of the input), and the same as the textbook `quicksort`.
 */
const sortsLikeBuiltin = (sort: Sort) =>
  fc.property(inputs(120), fc.integer(), settings, (values, seed, options) => {
    const expected = [...values].sort(numeric);
    const got = [...values];
    sort(got, seed, options);
    expect(plusZero(got)).toEqual(plusZero(expected));
    expect(plusZero(got)).toEqual(plusZero(quicksort([...values], rng(seed))));
  });

type Depth = (values: number[], seed: number, options: QuicksortOptions) => number;
const engineeredDepth: Depth = (values, seed, options) => {
  const counter = new Counter();
  quicksortWith(values, rng(seed), options, counter);
  return counter.get('maxDepth');
};

/** Recursion depth stays <= log2 n + 2, for every input and pivot rule. */
const depthIsLogarithmic = (depthOf: Depth) =>
  fc.property(inputs(600), fc.integer(), settings, (values, seed, options) => {
    return depthOf(values, seed, options) <= Math.log2(Math.max(values.length, 1)) + 2;
  });

type CountedSort = (values: number[], seed: number, counter: Counter) => unknown;
const withRule = (pivot: PivotRule, partition: Partition): CountedSort => {
  return (values, seed, counter) =>
    quicksortWith(values, rng(seed), { pivot, partition, introsort: false }, counter);
};

/** Comparisons <= 2 n log2 n for n in [256, 2048], on random, sorted and reversed input. */
const fewComparisons = (sort: CountedSort) =>
  fc.property(
    fc.integer({ min: 256, max: 2048 }),
    fc.constantFrom('random', 'sorted', 'reversed'),
    fc.integer(),
    (n, kind, seed) => {
      const r = rng(seed);
      const values =
        kind === 'sorted'
          ? range(n)
          : kind === 'reversed'
            ? range(n).reverse()
            : r.shuffled(range(n));
      const counter = new Counter();
      sort(values, seed, counter);
      return counter.get('comparisons') <= 2 * n * Math.log2(n);
    },
  );

/** Few distinct values: <= 2 n (log2 k + 1) comparisons for k <= 10 distinct values among 4096. */
const duplicatesCheap = (sort: CountedSort) =>
  fc.property(fc.integer({ min: 1, max: 10 }), fc.integer(), (k, seed) => {
    const r = rng(seed);
    const values = Array.from({ length: 4096 }, () => r.integer(1, k));
    const counter = new Counter();
    sort(values, seed, counter);
    return counter.get('comparisons') <= 2 * 4096 * (Math.log2(k) + 1);
  });

/** Equal keys cost O(n log n), not O(n^2): <= 2 n log2 n + 2 n comparisons on k <= 3 values. */
const equalKeysCheap = (sort: CountedSort) =>
  fc.property(
    fc.integer({ min: 256, max: 1024 }),
    fc.integer({ min: 1, max: 3 }),
    fc.integer(),
    (n, k, seed) => {
      const r = rng(seed);
      const values = Array.from({ length: n }, () => r.integer(1, k));
      const counter = new Counter();
      sort(values, seed, counter);
      return counter.get('comparisons') <= 2 * n * Math.log2(n) + 2 * n;
    },
  );

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
    expect(Array.from(quicksort(new Float64Array([2.5, -1, 0]), rng(1)))).toEqual([-1, 0, 2.5]);
    const threeWay = quicksortWith(new Float64Array([2.5, -1, 0]), rng(1), {
      partition: 'three-way',
    });
    expect(Array.from(threeWay)).toEqual([-1, 0, 2.5]);
    expect(quicksortWith([1, 2, 3], rng(1), { compare: (a, b) => b - a })).toEqual([3, 2, 1]);
    const infinities = [Infinity, -Infinity, 0, Infinity];
    expect(quicksort([...infinities], rng(1))).toEqual([-Infinity, 0, Infinity, Infinity]);
    expect(introsort([...infinities], rng(1))).toEqual([-Infinity, 0, Infinity, Infinity]);
  });

  it('the default comparator orders infinities without producing NaN (Infinity - Infinity would)', () => {
    // Infinity - Infinity = NaN would be rejected as a comparator result: the default makes none.
    expect(
      quicksortWith([Infinity, 1, Infinity, -Infinity], rng(1), { insertionThreshold: 1 }),
    ).toEqual([-Infinity, 1, Infinity, Infinity]);
  });

  it('Lomuto on [3, 8, 2, 5, 1, 4, 7, 6] with pivot 6 (last): [3, 2, 5, 1, 4, 6, 7, 8], pivot index 5', () => {
    const a = [3, 8, 2, 5, 1, 4, 7, 6];
    expect(lomutoPartition(a, 0, 7)).toBe(5);
    expect(a).toEqual([3, 2, 5, 1, 4, 6, 7, 8]);
  });

  it('Hoare on the same array with pivot 3 (first): swaps 3<->1, 8<->2, returns j = 1', () => {
    const a = [3, 8, 2, 5, 1, 4, 7, 6];
    expect(hoarePartition(a, 0, 7)).toBe(1);
    // the pivot 3 sits at index 4, inside the right side
    expect(a).toEqual([1, 2, 8, 5, 3, 4, 7, 6]);
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

  it('pivot rules: the median of (5, 9, 1) is at 0; the first rule picks lo', () => {
    expect(medianOfThree([5, 9, 1], 0, 2)).toBe(0);
    expect(choosePivot([4, 3, 2, 1], 0, 3, 'median-of-three', rng(1))).toBe(1);
    expect(choosePivot([4, 3, 2, 1], 1, 3, 'first', rng(1))).toBe(1);
  });

  it('first-element pivot on sorted 1..100 (Lomuto, no cutoff, no introsort): 100 x 99 / 2 = 4950 comparisons', () => {
    const counter = new Counter();
    const options = {
      partition: 'lomuto',
      pivot: 'first',
      introsort: false,
      insertionThreshold: 1,
    } as const;
    quicksortWith(range(100), rng(1), options, counter);
    expect(counter.get('comparisons')).toBe(4950);
    // quadratic time, yet the stack stays flat: the smaller side is empty
    expect(counter.get('maxDepth')).toBe(2);
  });

  it('the same with introsort: after 2 floor(log2 100) = 12 levels the rest is heapsorted', () => {
    const counter = new Counter();
    quicksortWith(
      range(100),
      rng(1),
      { partition: 'lomuto', pivot: 'first', insertionThreshold: 1 },
      counter,
    );
    expect(counter.get('partitions')).toBe(12);
    expect(counter.get('heapsorts')).toBe(1);
    expect(counter.get('comparisons')).toBeLessThan(4950 / 2);
  });

  it('all equal (n = 1000): Lomuto needs n(n - 1)/2 comparisons, three-way needs n', () => {
    const lomuto = new Counter();
    const threeWay = new Counter();
    const options = { introsort: false, insertionThreshold: 1 } as const;
    quicksortWith(new Array(1000).fill(5), rng(1), { ...options, partition: 'lomuto' }, lomuto);
    quicksortWith(
      new Array(1000).fill(5),
      rng(1),
      { ...options, partition: 'three-way' },
      threeWay,
    );
    expect(lomuto.get('comparisons')).toBe((1000 * 999) / 2);
    expect(threeWay.get('comparisons')).toBe(1000);
  });
});

describe('the oracle: Array.prototype.sort / TypedArray.prototype.sort', () => {
  it('the textbook quicksort leaves what Array.prototype.sort with a numeric comparator does', () => {
    fc.assert(sortsLikeBuiltin(textbook), { numRuns: 200, seed: 11 });
  });

  it('every partition x pivot x introsort x cutoff of quicksortWith agrees with it and with the textbook', () => {
    fc.assert(sortsLikeBuiltin(engineered), { numRuns: 400, seed: 11 });
  });

  it('introsort (the production default) agrees too', () => {
    fc.assert(
      sortsLikeBuiltin((values, seed) => introsort(values, rng(seed))),
      { numRuns: 100, seed: 11 },
    );
  });

  test.prop([fc.array(fc.double({ noNaN: true }), { maxLength: 300 }), fc.integer(), settings], {
    numRuns: 100,
  })(
    'on a Float64Array, equal to Float64Array.prototype.sort (textbook and engineered)',
    (values, seed, options) => {
      const expected = plusZero(Float64Array.from(values).sort());
      expect(plusZero(quicksortWith(Float64Array.from(values), rng(seed), options))).toEqual(
        expected,
      );
      expect(plusZero(quicksort(Float64Array.from(values), rng(seed)))).toEqual(expected);
    },
  );

  const int32 = fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 300 });
  test.prop([int32, fc.integer(), settings], { numRuns: 100 })(
    'on an Int32Array, equal to Int32Array.prototype.sort (textbook and engineered)',
    (values, seed, options) => {
      const expected = Int32Array.from(values).sort();
      expect(quicksortWith(Int32Array.from(values), rng(seed), options)).toEqual(expected);
      expect(quicksort(Int32Array.from(values), rng(seed))).toEqual(expected);
    },
  );

  const comparators: [string, Compare][] = [
    ['descending', (a, b) => b - a],
    ['by absolute value (ties between x and -x)', (a, b) => Math.abs(a) - Math.abs(b)],
    ['by last decimal digit', (a, b) => (Math.abs(a) % 10) - (Math.abs(b) % 10)],
  ];
  const small = fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 150 });
  test.prop([small, fc.integer(), settings, fc.constantFrom(...comparators)], { numRuns: 200 })(
    'with a comparator: a permutation of the input, ordered by it, with the keys of the built-in (not stable)',
    (values, seed, options, [, compare]) => {
      const got = quicksortWith([...values], rng(seed), { ...options, compare });
      const expected = [...values].sort(compare);
      expect([...got].sort((a, b) => a - b)).toEqual([...values].sort((a, b) => a - b));
      for (let i = 1; i < got.length; i++)
        expect(compare(got[i - 1]!, got[i]!)).toBeLessThanOrEqual(0);
      for (let i = 0; i < got.length; i++) expect(compare(got[i]!, expected[i]!)).toBe(0);
    },
  );
});

describe('partition and pivot invariants', () => {
  const segment = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 2, maxLength: 60 });

  test.prop([segment], { numRuns: 300 })(
    'Hoare: lo <= j < hi and a[lo..j] <= every a[j+1..hi], a permutation',
    (values) => {
      const a = [...values];
      const j = hoarePartition(a, 0, a.length - 1);
      expect(j >= 0 && j < a.length - 1).toBe(true);
      expect(Math.max(...a.slice(0, j + 1))).toBeLessThanOrEqual(Math.min(...a.slice(j + 1)));
      expect([...a].sort()).toEqual([...values].sort());
    },
  );

  test.prop([segment], { numRuns: 300 })(
    'Lomuto: a[lo..p) < a[p] <= a(p..hi], a[p] is the old a[hi]',
    (values) => {
      const a = [...values];
      const p = lomutoPartition(a, 0, a.length - 1);
      expect(a[p]).toBe(values.at(-1));
      expect(a.slice(0, p).every((x) => x < a[p]!)).toBe(true);
      expect(a.slice(p + 1).every((x) => x >= a[p]!)).toBe(true);
    },
  );

  test.prop([segment], { numRuns: 300 })(
    'three-way: < pivot | == pivot | > pivot, the middle block non-empty',
    (values) => {
      const a = [...values];
      const [lt, gt] = threeWayPartition(a, 0, a.length - 1);
      const pivot = values[0]!;
      expect(lt <= gt).toBe(true);
      expect(a.slice(0, lt).every((x) => x < pivot)).toBe(true);
      expect(a.slice(lt, gt + 1).every((x) => x === pivot)).toBe(true);
      expect(a.slice(gt + 1).every((x) => x > pivot)).toBe(true);
    },
  );

  test.prop([segment, fc.constantFrom(...PIVOTS), fc.integer()], { numRuns: 200 })(
    'every pivot rule picks an index of the range; median-of-three the median of its three items',
    (values, rule, seed) => {
      const [lo, hi] = [0, values.length - 1];
      const p = choosePivot(values, lo, hi, rule, rng(seed));
      expect(p >= lo && p <= hi).toBe(true);
      const three = [values[lo]!, values[lo + ((hi - lo) >> 1)]!, values[hi]!].sort(
        (a, b) => a - b,
      );
      expect(values[medianOfThree(values, lo, hi)]).toBe(three[1]);
    },
  );
});

describe('the stack stays O(log n): depth measured', () => {
  it('depth <= log2 n + 2 for every setting and input (sorted, reversed, all equal, ...)', () => {
    fc.assert(depthIsLogarithmic(engineeredDepth), { numRuns: 300, seed: 12 });
  });

  it('at 5000 sorted items with the first-element pivot and no introsort, depth is 2 (while time is quadratic)', () => {
    const counter = new Counter();
    quicksortWith(
      range(5000),
      rng(1),
      { pivot: 'first', partition: 'lomuto', introsort: false },
      counter,
    );
    expect(counter.get('maxDepth')).toBe(2);
    expect(counter.get('comparisons')).toBeGreaterThan((5000 * 4999) / 2 - 5000 * 16);
  });
});

describe('comparisons as bounds', () => {
  it.each(PARTITIONS)(
    '%s, random pivot: <= 2 n log2 n on random, sorted and reversed input (expected ~1.39 n log2 n)',
    (partition) => {
      fc.assert(fewComparisons(withRule('random', partition)), { numRuns: 25, seed: 13 });
    },
  );

  it('median-of-three (Hoare) also stays under 2 n log2 n on these inputs', () => {
    fc.assert(fewComparisons(withRule('median-of-three', 'hoare')), { numRuns: 25, seed: 13 });
  });

  test.prop(
    [
      fc.integer({ min: 64, max: 3000 }),
      fc.constantFrom(...PIVOTS),
      fc.constantFrom(...PARTITIONS),
      fc.integer(),
    ],
    { numRuns: 60 },
  )(
    'with introsort, <= 4 n log2 n whatever the pivot rule and input (here: sorted and all equal)',
    (n, pivot, partition, seed) => {
      for (const values of [range(n), new Array<number>(n).fill(1)]) {
        const counter = new Counter();
        quicksortWith(values, rng(seed), { pivot, partition }, counter);
        expect(counter.get('comparisons')).toBeLessThanOrEqual(4 * n * Math.log2(n));
      }
    },
  );

  const hoareRandom = withRule('random', 'hoare');
  it('Hoare with a random pivot (the textbook schedule, counted) keeps equal keys at O(n log n)', () => {
    fc.assert(equalKeysCheap(hoareRandom), { numRuns: 20, seed: 15 });
  });

  it('three-way on 4096 items with k <= 10 distinct values: <= 2 n (log2 k + 1) comparisons', () => {
    fc.assert(duplicatesCheap(withRule('random', 'three-way')), { numRuns: 30, seed: 14 });
  });

  it('two-way Hoare (correct, but unaware of duplicates) does not meet that bound', () => {
    rejectsPitfall(duplicatesCheap(hoareRandom), { numRuns: 30, seed: 14 });
  });
});

describe('the wrong answers are rejected by the same properties', () => {
  it('Hoare partition recursing on [lo, j - 1] and [j + 1, hi] mis-sorts: [3, 1, 2] -> [2, 1, 3]', () => {
    // a[j] = 1 is never compared with 2
    expect(pitfallHoareSkipsSplit([3, 1, 2])).toEqual([2, 1, 3]);
    rejectsPitfall(
      sortsLikeBuiltin((values) => pitfallHoareSkipsSplit(values)),
      { numRuns: 400, seed: 11 },
    );
  });

  it('Hoare partition recursing on [lo, j - 1] and [j, hi] makes no progress on [1, 2] (and mis-sorts [3, 1, 2])', () => {
    expect(pitfallHoareNoProgress([3, 1, 2])).toEqual([2, 1, 3]);
    rejectsPitfall(
      sortsLikeBuiltin((values) => pitfallHoareNoProgress(values)),
      { numRuns: 400, seed: 11 },
    );
  });

  it('first-element pivot on sorted input breaks the 2 n log2 n comparison bound (n^2 / 2)', () => {
    rejectsPitfall(
      fewComparisons((values, _seed, counter) => pitfallFirstPivot(values, counter)),
      { numRuns: 25, seed: 13 },
    );
    rejectsPitfall(fewComparisons(withRule('first', 'lomuto')), { numRuns: 25, seed: 13 });
    rejectsPitfall(fewComparisons(withRule('first', 'hoare')), { numRuns: 25, seed: 13 });
  });

  it('Lomuto on few distinct keys breaks the O(n log n) bound that Hoare keeps (all equal: n(n - 1)/2)', () => {
    const counter = new Counter();
    pitfallLomutoOnEqualKeys(new Array<number>(500).fill(1), rng(1), counter);
    expect(counter.get('comparisons')).toBe((500 * 499) / 2);
    const lomuto: CountedSort = (values, seed, c) => pitfallLomutoOnEqualKeys(values, rng(seed), c);
    rejectsPitfall(equalKeysCheap(lomuto), { numRuns: 20, seed: 15 });
  });

  it('recursing on both sides (no smaller-side recursion) breaks the depth bound', () => {
    const counter = new Counter();
    pitfallRecurseBothSides(range(1000), counter);
    expect(counter.get('maxDepth')).toBe(1000);
    const depth: Depth = (values) => {
      const c = new Counter();
      pitfallRecurseBothSides(values, c);
      return c.get('maxDepth');
    };
    rejectsPitfall(depthIsLogarithmic(depth), { numRuns: 300, seed: 12 });
  });

  it('every pitfall still sorts where it is not wrong: what they break is the bound, not the order', () => {
    fc.assert(
      sortsLikeBuiltin((values, seed) => pitfallLomutoOnEqualKeys(values, rng(seed))),
      { numRuns: 100, seed: 16 },
    );
    fc.assert(
      sortsLikeBuiltin((values) => pitfallFirstPivot(values)),
      { numRuns: 100, seed: 16 },
    );
    fc.assert(
      sortsLikeBuiltin((values) => pitfallRecurseBothSides(values)),
      { numRuns: 100, seed: 16 },
    );
  });
});
