/**
 * Answer key for Q08, deleting list nodes and fast/slow pointers. Read top-down: worked examples
 * (LeetCode 237, 203, 876, 141/142, 19, 剑指 Offer 22); oracle properties where the answer is read
 * off an array of the original nodes (node identity, not just values), with cycles built by linking
 * the tail to a chosen index; Floyd's pointer steps counted against 3 (mu + lambda) + 2 mu <= 5n;
 * the common wrong answers (pitfall*) rejected by the same properties. Input checks (the tail in
 * deleteNode, cyclic lists that would otherwise hang, junk nodes):
 * tests/inputs/linked-list-pointers.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  cycleEntry,
  cycleEntryCounted,
  cycleEntryWithSet,
  deleteByValue,
  deleteNode,
  firstMiddleNode,
  hasCycle,
  kthFromEnd,
  kthFromEndCounted,
  middleNode,
  middleNodeCounted,
  pitfallDeleteByReassigning,
  pitfallDeleteByValueAdvancing,
  pitfallKthFromEndOffByOne,
  pitfallMeetingPointAsEntry,
  removeKthFromEnd,
} from '../algorithms/linked-list-pointers.js';
import {
  fromArray,
  ListNode,
  nodesOf,
  toArray,
  withCycle,
} from '../algorithms/support/linked-list.js';
import { Counter } from '../core/counter.js';
import { rejectsPitfall } from './support/answer-key.js';
import { listValues } from './support/lists-and-trees.js';

/** A list of 1..60 values with a tail link to index pos in [-1, n - 1] (-1: no cycle). */
const cyclicCase = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 60 }), fc.nat())
  .map(([xs, p]) => ({ xs, pos: (p % (xs.length + 1)) - 1 }));

/** A non-empty list and a k in [1, n]. */
const kCase = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 60 }), fc.nat())
  .map(([xs, p]) => ({ xs, k: (p % xs.length) + 1 }));

/** The same node objects in the same order (identity, not structural equality). */
function expectSameNodes(actual: ListNode[], expected: ListNode[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((node, i) => expect(node).toBe(expected[i]));
}

const entryIsTheLinkedNode = (entry: (head: ListNode | null) => ListNode | null) =>
  fc.property(cyclicCase, ({ xs, pos }) => {
    const list = withCycle(xs, pos);
    expect(entry(list.head)).toBe(list.entry);
  });

const middleIsNodeHalfN = (middle: (head: ListNode | null) => ListNode | null) =>
  fc.property(listValues(60), (xs) => {
    const head = fromArray(xs);
    expect(middle(head)).toBe(nodesOf(head)[Math.floor(xs.length / 2)] ?? null);
  });

const kthIsNodeNMinusK = (kth: (head: ListNode | null, k: number) => ListNode | null) =>
  fc.property(kCase, ({ xs, k }) => {
    const head = fromArray(xs);
    expect(kth(head, k)).toBe(nodesOf(head)[xs.length - k]);
  });

const deleteByValueKeepsTheOthers = (
  remove: (head: ListNode | null, value: number) => ListNode | null,
) =>
  fc.property(
    fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 }),
    fc.integer({ min: 0, max: 3 }),
    (xs, value) => {
      const head = fromArray(xs);
      const kept = nodesOf(head).filter((node) => node.val !== value);
      expectSameNodes(nodesOf(remove(head, value)), kept);
    },
  );

const deleteNodeRemovesOne = (remove: (node: ListNode) => void) =>
  fc.property(
    fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 2, maxLength: 40 }),
    fc.nat(),
    (xs, p) => {
      const i = p % (xs.length - 1); // any node but the tail
      const head = fromArray(xs);
      const before = nodesOf(head);
      remove(before[i] as ListNode);
      expect(toArray(head)).toEqual([...xs.slice(0, i), ...xs.slice(i + 1)]);
      // node i survives holding its successor's value; the successor OBJECT is the one unlinked
      expectSameNodes(
        nodesOf(head),
        before.filter((_, j) => j !== i + 1),
      );
    },
  );

