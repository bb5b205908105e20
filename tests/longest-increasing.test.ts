/**
 * Answer key for Q04, longest increasing run and longest increasing subsequence. Read top-down:
 * worked examples (LeetCode 674 and 300 vectors), the O(n^2) DP checked against brute force, the
 * textbook patience-sorting answer checked against the DP, every alternative equal to its textbook
 * answer, invariants (LIS >= run, Erdős–Szekeres, monotone maps), comparison counts as bounds, then
 * the wrong answers rejected by the same properties.
 * Input checks are in tests/inputs/longest-increasing.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  longestIncreasingRun,
  longestIncreasingRunCounted,
  longestIncreasingSubsequence,
  longestIncreasingSubsequenceDP,
  longestIncreasingSubsequencePatience,
  longestNonIncreasingSubsequence,
  patienceTails,
  pitfallRunUpdatedOnBreak,
  pitfallTailsAsSubsequence,
  pitfallUpperBoundForStrict,
  type Run,
  type Subsequence,
} from '../algorithms/longest-increasing.js';
import { Counter } from '../core/counter.js';
import { rejectsPitfall } from './support/answer-key.js';

/** The engineered versions with an explicit `strict`. */
const lis = (values: number[] | Float64Array, strict = true) =>
  longestIncreasingSubsequencePatience(values, { strict });
const run = (values: number[], strict = true) => longestIncreasingRunCounted(values, { strict });

/** Small integers, so that equal values (where strict and non-strict differ) are common. */
const smallInts = fc.array(fc.integer({ min: -6, max: 6 }), { maxLength: 60 });

const increases = (a: number, b: number, strict: boolean) => (strict ? b > a : b >= a);

/** Brute force: the longest increasing subsequence over all 2^n subsets (n <= 12). */
function bruteForceLength(values: number[], strict: boolean): number {
  let best = 0;
  for (let mask = 0; mask < 1 << values.length; mask++) {
    const picked = values.filter((_, i) => mask & (1 << i));
    const increasing = picked.every((x, i) => i === 0 || increases(picked[i - 1]!, x, strict));
    if (increasing) best = Math.max(best, picked.length);
  }
  return best;
}

/** Brute force: the longest increasing window over all O(n^2) windows. */
function bruteForceRun(values: number[], strict: boolean): number {
  let best = 0;
  for (let i = 0; i < values.length; i++) {
    let j = i + 1;
    while (j < values.length && increases(values[j - 1]!, values[j]!, strict)) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

/**
 * THE property of a strict LIS answer: the indices ascend, the values are read from them, they
 * strictly increase, and the length equals the O(n^2) DP. Every implementation and pitfall is run
 * through it.
 */
const strictLisIsCorrect = (lis: (values: number[]) => Subsequence) =>
  fc.property(smallInts, (values) => {
    const got = lis(values);
    const indicesAscend = got.indices.every((i, k) => k === 0 || i > got.indices[k - 1]!);
    const readFromInput = got.values.every((x, k) => values[got.indices[k]!] === x);
    const increasing = got.values.every((x, k) => k === 0 || x > got.values[k - 1]!);
    const optimal = got.length === longestIncreasingSubsequenceDP(values).length;
    const consistent = got.length === got.indices.length;
    return consistent && indicesAscend && readFromInput && increasing && optimal;
  });

/** The longest run equals the brute force over all windows, and the window really increases. */
const runIsCorrect = (longestRun: (values: number[]) => Run) =>
  fc.property(smallInts, (values) => {
    const { start, length } = longestRun(values);
    const window = values.slice(start, start + length);
    const increasing = window.every((x, k) => k === 0 || x > window[k - 1]!);
    return length === bruteForceRun(values, true) && window.length === length && increasing;
  });

describe('worked examples', () => {
  it('longestIncreasingRun([1, 3, 5, 4, 7]) is 1, 3, 5: { start: 0, length: 3 }', () => {
    expect(longestIncreasingRun([1, 3, 5, 4, 7])).toEqual({ start: 0, length: 3 });
  });

  it('[2, 2, 2, 2, 2] has a strict run of 1 and a non-decreasing run of 5; [] has 0', () => {
    expect(longestIncreasingRun([2, 2, 2, 2, 2]).length).toBe(1);
    expect(run([2, 2, 2, 2, 2], false).length).toBe(5);
    expect(longestIncreasingRun([])).toEqual({ start: 0, length: 0 });
  });

  it('the last run counts: [3, 1, 2, 3, 4] -> { start: 1, length: 4 }', () => {
    expect(longestIncreasingRun([3, 1, 2, 3, 4])).toEqual({ start: 1, length: 4 });
  });

  it('LIS of [10, 9, 2, 5, 3, 7, 101, 18] is 2, 3, 7, 18 at indices 2, 4, 5, 7', () => {
    const answer = { length: 4, indices: [2, 4, 5, 7], values: [2, 3, 7, 18] };
    expect(longestIncreasingSubsequence([10, 9, 2, 5, 3, 7, 101, 18])).toEqual(answer);
  });

  it.each([
    [[0, 1, 0, 3, 2, 3], 4],
    [[1, 3, 6, 7, 9, 4, 10, 5, 6], 6],
    [[7, 7, 7, 7, 7, 7, 7], 1],
    [[], 0],
  ])('LIS of %j has length %i', (values, length) => {
    expect(longestIncreasingSubsequence(values).length).toBe(length);
    expect(longestIncreasingSubsequenceDP(values).length).toBe(length);
  });

  it('seven 7s: strict LIS 1, non-decreasing 7, longest non-increasing 7', () => {
    const sevens = [7, 7, 7, 7, 7, 7, 7];
    expect(lis(sevens, false).length).toBe(7);
    expect(longestNonIncreasingSubsequence(sevens).length).toBe(7);
  });

  it('typed arrays and infinities are fine: Float64Array [-Inf, 0, Inf, 1] -> 3', () => {
    const values = new Float64Array([-Infinity, 0, Infinity, 1]);
    expect(longestIncreasingSubsequence(values).length).toBe(3);
  });
});

describe('the O(n^2) DP is the oracle: checked against brute force over all subsets', () => {
  const tinyInts = fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 12 });
  test.prop([tinyInts, fc.boolean()], { numRuns: 200 })(
    'DP length == brute force, strict and non-decreasing',
    (values, strict) => {
      const dp = longestIncreasingSubsequenceDP(values, { strict });
      expect(dp.length).toBe(bruteForceLength(values, strict));
    },
  );
});

