/**
 * Answer key for Q08, deleting list nodes and fast/slow pointers. Read top-down: worked examples
 * (LeetCode 237, 203, 876, 141/142, 19, 剑指 Offer 22); oracle properties where the answer is read
 * off an array of the original nodes (node identity, not just values), with cycles built by linking
 * the tail to a chosen index; Floyd's pointer steps counted against 3 (mu + lambda) + 2 mu <= 5n;
 * the common wrong answers rejected by the same properties; bad input, including the tail in
 * deleteNode and cyclic lists that would otherwise hang.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  cycleEntry,
  cycleEntryMeetingPointVariant,
  cycleEntryWithSet,
  deleteByValue,
  deleteNode,
  hasCycle,
  kthFromEnd,
  kthFromEndOffByOneVariant,
  middleNode,
  removeKthFromEnd,
} from '../algorithms/linked-list-pointers.js';
import { fromArray, ListNode, nodesOf, toArray, withCycle } from '../algorithms/support/linked-list.js';
import { ArgumentError, ArgumentTypeError } from '../core/errors.js';
import { listValues } from './support/lists-and-trees.js';

/** A list of 1..60 values with a tail link to index pos in [-1, n - 1] (-1: no cycle). */
const cyclicCase = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 60 }), fc.nat())
  .map(([xs, p]) => ({ xs, pos: (p % (xs.length + 1)) - 1 }));

/** A non-empty list and a k in [1, n]. */
const kCase = fc.tuple(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 60 }), fc.nat()).map(([xs, p]) => ({ xs, k: (p % xs.length) + 1 }));

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

const deleteByValueKeepsTheOthers = (remove: (head: ListNode | null, value: number) => ListNode | null) =>
  fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 }), fc.integer({ min: 0, max: 3 }), (xs, value) => {
    const head = fromArray(xs);
    const kept = nodesOf(head).filter((node) => node.val !== value);
    expectSameNodes(nodesOf(remove(head, value)), kept);
  });

const deleteNodeRemovesOne = (remove: (node: ListNode) => void) =>
  fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 2, maxLength: 40 }), fc.nat(), (xs, p) => {
    const i = p % (xs.length - 1); // any node but the tail
    const head = fromArray(xs);
    const before = nodesOf(head);
    remove(before[i] as ListNode);
    expect(toArray(head)).toEqual([...xs.slice(0, i), ...xs.slice(i + 1)]);
    // node i survives holding its successor's value; the successor OBJECT is the one unlinked
    expectSameNodes(nodesOf(head), before.filter((_, j) => j !== i + 1));
  });

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
    expect(middleNode(fromArray([1, 2, 3, 4, 5, 6]), 'first')?.val).toBe(3);
    expect(middleNode(fromArray([1, 2, 3, 4, 5]), 'first')?.val).toBe(3);
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
    fc.assert(middleIsNodeHalfN((head) => middleNode(head)), { seed: 3, numRuns: 200 });
  });

  test.prop([listValues(60)], { numRuns: 100 })("middleNode(head, 'first') is node floor((n - 1) / 2)", (xs) => {
    const head = fromArray(xs);
    expect(middleNode(head, 'first')).toBe(nodesOf(head)[Math.floor((xs.length - 1) / 2)] ?? null);
  });

  it('cycleEntry (Floyd) is the node the tail links to, or null', () => {
    fc.assert(entryIsTheLinkedNode((head) => cycleEntry(head)), { seed: 3, numRuns: 300 });
  });

  it('cycleEntryWithSet agrees', () => {
    fc.assert(entryIsTheLinkedNode((head) => cycleEntryWithSet(head)), { seed: 3, numRuns: 200 });
  });

  test.prop([cyclicCase], { numRuns: 200 })('hasCycle iff pos >= 0', ({ xs, pos }) => {
    expect(hasCycle(withCycle(xs, pos).head)).toBe(pos >= 0);
  });

  it('kthFromEnd(head, k) is node n - k', () => {
    fc.assert(kthIsNodeNMinusK((head, k) => kthFromEnd(head, k)), { seed: 3, numRuns: 300 });
  });

  test.prop([kCase], { numRuns: 200 })('removeKthFromEnd unlinks node n - k and keeps the others', ({ xs, k }) => {
    const head = fromArray(xs);
    const before = nodesOf(head);
    expectSameNodes(nodesOf(removeKthFromEnd(head, k)), before.filter((_, i) => i !== xs.length - k));
  });
});

describe('complexity: pointer steps counted, O(1) extra space', () => {
  test.prop([cyclicCase], { numRuns: 300 })('Floyd: steps <= 3 (mu + lambda) + 2 mu <= 5n; without a cycle <= 1.5n', ({ xs, pos }) => {
    const n = xs.length;
    const counter = { steps: 0 };
    cycleEntry(withCycle(xs, pos).head, counter);
    if (pos === -1) expect(counter.steps).toBeLessThanOrEqual(1.5 * n);
    else {
      const [mu, lambda] = [pos, n - pos];
      expect(counter.steps).toBeLessThanOrEqual(3 * (mu + lambda) + 2 * mu);
    }
    expect(counter.steps).toBeLessThanOrEqual(5 * n);
  });

  it('10^5 nodes, cycle entering at 60,000: Floyd within 5n steps; the Set version walks n steps but holds n nodes', () => {
    const n = 100_000;
    const { head, entry } = withCycle(new Array<number>(n).fill(0), 60_000);
    const floyd = { steps: 0 };
    const set = { steps: 0 };
    expect(cycleEntry(head, floyd)).toBe(entry);
    expect(cycleEntryWithSet(head, set)).toBe(entry);
    expect(floyd.steps).toBeLessThanOrEqual(5 * n);
    expect(set.steps).toBe(n);
  });

  test.prop([kCase], { numRuns: 100 })('middle <= 1.5n steps, k-th from the end <= 2n steps', ({ xs, k }) => {
    const [middle, kth] = [{ steps: 0 }, { steps: 0 }];
    middleNode(fromArray(xs), 'second', middle);
    kthFromEnd(fromArray(xs), k, kth);
    expect(middle.steps).toBeLessThanOrEqual(1.5 * xs.length);
    expect(kth.steps).toBeLessThanOrEqual(2 * xs.length);
  });
});

