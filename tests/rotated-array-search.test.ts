/**
 * Answer key for Q02, search in a rotated sorted array (LeetCode 33, 81, 153, 154). Read top-down:
 * worked examples, properties against indexOf / includes / Math.min on sorted arrays rotated by
 * EVERY offset (offset 0 and all-equal arrays included), each alternative equal to the textbook
 * `searchRotated`, what disorder the counted versions detect, probes counted against log2 n (and
 * the O(n) worst case with duplicates), then the two classic wrong answers rejected by the same
 * properties. Input checks are in tests/inputs/rotated-array-search.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  assertRotatedSorted,
  findMinRotated,
  findMinRotatedWithDuplicates,
  pitfallMinAgainstLeftEnd,
  pitfallStrictHalfTest,
  searchRotated,
  searchRotatedCounted,
  searchRotatedWithDuplicates,
} from '../algorithms/rotated-array-search.js';
import { Counter } from '../core/counter.js';
import { ArgumentError } from '../core/errors.js';
import { expectArgumentError, rejectsPitfall } from './support/answer-key.js';

/** [a_k, ..., a_{n-1}, a_0, ..., a_{k-1}]: the sorted array rotated left by k. */
const rotate = <T>(xs: readonly T[], k: number): T[] => [...xs.slice(k), ...xs.slice(0, k)];
const ascending = (xs: number[]) => [...xs].sort((x, y) => x - y);

/** Sorted arrays of distinct integers, length 0..30. */
const distinctSorted = fc
  .uniqueArray(fc.integer({ min: -60, max: 60 }), { maxLength: 30 })
  .map(ascending);
/** Sorted arrays with many repeats (values from a small range), all-equal arrays among them. */
const sortedWithRepeats = fc.oneof(
  fc.array(fc.integer({ min: -4, max: 4 }), { maxLength: 30 }).map(ascending),
  fc
    .tuple(fc.integer({ min: -4, max: 4 }), fc.nat({ max: 30 }))
    .map(([v, n]) => new Array<number>(n).fill(v)),
);

/** Targets worth asking for: every value, its neighbours (absent when distinct), both ends. */
const targetsFor = (sorted: readonly number[]) => [
  ...new Set([-100, 100, ...sorted.flatMap((x) => [x - 1, x, x + 1])]),
];

type Search = (nums: readonly number[], target: number) => number;
type Contains = (nums: readonly number[], target: number) => boolean;
type FindMin = (nums: readonly number[]) => number;

/** LeetCode 33 as a property: for every rotation and every target, the answer is indexOf's. */
const searchMatchesIndexOf = (search: Search) =>
  fc.property(distinctSorted, (sorted) => {
    for (let k = 0; k < Math.max(1, sorted.length); k++) {
      const nums = rotate(sorted, k);
      for (const t of targetsFor(sorted)) if (search(nums, t) !== nums.indexOf(t)) return false;
    }
    return true;
  });

/** LeetCode 81 as a property: for every rotation and every target, the answer is includes'. */
const containsMatchesIncludes = (contains: Contains) =>
  fc.property(sortedWithRepeats, (sorted) => {
    for (let k = 0; k < Math.max(1, sorted.length); k++) {
      const nums = rotate(sorted, k);
      for (const t of targetsFor(sorted)) if (contains(nums, t) !== nums.includes(t)) return false;
    }
    return true;
  });

/** LeetCode 153 / 154 as a property: for every rotation (offset 0 too), the answer is Math.min. */
const minMatchesMathMin = (findMin: FindMin, arrays: fc.Arbitrary<number[]>) =>
  fc.property(
    arrays.filter((xs) => xs.length > 0),
    (sorted) => {
      for (let k = 0; k < sorted.length; k++) {
        if (findMin(rotate(sorted, k)) !== Math.min(...sorted)) return false;
      }
      return true;
    },
  );

