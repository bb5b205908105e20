/**
 * Answer key for Q05, reorder a linked list as L0, L(n-1), L1, L(n-2), ... Read top-down: worked
 * examples; the oracle property (the relinked NODES, by identity, are the original nodes in the
 * order built from an array of indices, so nothing is lost, duplicated or copied); invariants; the
 * pointer-step count as a bound; the two classic slips (pitfall*) rejected by the same property.
 * Input checks: tests/inputs/reorder-list.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  pitfallReorderLosesTail,
  pitfallReorderWithoutCut,
  reorderList,
  reorderListByArray,
  reorderListCounted,
  reverseList,
} from '../algorithms/reorder-list.js';
import { fromArray, ListNode, nodesOf, toArray } from '../algorithms/support/linked-list.js';
import { Counter } from '../core/counter.js';
import { rejectsPitfall } from './support/answer-key.js';
import { firstNodes, listValues } from './support/lists-and-trees.js';

type Reorder = (head: ListNode | null) => ListNode | null;

/** The oracle, from an array: indices 0, n-1, 1, n-2, ... */
function interleavedIndices(n: number): number[] {
  const order: number[] = [];
  for (let lo = 0, hi = n - 1; lo <= hi; lo++, hi--) {
    order.push(lo);
    if (lo !== hi) order.push(hi);
  }
  return order;
}

/**
 * The property: after reordering, walking from the returned head visits exactly the original node
 * objects in the oracle order and then null. The walk is bounded (n + 1 nodes at most), so a cycle
 * fails the length assertion instead of hanging or throwing.
 */
const reordersNodes = (reorder: Reorder) =>
  fc.property(listValues(60), (xs) => {
    const head = fromArray(xs);
    const before = nodesOf(head);
    const after = firstNodes(reorder(head), before.length + 1);
    expect(after).toHaveLength(before.length);
    interleavedIndices(xs.length).forEach((i, position) => expect(after[position]).toBe(before[i]));
  });

describe('worked examples', () => {
  it('[1, 2, 3, 4] -> [1, 4, 2, 3] and [1, 2, 3, 4, 5] -> [1, 5, 2, 4, 3] (LeetCode 143)', () => {
    expect(toArray(reorderList(fromArray([1, 2, 3, 4])))).toEqual([1, 4, 2, 3]);
    expect(toArray(reorderList(fromArray([1, 2, 3, 4, 5])))).toEqual([1, 5, 2, 4, 3]);
  });

  it('[], [7] and [7, 8] are already in order', () => {
    expect(reorderList(null)).toBeNull();
    expect(toArray(reorderList(fromArray([7])))).toEqual([7]);
    expect(toArray(reorderList(fromArray([7, 8])))).toEqual([7, 8]);
  });

  it('by hand for [1..6]: front half [1, 2, 3], back half [4, 5, 6] reversed to [6, 5, 4], zipped to [1, 6, 2, 5, 3, 4]', () => {
    expect(toArray(reverseList(fromArray([4, 5, 6])))).toEqual([6, 5, 4]);
    expect(toArray(reorderList(fromArray([1, 2, 3, 4, 5, 6])))).toEqual([1, 6, 2, 5, 3, 4]);
  });

  it('the head node stays the head, and no node is created: the same objects are relinked', () => {
    const head = fromArray([10, 20, 30]);
    const [a, b, c] = nodesOf(head);
    expect(reorderList(head)).toBe(a);
    expect(a?.next).toBe(c);
    expect(c?.next).toBe(b);
    expect(b?.next).toBeNull();
  });
});

describe('oracle: the nodes end up in the order 0, n-1, 1, n-2, ... built from an array', () => {
  it('reorderList (O(1) space)', () => {
    fc.assert(reordersNodes(reorderList), { seed: 5, numRuns: 300 });
  });

  it('reorderListByArray (O(n) space)', () => {
    fc.assert(reordersNodes(reorderListByArray), { seed: 5, numRuns: 300 });
  });

  it('reorderListCounted (middle, reverse, merge as named steps)', () => {
    fc.assert(
      reordersNodes((head) => reorderListCounted(head)),
      { seed: 5, numRuns: 200 },
    );
  });

  test.prop([listValues(60)], { numRuns: 200 })(
    'every version gives the same values as the array oracle',
    (xs) => {
      const expected = interleavedIndices(xs.length).map((i) => xs[i]);
      expect(toArray(reorderList(fromArray(xs)))).toEqual(expected);
      expect(toArray(reorderListByArray(fromArray(xs)))).toEqual(expected);
      expect(toArray(reorderListCounted(fromArray(xs)))).toEqual(expected);
    },
  );
});

describe('invariants', () => {
  test.prop([listValues(60)], { numRuns: 200 })(
    'the multiset of values is preserved and reverse(reverse(list)) is the list',
    (xs) => {
      const sorted = (v: number[]) => [...v].sort((p, q) => p - q);
      expect(sorted(toArray(reorderList(fromArray(xs))))).toEqual(sorted(xs));
      expect(toArray(reverseList(reverseList(fromArray(xs))))).toEqual(xs);
    },
  );

  test.prop([fc.integer({ min: 1, max: 200 })], { numRuns: 100 })(
    'the first node stays first and the node at index floor(n / 2) ends last',
    (n) => {
      const head = fromArray(Array.from({ length: n }, (_, i) => i));
      const after = toArray(reorderList(head));
      expect(after[0]).toBe(0);
      expect(after.at(-1)).toBe(Math.floor(n / 2));
    },
  );
});

describe('complexity: at most 3n pointer steps, counted', () => {
  test.prop([fc.integer({ min: 0, max: 5000 })], { numRuns: 40 })(
    'steps <= 3n for a list of n nodes',
    (n) => {
      const counter = new Counter();
      reorderListCounted(fromArray(new Array<number>(n).fill(0)), counter);
      expect(counter.get('steps')).toBeLessThanOrEqual(3 * n);
    },
  );

  it('and at least n (every node is relinked): 10^5 nodes take between n and 3n steps', () => {
    const n = 100_000;
    const counter = new Counter();
    reorderListCounted(fromArray(new Array<number>(n).fill(0)), counter);
    expect(counter.get('steps')).toBeGreaterThanOrEqual(n);
    expect(counter.get('steps')).toBeLessThanOrEqual(3 * n);
  });
});

describe('the classic slips are rejected by the same property', () => {
  it('forgetting to cut after the middle: the front half still links into the reversed back half, a cycle forms', () => {
    rejectsPitfall(reordersNodes(pitfallReorderWithoutCut), { seed: 5, numRuns: 300 });
    // [1, 2, 3, 4]: 2 still links to 3, so the merge sets 3.next = 3: 1 -> 4 -> 2 -> 3 -> 3 -> ...
    const walked = firstNodes(pitfallReorderWithoutCut(fromArray([1, 2, 3, 4])), 7);
    expect(walked.map((node) => node.val)).toEqual([1, 4, 2, 3, 3, 3, 3]);
  });

  it('cutting before the second middle: the back half is longer for odd n and its last node is lost', () => {
    rejectsPitfall(reordersNodes(pitfallReorderLosesTail), { seed: 5, numRuns: 300 });
    expect(toArray(pitfallReorderLosesTail(fromArray([1, 2, 3, 4, 5])))).toEqual([1, 5, 2, 4]);
    // even n is fine, which is why the property must see odd lengths too
    expect(toArray(pitfallReorderLosesTail(fromArray([1, 2, 3, 4])))).toEqual([1, 4, 2, 3]);
  });
});
