/**
 * The common wrong quicksorts, kept so that the answer key and the notebook can show each one
 * rejected by the property the right answer passes. Each checks its arguments like the real ones
 * and always returns (explicit stacks, no deep recursion), so a test sees a wrong answer or a
 * broken bound, never a crash.
 */
import { assertOptionalCounter, type Counter } from '../../core/counter.js';
import { assertComparableArray, type NumericArray } from '../../core/errors.js';
import { assertRng, rng as seeded, type Rng } from '../../core/random.js';
import { ascending, hoare, lomuto } from '../support/sort-kernels.js';
import { quicksortWith } from './introsort.js';

/** Pitfall: Hoare's partition with Lomuto's recursion [lo, j - 1], [j + 1, hi]: a[j] stays put. */
export function pitfallHoareSkipsSplit<A extends NumericArray>(values: A): A {
  // Hoare's j is a split point, not the pivot's final place, so a[j] must stay in a side.
  assertComparableArray('values', values);
  const ranges: [number, number][] = [[0, values.length - 1]];
  while (ranges.length > 0) {
    const [lo, hi] = ranges.pop() as [number, number];
    if (lo >= hi) continue;
    const j = hoare(values, lo, hi, ascending);
    ranges.push([lo, j - 1], [j + 1, hi]); // should be [lo, j] and [j + 1, hi]
  }
  return values;
}

/** Pitfall: Hoare's partition, then [lo, j - 1] and [j, hi]: j = lo repeats the range forever. */
export function pitfallHoareNoProgress<A extends NumericArray>(values: A): A {
  // Cut off after 4n + 4 partitions, leaving the rest unsorted: a wrong answer, not a hang.
  assertComparableArray('values', values);
  let budget = 4 * values.length + 4;
  const ranges: [number, number][] = [[0, values.length - 1]];
  while (ranges.length > 0 && budget-- > 0) {
    const [lo, hi] = ranges.pop() as [number, number];
    if (lo >= hi) continue;
    const j = hoare(values, lo, hi, ascending);
    ranges.push([lo, j - 1], [j, hi]); // should be [lo, j] and [j + 1, hi]
  }
  return values;
}

/** Pitfall: Lomuto on many equal keys: they all go to one side, n(n - 1)/2 comparisons. */
export function pitfallLomutoOnEqualKeys<A extends NumericArray>(
  values: A,
  rng: Rng,
  counter?: Counter,
): A {
  // Whatever the pivot rule: every item equal to the pivot fails `< pivot` and stays right of it.
  assertRng('rng', rng);
  const lomuto = { partition: 'lomuto', introsort: false, insertionThreshold: 1 } as const;
  return quicksortWith(values, rng, lomuto, counter);
}

/** Pitfall: the first item as pivot: on sorted input it is always the minimum, n^2 / 2 work. */
export function pitfallFirstPivot<A extends NumericArray>(values: A, counter?: Counter): A {
  // One side is empty at every level, n levels of partitioning.
  // The first-item rule draws nothing: any generator will do.
  return quicksortWith(values, seeded(0), { pivot: 'first', introsort: false }, counter);
}

/** Pitfall: last-item pivot, recursing into both sides: n levels deep on sorted input. */
export function pitfallRecurseBothSides<A extends NumericArray>(values: A, counter?: Counter): A {
  // Smaller side first (loop on the larger) bounds the depth by log2 n + 1; this does not. A
  // recursive version overflows the call stack at a few thousand items; this one counts 'maxDepth'.
  assertComparableArray('values', values);
  assertOptionalCounter('counter', counter);
  let maxDepth = 0;
  // Each entry is a range and its recursion depth: the stack a recursive version would build.
  const ranges: [number, number, number][] = [[0, values.length - 1, 1]];
  while (ranges.length > 0) {
    const [lo, hi, depth] = ranges.pop() as [number, number, number];
    maxDepth = Math.max(maxDepth, depth);
    if (lo >= hi) continue;
    const p = lomuto(values, lo, hi, ascending);
    ranges.push([lo, p - 1, depth + 1], [p + 1, hi, depth + 1]);
  }
  counter?.add('maxDepth', Math.max(0, maxDepth - counter.get('maxDepth')));
  return values;
}