describe('patience sorting against the DP', () => {
  it('strict (the textbook answer): indices ascend, values increase, length == DP', () => {
    const property = strictLisIsCorrect((v) => longestIncreasingSubsequence(v));
    fc.assert(property, { numRuns: 300, seed: 4 });
  });

  it('the engineered patience sorting passes the same property', () => {
    fc.assert(
      strictLisIsCorrect((v) => lis(v)),
      { numRuns: 300, seed: 4 },
    );
  });

  test.prop([smallInts], { numRuns: 300 })('non-decreasing: same checks with >=', (values) => {
    const got = lis(values, false);
    expect(got.length).toBe(longestIncreasingSubsequenceDP(values, { strict: false }).length);
    expect(got.indices.every((i, k) => k === 0 || i > got.indices[k - 1]!)).toBe(true);
    expect(got.values).toEqual(got.indices.map((i) => values[i]));
    expect(got.values.every((x, k) => k === 0 || x >= got.values[k - 1]!)).toBe(true);
  });

  const doubles = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 200 });
  test.prop([doubles], { numRuns: 100 })('on doubles (mostly distinct) too', (values) => {
    const dp = longestIncreasingSubsequenceDP(values);
    expect(longestIncreasingSubsequence(values).length).toBe(dp.length);
  });
});

describe('the longest contiguous run', () => {
  it('equals the brute force over all windows, and the window is increasing', () => {
    fc.assert(
      runIsCorrect((v) => longestIncreasingRun(v)),
      { numRuns: 300, seed: 5 },
    );
  });

  test.prop([smallInts], { numRuns: 200 })('non-decreasing run == brute force, >=', (values) => {
    expect(run(values, false).length).toBe(bruteForceRun(values, false));
  });
});

describe('every alternative equals its textbook answer', () => {
  test.prop([smallInts], { numRuns: 300 })(
    'the engineered patience sorting returns exactly the textbook subsequence (strict)',
    (values) => {
      const textbook = longestIncreasingSubsequence(values);
      expect(longestIncreasingSubsequencePatience(values, {}, new Counter())).toEqual(textbook);
      expect(longestIncreasingSubsequencePatience(values)).toEqual(textbook);
    },
  );

  test.prop([smallInts], { numRuns: 300 })(
    'the counted run is exactly the textbook run',
    (values) => {
      const textbook = longestIncreasingRun(values);
      expect(longestIncreasingRunCounted(values, {}, new Counter())).toEqual(textbook);
    },
  );

  test.prop([smallInts, fc.boolean()], { numRuns: 300 })(
    'the DP finds a subsequence as long as the textbook one, and the tails are as long',
    (values, strict) => {
      const found = strict ? longestIncreasingSubsequence(values) : lis(values, false);
      const length = found.length;
      expect(longestIncreasingSubsequenceDP(values, { strict }).length).toBe(length);
      expect(patienceTails(values, { strict })).toHaveLength(length);
    },
  );
});

