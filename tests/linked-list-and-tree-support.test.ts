/**
 * The shared list and tree toolkit (algorithms/support/): worked examples, round trips between the
 * array forms and the node forms on generated inputs, and the whole-structure checks (a list is
 * finite and made of ListNodes, a tree has no shared node) on generated shapes. Bad input:
 * tests/inputs/linked-list-and-tree-support.test.ts. The level-order arrays are
 * generated independently of the code under test: values are laid out slot by slot, each non-null
 * value opening two child slots, which yields exactly the canonical LeetCode arrays.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { ArgumentError } from '../core/errors.js';
import {
  assertTree,
  fromLevelOrder,
  height,
  leftComb,
  size,
  toLevelOrder,
  TreeNode,
} from '../algorithms/support/binary-tree.js';
import {
  assertList,
  assertListMayCycle,
  fromArray,
  nodesOf,
  toArray,
  withCycle,
} from '../algorithms/support/linked-list.js';
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

  test.prop([levelOrderArray()], { numRuns: 300 })(
    'toLevelOrder(fromLevelOrder(a)) = a for every canonical level-order array',
    (a) => {
      expect(toLevelOrder(fromLevelOrder(a))).toEqual(a);
    },
  );

  test.prop([levelOrderArray()], { numRuns: 200 })(
    'the tree has one node per non-null value',
    (a) => {
      expect(size(fromLevelOrder(a))).toBe(a.filter((v) => v !== null).length);
    },
  );

  test.prop([fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 30 }), fc.nat()], {
    numRuns: 200,
  })(
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

describe('whole-structure checks, in one pass', () => {
  test.prop([fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 60 }), fc.nat()], {
    numRuns: 200,
  })(
    'assertList rejects exactly the lists with a cycle; assertListMayCycle accepts them all',
    (xs, p) => {
      const pos = (p % (xs.length + 1)) - 1;
      const { head } = withCycle(xs, pos);
      if (pos === -1) expect(() => assertList('head', head)).not.toThrow();
      else expect(() => assertList('head', head)).toThrow(ArgumentError);
      expect(() => assertListMayCycle('head', head)).not.toThrow();
    },
  );

  test.prop([levelOrderArray()], { numRuns: 200 })(
    'assertTree accepts every tree built from a level-order array',
    (a) => {
      expect(() => assertTree('root', fromLevelOrder(a))).not.toThrow();
    },
  );

  test.prop(
    [levelOrderArray({ maxLength: 30 }).filter((a) => a.length > 1), fc.nat(), fc.boolean()],
    { numRuns: 200 },
  )(
    'assertTree rejects a tree where some node links back to an ancestor or to another node again',
    (a, pick, left) => {
      const root = fromLevelOrder(a) as TreeNode;
      const nodes: TreeNode[] = [];
      const stack = [root];
      while (stack.length > 0) {
        const node = stack.pop() as TreeNode;
        nodes.push(node);
        for (const child of [node.left, node.right]) if (child) stack.push(child);
      }
      // A leaf gets the root as a child: a cycle (the root is reached twice).
      const leaves = nodes.filter((node) => node.left === null || node.right === null);
      const leaf = leaves[pick % leaves.length] as TreeNode;
      if (left && leaf.left === null) leaf.left = root;
      else if (leaf.right === null) leaf.right = root;
      else leaf.left = root;
      expect(() => assertTree('root', root)).toThrow(ArgumentError);
    },
  );
});
