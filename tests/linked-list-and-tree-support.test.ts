/**
 * The shared list and tree toolkit (algorithms/support/): worked examples, round trips between the
 * array forms and the node forms on generated inputs, and bad input. The level-order arrays are
 * generated independently of the code under test: values are laid out slot by slot, each non-null
 * value opening two child slots, which yields exactly the canonical LeetCode arrays.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { ArgumentError, ArgumentTypeError } from '../core/errors.js';
import { fromLevelOrder, height, leftComb, size, toLevelOrder, TreeNode } from '../algorithms/support/binary-tree.js';
import { fromArray, ListNode, nodesOf, toArray, withCycle } from '../algorithms/support/linked-list.js';
import { levelOrderArray } from './support/lists-and-trees.js';

describe('worked examples', () => {
  it('fromArray([1, 2, 3]) links 1 -> 2 -> 3 -> null; [] is null', () => {
    const head = fromArray([1, 2, 3]);
    expect(head?.val).toBe(1);
    expect(head?.next?.next?.val).toBe(3);
    expect(head?.next?.next?.next).toBeNull();
    expect(fromArray([])).toBeNull();
    expect(toArray(null)).toEqual([]);
  });

  it('withCycle([3, 2, 0, -4], 1): the tail -4 links back to the node holding 2', () => {
    const { head, nodes, entry } = withCycle([3, 2, 0, -4], 1);
    expect(entry).toBe(nodes[1]);
    expect(nodes[3]?.next).toBe(entry);
    expect(head).toBe(nodes[0]);
    expect(withCycle([1, 2], -1).entry).toBeNull();
  });

  it('[1, 2, 3, null, 5, null, 4]: 2 has only a right child 5, 3 only a right child 4', () => {
    const root = fromLevelOrder([1, 2, 3, null, 5, null, 4]) as TreeNode;
    expect(root.left?.val).toBe(2);
    expect(root.left?.left).toBeNull();
    expect(root.left?.right?.val).toBe(5);
    expect(root.right?.right?.val).toBe(4);
    expect(height(root)).toBe(3);
    expect(size(root)).toBe(5);
  });

  it('children of missing nodes are not listed: [1, null, 2, 3] is 1 -> right 2 -> left 3', () => {
    const root = fromLevelOrder([1, null, 2, 3]) as TreeNode;
    expect(root.right?.left?.val).toBe(3);
    expect(toLevelOrder(root)).toEqual([1, null, 2, 3]);
  });

  it('[] and [null] are the empty tree; trailing nulls are dropped when writing back', () => {
    expect(fromLevelOrder([])).toBeNull();
    expect(fromLevelOrder([null])).toBeNull();
    expect(toLevelOrder(fromLevelOrder([1, 2, null, null, null]))).toEqual([1, 2]);
    expect(height(null)).toBe(0);
  });

  it('leftComb(h): a left spine with a right leaf per level, 2h - 1 nodes in h levels', () => {
    expect(leftComb(0)).toEqual([]);
    expect(leftComb(3)).toEqual([0, 1, 2, 3, 4, null, null]);
    const root = fromLevelOrder(leftComb(50));
    expect([size(root), height(root)]).toEqual([99, 50]);
    expect(root?.left?.left?.val).toBe(3);
    expect(root?.left?.right?.val).toBe(4);
  });
});

describe('round trips', () => {
  test.prop([fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 60 })], { numRuns: 200 })(
    'toArray(fromArray(xs)) = xs, with n distinct fresh nodes',
    (xs) => {
      const head = fromArray(xs);
      expect(toArray(head)).toEqual(xs);
      expect(new Set(nodesOf(head)).size).toBe(xs.length);
    },
  );

  test.prop([levelOrderArray()], { numRuns: 300 })('toLevelOrder(fromLevelOrder(a)) = a for every canonical level-order array', (a) => {
    expect(toLevelOrder(fromLevelOrder(a))).toEqual(a);
  });

  test.prop([levelOrderArray()], { numRuns: 200 })('the tree has one node per non-null value', (a) => {
    expect(size(fromLevelOrder(a))).toBe(a.filter((v) => v !== null).length);
  });

  test.prop([fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 30 }), fc.nat()], { numRuns: 200 })(
    'withCycle(xs, pos): walking n steps from the head comes back to the entry, for every pos',
    (xs, p) => {
      const pos = p % xs.length;
      const { head, entry } = withCycle(xs, pos);
      let node = head;
      for (let i = 0; i < xs.length; i++) node = node?.next ?? null;
      expect(node).toBe(entry);
      expect(() => toArray(head)).toThrow(ArgumentError);
    },
  );
});

describe('bad input gets a typed error naming the argument', () => {
  it('lists: not an array, NaN, a bad pos, a head that is not a node, a cycle', () => {
    expect(() => fromArray('123' as unknown as number[])).toThrow(ArgumentTypeError);
    expect(() => fromArray([1, Number.NaN])).toThrow('values[1]: got NaN, expected a finite number');
    expect(() => withCycle([1, 2], 2)).toThrow('pos: got 2, expected an integer in [-1, 1]');
    expect(() => toArray({ val: 1, next: null } as unknown as ListNode)).toThrow(/^head: got .*, expected a ListNode or null \(the empty list\)$/);
    expect(() => toArray(withCycle([1, 2, 3], 0).head)).toThrow('head: got a list with a cycle, expected an acyclic list (node 0 is reached twice, after 3 nodes)');
  });

  it('trees: not an array, NaN, a value with no parent, nodes after a null root, a shared node', () => {
    expect(() => fromLevelOrder({} as unknown as number[])).toThrow(ArgumentTypeError);
    expect(() => fromLevelOrder([1, Number.NaN])).toThrow('values[1]: got NaN, expected a finite number or null');
    expect(() => fromLevelOrder([1, '2' as unknown as number])).toThrow('values[1]: got "2", expected a finite number or null');
    expect(() => fromLevelOrder([1, null, null, 2])).toThrow(/values\[3\]: got 2, expected null or nothing/);
    expect(() => fromLevelOrder([null, 1])).toThrow('values: got an array of length 2, expected nothing after a null root');
    const shared = new TreeNode(2);
    expect(() => toLevelOrder(new TreeNode(1, shared, shared))).toThrow('root: got a graph with a shared node, expected a tree');
    expect(() => height([1] as unknown as TreeNode)).toThrow(ArgumentTypeError);
  });
});