describe('the common wrong answers are rejected by the same properties', () => {
  it("taking Floyd's meeting point for the cycle entry", () => {
    expect(() => fc.assert(entryIsTheLinkedNode(cycleEntryMeetingPointVariant), { seed: 3, numRuns: 300 })).toThrow();
    // [3, 2, 0, -4], pos 1: slow and fast meet at -4, the entry is 2
    expect(cycleEntryMeetingPointVariant(withCycle([3, 2, 0, -4], 1).head)?.val).toBe(-4);
  });

  it('the first middle where LeetCode 876 asks for the second (they differ for even n)', () => {
    expect(() => fc.assert(middleIsNodeHalfN((head) => middleNode(head, 'first')), { seed: 3, numRuns: 200 })).toThrow();
  });

  it('k-th from the end off by one: the lead walks k - 1 nodes ahead', () => {
    expect(() => fc.assert(kthIsNodeNMinusK(kthFromEndOffByOneVariant), { seed: 3, numRuns: 300 })).toThrow();
    expect(kthFromEndOffByOneVariant(fromArray([1, 2, 3, 4, 5]), 2)?.val).toBe(5);
  });

  it('delete by value that always advances after a deletion (it skips the node after each deleted one)', () => {
    const advancesAfterDelete = (head: ListNode | null, value: number) => {
      const sentinel = new ListNode(0, head);
      for (let p: ListNode | null = sentinel; p !== null && p.next !== null; p = p.next) if (p.next.val === value) p.next = p.next.next;
      return sentinel.next;
    };
    expect(() => fc.assert(deleteByValueKeepsTheOthers(advancesAfterDelete), { seed: 3, numRuns: 300 })).toThrow();
    expect(toArray(advancesAfterDelete(fromArray([1, 7, 7, 2]), 7))).toEqual([1, 7, 2]);
  });

  it('"deleting" by reassigning the parameter (node = node.next) changes nothing in the list', () => {
    const reassigns = (node: ListNode) => {
      node = node.next as ListNode; // the caller's list is untouched
      void node;
    };
    expect(() => fc.assert(deleteNodeRemovesOne(reassigns), { seed: 3, numRuns: 50 })).toThrow();
  });
});

describe('bad input gets a typed error naming the argument', () => {
  it('deleteNode: the tail cannot be deleted given only itself; null is not a node', () => {
    const head = fromArray([1, 2, 3]);
    const tail = nodesOf(head)[2]!;
    expect(() => deleteNode(tail)).toThrow(ArgumentError);
    expect(() => deleteNode(tail)).toThrow('node: got the tail node, expected a node that is not the tail: with only the node in hand, the tail cannot be deleted');
    expect(toArray(head)).toEqual([1, 2, 3]);
    expect(() => deleteNode(null as unknown as ListNode)).toThrow('node: got null, expected the ListNode to delete');
    expect(() => deleteNode(withCycle([5], 0).head!)).toThrow('node: got a node linked to itself');
  });

  it('k must be an integer in [1, n]', () => {
    const head = fromArray([1, 2, 3]);
    expect(() => kthFromEnd(head, 0)).toThrow('k: got 0, expected an integer >= 1');
    expect(() => kthFromEnd(head, 1.5)).toThrow('k: got 1.5');
    expect(() => kthFromEnd(head, 4)).toThrow('k: got 4, expected an integer in [1, 3] (the list has 3 nodes)');
    expect(() => kthFromEnd(null, 1)).toThrow('k: got 1, expected an integer in [1, 0] (the list has 0 nodes)');
    expect(() => removeKthFromEnd(head, 4)).toThrow('k: got 4, expected an integer in [1, 3] (the list has 3 nodes)');
    expect(() => kthFromEnd(head, Number.NaN)).toThrow(ArgumentError);
  });

  it('NaN or non-numeric value to delete; a head that is not a node; an unknown middle', () => {
    expect(() => deleteByValue(fromArray([1]), Number.NaN)).toThrow('value: got NaN, expected a finite number');
    expect(() => deleteByValue(fromArray([1]), '1' as unknown as number)).toThrow(ArgumentTypeError);
    expect(() => hasCycle([1, 2] as unknown as ListNode)).toThrow('head: got an array of length 2, expected a ListNode or null');
    expect(() => middleNode(fromArray([1]), 'third' as 'first')).toThrow("middle: got \"third\", expected 'first' or 'second'");
  });

  it('a cyclic list is an error, never a hang, wherever the walk must reach the end', () => {
    const cyclic = () => withCycle([1, 2, 3, 4, 5], 2).head;
    const message = 'head: got a list with a cycle, expected an acyclic list';
    expect(() => middleNode(cyclic())).toThrow(message);
    expect(() => middleNode(cyclic(), 'first')).toThrow(message);
    expect(() => kthFromEnd(cyclic(), 1)).toThrow(message);
    expect(() => removeKthFromEnd(cyclic(), 1)).toThrow(message);
    expect(() => deleteByValue(cyclic(), 3)).toThrow(message);
  });
});