describe('invariants', () => {
  test.prop([smallInts, fc.boolean()], { numRuns: 300 })(
    'tails are sorted (strictly when strict) and as long as the LIS',
    (values, strict) => {
      const tails = patienceTails(values, { strict });
      expect(tails.length).toBe(lis(values, strict).length);
      expect(tails.every((t, k) => k === 0 || increases(tails[k - 1]!, t, strict))).toBe(true);
    },
  );

  test.prop([smallInts, fc.boolean()], { numRuns: 300 })(
    'LIS >= longest run >= 1 (n > 0)',
    (values, strict) => {
      const longestRun = run(values, strict).length;
      expect(lis(values, strict).length).toBeGreaterThanOrEqual(longestRun);
      expect(longestRun).toBeGreaterThanOrEqual(Math.min(1, values.length));
    },
  );

  /** Erdős–Szekeres (via Dilworth): the n items split into LIS_strict non-increasing piles. */
  const erdosSzekeres = (decreasing: (values: number[]) => number) =>
    fc.property(smallInts, (values) => {
      return longestIncreasingSubsequence(values).length * decreasing(values) >= values.length;
    });

  it('Erdős–Szekeres: strict LIS x longest NON-INCREASING subsequence >= n', () => {
    const property = erdosSzekeres((v) => longestNonIncreasingSubsequence(v).length);
    fc.assert(property, { numRuns: 300, seed: 6 });
    const nonIncreasing = longestNonIncreasingSubsequence([3, 1, 3, 2, 2, 0]);
    expect(nonIncreasing).toEqual({ length: 5, indices: [0, 2, 3, 4, 5], values: [3, 3, 2, 2, 0] });
  });

  it('and the bound fails if "decreasing" is taken strictly as well (seven 7s: 1 x 1 < 7)', () => {
    const strictlyDecreasing = (v: number[]) =>
      longestIncreasingSubsequence(v.map((x) => -x)).length;
    rejectsPitfall(erdosSzekeres(strictlyDecreasing), { numRuns: 300, seed: 6 });
  });

  test.prop([smallInts], { numRuns: 200 })(
    'a strictly increasing map of the values (x -> 3x + 1, x -> x^3) keeps the LIS',
    (values) => {
      const { indices } = longestIncreasingSubsequence(values);
      expect(longestIncreasingSubsequence(values.map((x) => 3 * x + 1)).indices).toEqual(indices);
      expect(longestIncreasingSubsequence(values.map((x) => x ** 3)).indices).toEqual(indices);
    },
  );

  test.prop([smallInts], { numRuns: 200 })(
    'reversing and negating keeps the strict LIS length',
    (values) => {
      const mirrored = longestIncreasingSubsequence(values.map((x) => -x).reverse());
      expect(mirrored.length).toBe(longestIncreasingSubsequence(values).length);
    },
  );
});

describe('complexity as counted comparisons', () => {
  const ints = fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 2000 });
  test.prop([ints], { numRuns: 30 })(
    'patience sorting: at most n ceil(log2(n + 1)) comparisons',
    (values) => {
      const counter = new Counter();
      longestIncreasingSubsequencePatience(values, {}, counter);
      const n = values.length;
      expect(counter.get('comparisons')).toBeLessThanOrEqual(n * Math.ceil(Math.log2(n + 1)));
    },
  );

  it('sorted input of 4096 (worst case L = n): 4096 x 12 bound holds, the DP needs n(n - 1)/2 = 8,386,560', () => {
    const sorted = Array.from({ length: 4096 }, (_, i) => i);
    const [fast, dp] = [new Counter(), new Counter()];
    expect(longestIncreasingSubsequencePatience(sorted, {}, fast).length).toBe(4096);
    expect(longestIncreasingSubsequenceDP(sorted, {}, dp).length).toBe(4096);
    expect(fast.get('comparisons')).toBeLessThanOrEqual(4096 * 12);
    expect(dp.get('comparisons')).toBeGreaterThanOrEqual((4096 * 4095) / 2);
  });

  it('the run is one pass: at most n comparisons', () => {
    const counter = new Counter();
    longestIncreasingRunCounted([5, 1, 2, 3, 0, 9], {}, counter);
    expect(counter.get('comparisons')).toBeLessThanOrEqual(6);
  });
});

describe('the wrong answers are rejected by the same properties', () => {
  it('upper bound instead of lower bound for the strict LIS ([2, 2] gets length 2)', () => {
    expect(pitfallUpperBoundForStrict([2, 2]).length).toBe(2);
    rejectsPitfall(strictLisIsCorrect(pitfallUpperBoundForStrict), { numRuns: 300, seed: 4 });
  });

  it('returning the tails array as the subsequence ([3, 4, 1] -> tails 1, 4: right length, wrong order)', () => {
    const tails = { length: 2, indices: [2, 1], values: [1, 4] };
    expect(pitfallTailsAsSubsequence([3, 4, 1])).toEqual(tails);
    expect(patienceTails([3, 4, 1])).toEqual([1, 4]);
    rejectsPitfall(strictLisIsCorrect(pitfallTailsAsSubsequence), { numRuns: 300, seed: 4 });
  });

  it('updating the best run only when a run breaks ([3, 1, 2, 3, 4] gives 1)', () => {
    expect(pitfallRunUpdatedOnBreak([3, 1, 2, 3, 4]).length).toBe(1);
    rejectsPitfall(runIsCorrect(pitfallRunUpdatedOnBreak), { numRuns: 300, seed: 5 });
  });
});
