/**
 * Q06 bench, one op = one whole sort of a fresh copy (the copy is paid by every contender alike).
 * 1. 10^6 random doubles: the textbook quicksort vs introsort (the engineered default) vs
 *    Array.prototype.sort with a comparator vs Float64Array.prototype.sort.
 * 2. Sorted input, n = 2 * 10^4: first-element pivot (introsort off, ~n^2 / 2 = 2 * 10^8
 *    comparisons, pitfallFirstPivot) vs random pivot (~1.4 n log2 n).
 * 3. 10^6 numbers with 10 distinct values: two-way (Hoare) vs three-way partition.
 */
import { bench, describe } from 'vitest';
import {
  introsort,
  pitfallFirstPivot,
  quicksort,
  quicksortWith,
  type QuicksortOptions,
} from '../algorithms/quicksort/index.js';
import { Counter } from '../core/counter.js';
import { rng } from '../core/random.js';

const r = rng(6);
const MILLION = 1_000_000;
const randomDoubles = Array.from({ length: MILLION }, () => r.uniform());
const randomTyped = Float64Array.from(randomDoubles);
const SORTED_N = 20_000;
const sorted = Array.from({ length: SORTED_N }, (_, i) => i);
const tenValues = Array.from({ length: MILLION }, () => r.integer(0, 9));

/** Comparison counts for the record, printed next to the timings. */
function comparisons(values: number[], options: QuicksortOptions): number {
  const counter = new Counter();
  quicksortWith([...values], rng(1), options, counter);
  return counter.get('comparisons');
}
const firstCounter = new Counter();
pitfallFirstPivot([...sorted], firstCounter);
const first = firstCounter.get('comparisons');
const random = comparisons(sorted, { pivot: 'random' });
const perNLogN = (random / (SORTED_N * Math.log2(SORTED_N))).toFixed(2);
console.log(
  `quicksort: sorted n = ${SORTED_N}: first-element pivot ${first} comparisons ` +
    `(n^2/2 = ${SORTED_N ** 2 / 2}), random pivot ${random} (${perNLogN} n log2 n)`,
);
const twoWay = comparisons(tenValues, { partition: 'hoare' });
const threeWay = comparisons(tenValues, { partition: 'three-way' });
console.log(
  `quicksort: 10^6 numbers, 10 distinct: Hoare ${twoWay} comparisons, three-way ${threeWay} ` +
    `(${(twoWay / threeWay).toFixed(1)}x fewer)`,
);

const once = { iterations: 3, time: 0, warmupIterations: 1 };

describe('quicksort: 10^6 random doubles', () => {
  let seed = 0;
  bench(
    'quicksort, the textbook (number[])',
    () => void quicksort([...randomDoubles], rng(++seed)),
    once,
  );
  bench(
    'introsort, engineered (number[])',
    () => void introsort([...randomDoubles], rng(++seed)),
    once,
  );
  bench(
    'introsort, engineered (Float64Array)',
    () => void introsort(randomTyped.slice(), rng(++seed)),
    once,
  );
  bench(
    'Array.prototype.sort((a, b) => a - b)',
    () => void [...randomDoubles].sort((a, b) => a - b),
    {
      iterations: 2,
      time: 0,
      warmupIterations: 0,
    },
  );
  bench('Float64Array.prototype.sort()', () => void randomTyped.slice().sort(), once);
});

describe('quicksort: sorted input, n = 2 * 10^4', () => {
  let seed = 0;
  bench(
    'first-element pivot, no introsort (pitfallFirstPivot, quadratic)',
    () => void pitfallFirstPivot([...sorted]),
    once,
  );
  bench('random pivot (the textbook)', () => void quicksort([...sorted], rng(++seed)), {
    iterations: 50,
    time: 0,
    warmupIterations: 5,
  });
});

describe('quicksort: 10^6 numbers with 10 distinct values', () => {
  let seed = 0;
  const hoare = { partition: 'hoare' } as const;
  const three = { partition: 'three-way' } as const;
  bench('two-way (Hoare)', () => void quicksortWith([...tenValues], rng(++seed), hoare), once);
  bench('three-way (Dijkstra)', () => void quicksortWith([...tenValues], rng(++seed), three), once);
});
