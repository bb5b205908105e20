/**
 * Q05 bench: the textbook reorderList (fast/slow middle, reverse, merge; O(1) extra space) vs the
 * counted reorderListCounted (same steps, named, with a Counter) vs reorderListByArray (nodes
 * copied into an array and relinked from both ends; O(n) extra space) on a list of 10^6 nodes.
 * Reordering is a permutation of the nodes, so each op reorders the same list again (no rebuild).
 * Expect them close: both are bound by cache misses while chasing 10^6 scattered nodes; the
 * in-place version wins on memory (no n-slot array), not on time.
 */
import { bench, describe } from 'vitest';
import { reorderList, reorderListByArray, reorderListCounted } from '../algorithms/reorder-list.js';
import { Counter } from '../core/counter.js';
import { fromArray, toArray } from '../algorithms/support/linked-list.js';

const N = 1_000_000;
const values = Array.from({ length: N }, (_, i) => i);
const inPlace = fromArray(values);
const byArray = fromArray(values);
const counted = fromArray(values);

// One run each, answers compared before timing.
const a = toArray(reorderList(fromArray(values)));
const b = toArray(reorderListByArray(fromArray(values)));
const counter = new Counter();
const c = toArray(reorderListCounted(fromArray(values), counter));
const equal = a.length === b.length && a.every((v, i) => v === b[i] && v === c[i]);
console.log(
  `reorder-list: n = 10^6, the three answers equal: ${equal}; ${counter.get('steps')} pointer steps (3n - 3)`,
);

describe('reorder-list: 10^6 nodes (one op = one full reorder)', () => {
  const five = { iterations: 5, time: 0, warmupIterations: 1 };
  bench('reorderList (the textbook), O(1) extra space', () => void reorderList(inPlace), five);
  bench(
    'reorderListCounted, O(1) extra space',
    () => void reorderListCounted(counted, new Counter()),
    five,
  );
  bench('reorderListByArray, O(n) extra space', () => void reorderListByArray(byArray), five);
});