describe('worked examples', () => {
  it('LeetCode 237: [4, 5, 1, 9], delete the node 5 -> [4, 1, 9]; delete the node 1 -> [4, 5, 9]', () => {
    const head = fromArray([4, 5, 1, 9]);
    deleteNode(nodesOf(head)[1]!);
    expect(toArray(head)).toEqual([4, 1, 9]);
    const other = fromArray([4, 5, 1, 9]);
    deleteNode(nodesOf(other)[2]!);
    expect(toArray(other)).toEqual([4, 5, 9]);
  });

  it('LeetCode 203: remove 6 from [1, 2, 6, 3, 4, 5, 6] -> [1, 2, 3, 4, 5]; remove 7 from [7, 7, 7, 7] -> []', () => {
    expect(toArray(deleteByValue(fromArray([1, 2, 6, 3, 4, 5, 6]), 6))).toEqual([1, 2, 3, 4, 5]);
    expect(deleteByValue(fromArray([7, 7, 7, 7]), 7)).toBeNull();
    expect(deleteByValue(null, 1)).toBeNull();
  });

  it('LeetCode 876: the middle of [1..5] is 3; of [1..6] it is 4 (second middle), 3 with middle = first', () => {
    expect(middleNode(fromArray([1, 2, 3, 4, 5]))?.val).toBe(3);
    expect(middleNode(fromArray([1, 2, 3, 4, 5, 6]))?.val).toBe(4);
    expect(firstMiddleNode(fromArray([1, 2, 3, 4, 5, 6]))?.val).toBe(3);
    expect(firstMiddleNode(fromArray([1, 2, 3, 4, 5]))?.val).toBe(3);
    expect(middleNode(null)).toBeNull();
  });

  it('LeetCode 141/142: [3, 2, 0, -4] with pos 1 has a cycle entering at 2; [1, 2] pos 0 at 1; [1] pos -1 none', () => {
    expect(cycleEntry(withCycle([3, 2, 0, -4], 1).head)?.val).toBe(2);
    expect(cycleEntry(withCycle([1, 2], 0).head)?.val).toBe(1);
    expect(hasCycle(withCycle([1], -1).head)).toBe(false);
    expect(hasCycle(withCycle([1], 0).head)).toBe(true);
    expect(cycleEntry(null)).toBeNull();
  });

  it('k-th from the end (k = 1 is the last): 2nd of [1..5] is 4; LeetCode 19 removes it -> [1, 2, 3, 5]', () => {
    expect(kthFromEnd(fromArray([1, 2, 3, 4, 5]), 2).val).toBe(4);
    expect(kthFromEnd(fromArray([1, 2, 3, 4, 5]), 5).val).toBe(1);
    expect(toArray(removeKthFromEnd(fromArray([1, 2, 3, 4, 5]), 2))).toEqual([1, 2, 3, 5]);
    expect(removeKthFromEnd(fromArray([1]), 1)).toBeNull();
    expect(toArray(removeKthFromEnd(fromArray([1, 2]), 2))).toEqual([2]);
  });
});

describe('oracles: answers read off the array of original nodes', () => {
  it('deleteNode removes exactly one value, any node but the tail', () => {
    fc.assert(deleteNodeRemovesOne(deleteNode), { seed: 3, numRuns: 200 });
  });

  it('deleteByValue keeps exactly the other nodes, in order, by identity', () => {
    fc.assert(deleteByValueKeepsTheOthers(deleteByValue), { seed: 3, numRuns: 300 });
  });

  it('middleNode is node floor(n / 2) (LeetCode 876)', () => {
    fc.assert(
      middleIsNodeHalfN((head) => middleNode(head)),
      { seed: 3, numRuns: 200 },
    );
  });

  test.prop([listValues(60)], { numRuns: 100 })(
    'firstMiddleNode is node floor((n - 1) / 2)',
    (xs) => {
      const head = fromArray(xs);
      expect(firstMiddleNode(head)).toBe(nodesOf(head)[Math.floor((xs.length - 1) / 2)] ?? null);
    },
  );

  test.prop([listValues(60), fc.constantFrom('first' as const, 'second' as const)], {
    numRuns: 100,
  })('middleNodeCounted is the same node as middleNode / firstMiddleNode', (xs, middle) => {
    const head = fromArray(xs);
    expect(middleNodeCounted(head, middle)).toBe(
      middle === 'second' ? middleNode(head) : firstMiddleNode(head),
    );
  });

  it('cycleEntry (Floyd) is the node the tail links to, or null', () => {
    fc.assert(
      entryIsTheLinkedNode((head) => cycleEntry(head)),
      { seed: 3, numRuns: 300 },
    );
  });

  it('cycleEntryWithSet agrees', () => {
    fc.assert(
      entryIsTheLinkedNode((head) => cycleEntryWithSet(head)),
      { seed: 3, numRuns: 200 },
    );
  });

  it('cycleEntryCounted agrees', () => {
    fc.assert(
      entryIsTheLinkedNode((head) => cycleEntryCounted(head)),
      { seed: 3, numRuns: 200 },
    );
  });

  test.prop([cyclicCase], { numRuns: 200 })('hasCycle iff pos >= 0', ({ xs, pos }) => {
    expect(hasCycle(withCycle(xs, pos).head)).toBe(pos >= 0);
  });

  it('kthFromEnd(head, k) is node n - k', () => {
    fc.assert(
      kthIsNodeNMinusK((head, k) => kthFromEnd(head, k)),
      { seed: 3, numRuns: 300 },
    );
  });

  it('kthFromEndCounted agrees', () => {
    fc.assert(
      kthIsNodeNMinusK((head, k) => kthFromEndCounted(head, k)),
      { seed: 3, numRuns: 200 },
    );
  });

  test.prop([kCase], { numRuns: 200 })(
    'removeKthFromEnd unlinks node n - k and keeps the others',
    ({ xs, k }) => {
      const head = fromArray(xs);
      const before = nodesOf(head);
      expectSameNodes(
        nodesOf(removeKthFromEnd(head, k)),
        before.filter((_, i) => i !== xs.length - k),
      );
    },
  );
});

