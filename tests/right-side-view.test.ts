/**
 * Answer key for Q07, binary tree right side view (LeetCode 199). Read top-down: worked examples
 * from LeetCode level-order arrays; the oracle (the last node of each level, computed by a
 * recursive left-to-right walk that records every node's depth) against BFS, right-first DFS and
 * the naive per-depth search; invariants; visits and queue / stack sizes as counted bounds; the
 * "follow right children" and left-first DFS answers (pitfall*) rejected by the same property.
 * Input checks: tests/inputs/right-side-view.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  pitfallLeftFirstDfs,
  pitfallRightChildrenOnly,
  rightSideView,
  rightSideViewBfs,
  rightSideViewDfs,
  rightSideViewPerDepth,
} from '../algorithms/right-side-view.js';
import {
  fromLevelOrder,
  height,
  leftComb,
  size,
  TreeNode,
  type LevelOrder,
} from '../algorithms/support/binary-tree.js';
import { Counter } from '../core/counter.js';
import { rejectsPitfall } from './support/answer-key.js';
import { levelOrderArray } from './support/lists-and-trees.js';

type View = (root: TreeNode | null) => number[];

/** The values of each level, left to right, from a recursive left-then-right walk with depths. */
function levelsOf(root: TreeNode | null): number[][] {
  const levels: number[][] = [];
  const walk = (node: TreeNode | null, depth: number) => {
    if (node === null) return;
    (levels[depth] ??= []).push(node.val);
    walk(node.left, depth + 1);
    walk(node.right, depth + 1);
  };
  walk(root, 0);
  return levels;
}

/** The oracle: the last node of each level. */
const lastOfEachLevel = (root: TreeNode | null) =>
  levelsOf(root).map((level) => level[level.length - 1] as number);

/** Trees with a null only every 2nd slot on average, and sparser ones (longer, lopsided paths). */
const trees = fc.oneof(
  levelOrderArray({ maxLength: 60, nullFreq: 2 }),
  levelOrderArray({ maxLength: 60, nullFreq: 3 }),
);

const matchesOracle = (view: View) =>
  fc.property(trees, (values) => {
    const root = fromLevelOrder(values);
    expect(view(root)).toEqual(lastOfEachLevel(root));
  });

describe('worked examples (LeetCode 199)', () => {
  it.each<[LevelOrder, number[]]>([
    [
      [1, 2, 3, null, 5, null, 4],
      [1, 3, 4],
    ],
    [
      [1, null, 3],
      [1, 3],
    ],
    [[], []],
    [
      [1, 2, 3, 4],
      [1, 3, 4],
    ],
    [
      [1, 2, 3, null, 5],
      [1, 3, 5],
    ],
    [
      [1, 2],
      [1, 2],
    ],
  ])('%j -> %j, by BFS and by DFS', (values, expected) => {
    expect(rightSideView(fromLevelOrder(values))).toEqual(expected);
    expect(rightSideViewBfs(fromLevelOrder(values))).toEqual(expected);
    expect(rightSideViewDfs(fromLevelOrder(values))).toEqual(expected);
  });

  it('[1, 2, 3, 4]: the left subtree is deeper, so 4 shows under 3; following right children stops at [1, 3]', () => {
    expect(rightSideView(fromLevelOrder([1, 2, 3, 4]))).toEqual([1, 3, 4]);
    expect(pitfallRightChildrenOnly(fromLevelOrder([1, 2, 3, 4]))).toEqual([1, 3]);
  });
});

