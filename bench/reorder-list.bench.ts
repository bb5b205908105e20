/**
 * Q05 bench: reorderList (fast/slow middle, reverse, zip; O(1) extra space) vs reorderListByArray
 * (nodes copied into an array and relinked from both ends; O(n) extra space) on a list of 10^6 nodes.
 * Reordering is a permutation of the nodes, so each op reorders the same list again: no rebuild cost.
 * Expect them close: both are bound by cache misses while chasing 10^6 scattered nodes; the in-place
 * version wins on memory (no n-slot array), not on time.
 */
import { bench, describe } from 'vitest';
import { reorderList, reorderListByArray } from '../algorithms/reorder-list.js';
import { fromArray, toArray } from '../algorithms/support/linked-list.js';

const N = 1_000_000;
const values = Array.from({ length: N }, (_, i) => i);
const inPlace = fromArray(values);
const byArray = fromArray(values);

// One run each, answers compared before timing.
const a = toArray(reorderList(fromArray(values)));
const b = toArray(reorderListByArray(fromArray(values)));
console.log(`reorder-list: n = 10^6, in-place and array answers equal: ${a.length === b.length && a.every((v, i) => v === b[i])}`);

describe('reorder-list: 10^6 nodes (one op = one full reorder)', () => {
  bench('reorderList, O(1) extra space', () => void reorderList(inPlace), { iterations: 5, time: 0, warmupIterations: 1 });
  bench('reorderListByArray, O(n) extra space', () => void reorderListByArray(byArray), { iterations: 5, time: 0, warmupIterations: 1 });
});