describe('complexity: pointer steps counted, O(1) extra space', () => {
  test.prop([cyclicCase], { numRuns: 300 })(
    'Floyd: steps <= 3 (mu + lambda) + 2 mu <= 5n; without a cycle <= 1.5n',
    ({ xs, pos }) => {
      const n = xs.length;
      const counter = new Counter();
      cycleEntryCounted(withCycle(xs, pos).head, counter);
      const steps = counter.get('steps');
      if (pos === -1) expect(steps).toBeLessThanOrEqual(1.5 * n);
      else {
        const [mu, lambda] = [pos, n - pos];
        expect(steps).toBeLessThanOrEqual(3 * (mu + lambda) + 2 * mu);
      }
      expect(steps).toBeLessThanOrEqual(5 * n);
    },
  );

  it('10^5 nodes, cycle entering at 60,000: Floyd within 5n steps; the Set version walks n steps but holds n nodes', () => {
    const n = 100_000;
    const { head, entry } = withCycle(new Array<number>(n).fill(0), 60_000);
    const floyd = new Counter();
    const set = new Counter();
    expect(cycleEntryCounted(head, floyd)).toBe(entry);
    expect(cycleEntry(head)).toBe(entry);
    expect(cycleEntryWithSet(head, set)).toBe(entry);
    expect(floyd.get('steps')).toBeLessThanOrEqual(5 * n);
    expect(set.get('steps')).toBe(n);
  });

  test.prop([kCase], { numRuns: 100 })(
    'middle <= 1.5n steps, k-th from the end <= 2n steps',
    ({ xs, k }) => {
      const [middle, kth] = [new Counter(), new Counter()];
      middleNodeCounted(fromArray(xs), 'second', middle);
      kthFromEndCounted(fromArray(xs), k, kth);
      expect(middle.get('steps')).toBeLessThanOrEqual(1.5 * xs.length);
      expect(kth.get('steps')).toBeLessThanOrEqual(2 * xs.length);
    },
  );
});

describe('the common wrong answers are rejected by the same properties', () => {
  it("taking Floyd's meeting point for the cycle entry", () => {
    rejectsPitfall(entryIsTheLinkedNode(pitfallMeetingPointAsEntry), { seed: 3, numRuns: 300 });
    // [3, 2, 0, -4], pos 1: slow and fast meet at -4, the entry is 2
    expect(pitfallMeetingPointAsEntry(withCycle([3, 2, 0, -4], 1).head)?.val).toBe(-4);
  });

  it('the first middle where LeetCode 876 asks for the second (they differ for even n)', () => {
    rejectsPitfall(middleIsNodeHalfN(firstMiddleNode), { seed: 3, numRuns: 200 });
  });

  it('k-th from the end off by one: the lead walks k - 1 nodes ahead', () => {
    rejectsPitfall(kthIsNodeNMinusK(pitfallKthFromEndOffByOne), { seed: 3, numRuns: 300 });
    expect(pitfallKthFromEndOffByOne(fromArray([1, 2, 3, 4, 5]), 2)?.val).toBe(5);
  });

  it('delete by value that always advances after a deletion (it skips the node after each deleted one)', () => {
    rejectsPitfall(deleteByValueKeepsTheOthers(pitfallDeleteByValueAdvancing), {
      seed: 3,
      numRuns: 300,
    });
    expect(toArray(pitfallDeleteByValueAdvancing(fromArray([1, 7, 7, 2]), 7))).toEqual([1, 7, 2]);
  });

  it('"deleting" by reassigning the parameter (node = node.next) changes nothing in the list', () => {
    rejectsPitfall(deleteNodeRemovesOne(pitfallDeleteByReassigning), { seed: 3, numRuns: 50 });
  });
});