describe('worked examples', () => {
  it('searchRotated([4, 5, 6, 7, 0, 1, 2], 0) is 4; target 3 gives -1; [1] with 0 gives -1', () => {
    expect(searchRotated([4, 5, 6, 7, 0, 1, 2], 0)).toBe(4);
    expect(searchRotated([4, 5, 6, 7, 0, 1, 2], 3)).toBe(-1);
    expect(searchRotated([1], 0)).toBe(-1);
    expect(searchRotated([], 5)).toBe(-1);
  });

  it('searchRotatedWithDuplicates([2, 5, 6, 0, 0, 1, 2], 0) is true; target 3 is false', () => {
    expect(searchRotatedWithDuplicates([2, 5, 6, 0, 0, 1, 2], 0)).toBe(true);
    expect(searchRotatedWithDuplicates([2, 5, 6, 0, 0, 1, 2], 3)).toBe(false);
    // nums[lo] = nums[mid] = nums[hi] = 1 hides the 2: only dropping the ends finds it.
    expect(searchRotatedWithDuplicates([1, 1, 1, 1, 1, 2, 1], 2)).toBe(true);
  });

  it('findMinRotated: [3, 4, 5, 1, 2] -> 1, [4, 5, 6, 7, 0, 1, 2] -> 0, [11, 13, 15, 17] -> 11', () => {
    expect(findMinRotated([3, 4, 5, 1, 2])).toBe(1);
    expect(findMinRotated([4, 5, 6, 7, 0, 1, 2])).toBe(0);
    expect(findMinRotated([11, 13, 15, 17])).toBe(11);
  });

  it('findMinRotatedWithDuplicates: [1, 3, 5] -> 1, [2, 2, 2, 0, 1] -> 0, [3, 3, 1, 3] -> 1', () => {
    expect(findMinRotatedWithDuplicates([1, 3, 5])).toBe(1);
    expect(findMinRotatedWithDuplicates([2, 2, 2, 0, 1])).toBe(0);
    expect(findMinRotatedWithDuplicates([3, 3, 1, 3])).toBe(1);
  });

  it('the pitfalls fail on the smallest cases: [3, 1] searching 1, and the unrotated [1, 2, 3]', () => {
    expect(pitfallStrictHalfTest([3, 1], 1)).toBe(-1); // should be 1
    expect(pitfallMinAgainstLeftEnd([1, 2, 3])).toBe(3); // should be 1
  });
});

describe('oracle properties: every rotation of generated sorted arrays, including offset 0', () => {
  it('LeetCode 33: searchRotated equals indexOf for every offset and target', () => {
    fc.assert(searchMatchesIndexOf(searchRotated), { numRuns: 200 });
  });

  it('LeetCode 81: searchRotatedWithDuplicates equals includes (all-equal arrays included)', () => {
    fc.assert(containsMatchesIncludes(searchRotatedWithDuplicates), { numRuns: 200 });
  });

  it('LeetCode 153: findMinRotated equals Math.min on distinct values', () => {
    fc.assert(minMatchesMathMin(findMinRotated, distinctSorted), { numRuns: 200 });
  });

  it('LeetCode 154: findMinRotatedWithDuplicates equals Math.min with repeats (all-equal included)', () => {
    fc.assert(minMatchesMathMin(findMinRotatedWithDuplicates, sortedWithRepeats), { numRuns: 200 });
  });

  it('the counted, checked search (searchRotatedCounted) equals indexOf too', () => {
    fc.assert(
      searchMatchesIndexOf((nums, t) => searchRotatedCounted(nums, t)),
      { numRuns: 200 },
    );
  });
});

describe('every alternative equals the textbook searchRotated', () => {
  const everyRotationAndTarget = (agrees: (nums: number[], t: number) => boolean) =>
    fc.property(distinctSorted, (sorted) => {
      for (let k = 0; k < Math.max(1, sorted.length); k++) {
        const nums = rotate(sorted, k);
        for (const t of targetsFor(sorted)) if (!agrees(nums, t)) return false;
      }
      return true;
    });

  it('searchRotatedCounted returns the same index, with or without a counter', () => {
    const same = (nums: number[], t: number) =>
      searchRotatedCounted(nums, t, new Counter()) === searchRotated(nums, t) &&
      searchRotatedCounted(nums, t) === searchRotated(nums, t);
    fc.assert(everyRotationAndTarget(same), { numRuns: 150 });
  });

  it('on distinct values, the duplicate-tolerant search (81) finds exactly what 33 finds', () => {
    const same = (nums: number[], t: number) =>
      searchRotatedWithDuplicates(nums, t) === searchRotated(nums, t) >= 0;
    fc.assert(everyRotationAndTarget(same), { numRuns: 100 });
  });

  it('on distinct values, the minimum (153, 154) is the element searchRotated finds for Math.min', () => {
    const same = (nums: number[]) => {
      if (nums.length === 0) return true;
      const min = nums[searchRotated(nums, Math.min(...nums))];
      return findMinRotated(nums) === min && findMinRotatedWithDuplicates(nums) === min;
    };
    fc.assert(everyRotationAndTarget(same), { numRuns: 100 });
  });
});