describe('oracle: the last node of each level', () => {
  it('BFS by level (the textbook rightSideView)', () => {
    fc.assert(matchesOracle(rightSideView), { seed: 7, numRuns: 300 });
  });

  it('BFS, counted', () => {
    fc.assert(
      matchesOracle((root) => rightSideViewBfs(root)),
      { seed: 7, numRuns: 200 },
    );
  });

  it('DFS, right child first', () => {
    fc.assert(
      matchesOracle((root) => rightSideViewDfs(root)),
      { seed: 7, numRuns: 300 },
    );
  });

  it('the naive per-depth search', () => {
    fc.assert(
      matchesOracle((root) => rightSideViewPerDepth(root)),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('invariants', () => {
  test.prop([trees], { numRuns: 200 })(
    'one value per level; the first is the root; every value is a node of the tree',
    (values) => {
      const root = fromLevelOrder(values);
      const view = rightSideView(root);
      expect(view).toHaveLength(height(root));
      if (root) expect(view[0]).toBe(root.val);
      for (const v of view) expect(values).toContain(v);
    },
  );

  test.prop([trees], { numRuns: 200 })(
    'mirroring the tree turns the right side view into the left side view (the first node of each level)',
    (values) => {
      const mirror = (node: TreeNode | null): TreeNode | null =>
        node ? new TreeNode(node.val, mirror(node.right), mirror(node.left)) : null;
      const root = fromLevelOrder(values);
      const firstOfEachLevel = lastOfEachLevel(mirror(root));
      expect(rightSideView(mirror(root))).toEqual(firstOfEachLevel);
      // and that is the first node of each level of the original
      expect(firstOfEachLevel).toEqual(levelsOf(root).map((level) => level[0]));
    },
  );
});

describe('complexity, counted: n visits each; BFS holds one level, DFS at most h stack entries', () => {
  test.prop([trees], { numRuns: 200 })(
    'visits = n for BFS and DFS; BFS frontier <= widest level; DFS stack <= max(1, h)',
    (values) => {
      const root = fromLevelOrder(values);
      const n = size(root);
      const h = height(root);
      const [bfs, dfs] = [new Counter(), new Counter()];
      rightSideViewBfs(root, bfs);
      rightSideViewDfs(root, dfs);
      expect(bfs.get('visits')).toBe(n);
      expect(dfs.get('visits')).toBe(n);
      expect(bfs.get('maxFrontier')).toBe(
        Math.max(0, ...levelsOf(root).map((level) => level.length)),
      );
      expect(dfs.get('maxFrontier')).toBeLessThanOrEqual(Math.max(1, h));
    },
  );

  it('a complete tree of 2^16 - 1 nodes: BFS holds 2^15 nodes at once, DFS at most 16', () => {
    const n = 2 ** 16 - 1;
    const root = fromLevelOrder(Array.from({ length: n }, (_, i) => i));
    const [bfs, dfs] = [new Counter(), new Counter()];
    expect(rightSideViewDfs(root, dfs)).toEqual(rightSideViewBfs(root, bfs));
    expect(bfs.get('maxFrontier')).toBe(2 ** 15);
    expect(dfs.get('maxFrontier')).toBeLessThanOrEqual(16);
  });

  it('a path of 10^5 nodes does not overflow the stack (the DFS is iterative)', () => {
    const values: (number | null)[] = [0];
    for (let i = 1; i < 100_000; i++) values.push(i, null);
    const root = fromLevelOrder(values);
    expect(rightSideViewDfs(root)).toHaveLength(100_000);
    expect(rightSideViewDfs(root).at(-1)).toBe(99_999);
  });

  it('the naive per-depth search on a left comb of h levels visits Theta(h^2) nodes, BFS 2h - 1', () => {
    for (const spine of [100, 400]) {
      const root = fromLevelOrder(leftComb(spine));
      const [naive, bfs] = [new Counter(), new Counter()];
      expect(rightSideViewPerDepth(root, naive)).toEqual(rightSideViewBfs(root, bfs));
      expect(bfs.get('visits')).toBe(2 * spine - 1);
      expect(naive.get('visits')).toBeGreaterThanOrEqual((spine * spine) / 2);
    }
  });
});

describe('the common wrong answers are rejected by the same property', () => {
  it('"follow right children only" fails as soon as a left subtree is deeper than the right one', () => {
    rejectsPitfall(matchesOracle(pitfallRightChildrenOnly), { seed: 7, numRuns: 300 });
    expect(pitfallRightChildrenOnly(fromLevelOrder(leftComb(5)))).toEqual([0, 2]);
    expect(rightSideView(fromLevelOrder(leftComb(5)))).toEqual([0, 2, 4, 6, 8]);
  });

  it('a DFS that visits the left child first keeps the first node per depth: the left view', () => {
    rejectsPitfall(matchesOracle(pitfallLeftFirstDfs), { seed: 7, numRuns: 300 });
    expect(pitfallLeftFirstDfs(fromLevelOrder([1, 2, 3, null, 5, null, 4]))).toEqual([1, 2, 5]);
  });
});
