/**
 * Input checks of the right side view (algorithms/right-side-view.ts): a root that is not a tree,
 * a tree of junk nodes, or a "tree" with a shared node or a link back up is rejected at entry.
 */
import { describe } from 'vitest';
import {
  pitfallLeftFirstDfs,
  pitfallRightChildrenOnly,
  rightSideView,
  rightSideViewBfs,
  rightSideViewDfs,
  rightSideViewPerDepth,
} from '../../algorithms/right-side-view.js';
import { fromLevelOrder, TreeNode } from '../../algorithms/support/binary-tree.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const backLink = () => {
  const root = new TreeNode(1, new TreeNode(2), new TreeNode(3));
  (root.right as TreeNode).left = root; // a cycle: BFS would never end
  return root;
};
const shared = () => {
  const child = new TreeNode(2);
  return new TreeNode(1, child, child);
};

const views = {
  rightSideView,
  rightSideViewBfs: (r: TreeNode | null) => rightSideViewBfs(r),
  rightSideViewDfs: (r: TreeNode | null) => rightSideViewDfs(r),
  rightSideViewPerDepth: (r: TreeNode | null) => rightSideViewPerDepth(r),
  pitfallRightChildrenOnly,
  pitfallLeftFirstDfs,
};
for (const [name, view] of Object.entries(views)) {
  describe(name, () => {
    badCalls([
      ['an array', () => view(junk([1, 2, 3])), 'root', ArgumentTypeError],
      ['undefined', () => view(junk(undefined)), 'root', ArgumentTypeError],
      [
        'a plain object shaped like a node',
        () => view(junk({ val: 1, left: null, right: null })),
        'root',
        ArgumentTypeError,
      ],
      [
        'a TreeNode with a junk child',
        () => view(new TreeNode(1, junk({}))),
        'root',
        ArgumentTypeError,
      ],
      ['a TreeNode holding NaN', () => view(new TreeNode(Number.NaN)), 'root'],
      ['a link back to the root', () => view(backLink()), 'root'],
      ['a shared node', () => view(shared()), 'root'],
    ]);
  });
}

describe('counters and level-order arrays', () => {
  badCalls([
    [
      'a counter that is not a Counter',
      () => rightSideViewBfs(null, junk({ visits: 0 })),
      'counter',
      ArgumentTypeError,
    ],
    ['DFS: a bad counter', () => rightSideViewDfs(null, junk([])), 'counter', ArgumentTypeError],
    [
      'per depth: a bad counter',
      () => rightSideViewPerDepth(null, junk(1)),
      'counter',
      ArgumentTypeError,
    ],
    [
      'NaN values are rejected when the tree is built',
      () => rightSideView(fromLevelOrder([1, Number.NaN])),
      'values[1]',
    ],
    [
      'a value without a parent',
      () => rightSideView(fromLevelOrder([1, null, null, 4])),
      'values[3]',
    ],
  ]);
});