describe('complexity: probes counted (one probe = one midpoint examined)', () => {
  const probesOf = (run: (counter: Counter) => unknown) => {
    const counter = new Counter();
    run(counter);
    return counter.get('probes');
  };
  const range = (n: number) => Array.from({ length: n }, (_, i) => 2 * i);

  const n = fc.integer({ min: 1, max: 5000 });
  test.prop([n, fc.nat(), fc.integer({ min: -5, max: 10_005 })], { numRuns: 300 })(
    'distinct values: the search uses at most floor(log2 n) + 1 <= ceil(log2 n) + 2 probes',
    (n, offset, target) => {
      const probes = probesOf((c) => searchRotatedCounted(rotate(range(n), offset % n), target, c));
      expect(probes).toBeLessThanOrEqual(Math.floor(Math.log2(n)) + 1);
      expect(probes).toBeLessThanOrEqual(Math.ceil(Math.log2(n)) + 2);
    },
  );

  test.prop([n, fc.nat()], { numRuns: 300 })(
    'distinct values: findMinRotated uses at most ceil(log2 n) probes',
    (n, offset) => {
      const probes = probesOf((c) => findMinRotated(rotate(range(n), offset % n), c));
      expect(probes).toBeLessThanOrEqual(Math.ceil(Math.log2(n)));
    },
  );

  const repeats = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 200 });
  test.prop([repeats.map(ascending), fc.nat(), fc.integer({ min: -1, max: 4 })], { numRuns: 200 })(
    'with repeats, probes never exceed n (81) and n - 1 (154): each probe drops at least one element',
    (sorted, offset, target) => {
      const nums = rotate(sorted, offset % sorted.length);
      const probes81 = probesOf((c) => searchRotatedWithDuplicates(nums, target, c));
      expect(probes81).toBeLessThanOrEqual(nums.length);
      const probes154 = probesOf((c) => findMinRotatedWithDuplicates(nums, c));
      expect(probes154).toBeLessThanOrEqual(nums.length - 1);
    },
  );

  it.each([10, 100, 1000, 10_000])(
    'all-equal array of n = %i: the O(n) worst case (>= n / 2 probes for 81, >= n - 1 for 154)',
    (n) => {
      const same = new Array<number>(n).fill(7);
      const probes81 = probesOf((c) => searchRotatedWithDuplicates(same, 8, c));
      expect(probes81).toBeGreaterThanOrEqual(n / 2);
      expect(probes81).toBeLessThanOrEqual(n / 2 + 1);
      const probes154 = probesOf((c) => findMinRotatedWithDuplicates(same, c));
      expect(probes154).toBeGreaterThanOrEqual(n - 1);
      expect(probes154).toBeLessThanOrEqual(n);
    },
  );
});

describe('disorder: detected by the counted versions when the probes show it, fully by assertRotatedSorted', () => {
  it('three probed values out of rotated order throw, naming nums', async () => {
    await expectArgumentError(() => searchRotatedCounted([5, 1, 4, 2, 3], 9), 'nums');
    await expectArgumentError(() => findMinRotatedWithDuplicates([3, 2, 1]), 'nums');
  });

  const value = fc.integer({ min: -50, max: 50 });
  const distinct = fc.uniqueArray(value, { minLength: 3, maxLength: 40 });
  test.prop([distinct], { numRuns: 200 })(
    'a descending array (n >= 3) is always detected at the first probe',
    (xs) => {
      const descending = ascending(xs).reverse();
      expect(() => searchRotatedCounted(descending, 1000)).toThrow(ArgumentError);
      expect(() => findMinRotated(descending)).toThrow(ArgumentError);
    },
  );

  const anyInts = fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 20 });
  test.prop([anyInts, fc.integer({ min: -6, max: 6 })], { numRuns: 300 })(
    'on ANY integer array, an index returned is a real hit, and the only error is ArgumentError',
    (nums, target) => {
      for (const search of [searchRotated, searchRotatedCounted]) {
        let index = -1;
        try {
          index = search(nums, target);
        } catch (e) {
          expect(e).toBeInstanceOf(ArgumentError);
          continue;
        }
        if (index >= 0) expect(nums[index]).toBe(target);
      }
    },
  );

  const smallInts = fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 12 });
  test.prop([smallInts, fc.boolean()], { numRuns: 300 })(
    'assertRotatedSorted accepts exactly the rotations of a sorted (distinct, if asked) array',
    (nums, distinct) => {
      const sorted = ascending(nums);
      const isSorted = (xs: number[]) => xs.every((x, i) => x === sorted[i]);
      const isRotation = nums.length === 0 || nums.some((_, k) => isSorted(rotate(nums, k)));
      const valid = isRotation && (!distinct || new Set(nums).size === nums.length);
      if (valid) expect(() => assertRotatedSorted(nums, { distinct })).not.toThrow();
      else expect(() => assertRotatedSorted(nums, { distinct })).toThrow(ArgumentError);
    },
  );

  it('the distinct versions reject a repeated value they probe', async () => {
    await expectArgumentError(() => searchRotatedCounted([2, 2, 2], 3), 'nums');
    await expectArgumentError(() => findMinRotated([1, 1, 0]), 'nums');
  });
});

describe('the common wrong answers are rejected by the same properties', () => {
  it('`nums[lo] < nums[mid]` (instead of <=) fails the indexOf property', () => {
    rejectsPitfall(searchMatchesIndexOf(pitfallStrictHalfTest), { numRuns: 200, seed: 2 });
  });

  it('comparing nums[mid] with the LEFT end for the minimum fails the Math.min property', () => {
    const property = minMatchesMathMin(pitfallMinAgainstLeftEnd, distinctSorted);
    rejectsPitfall(property, { numRuns: 200, seed: 3 });
  });
});
