/**
 * Binary tree right side view (LeetCode 199): the value of the rightmost node of every level, top
 * to bottom, i.e. what you see standing to the right of the tree.
 * Answers: Q07 (二叉树右视图).
 *
 * The idea in two lines: the node you see at depth d is the LAST node of level d in level order.
 * BFS reads level by level and keeps each level's last node; DFS visits the right child before the
 * left one and keeps the first node it meets at each new depth.
 *
 * Not "follow the right children": a deeper left subtree shows through below a short right side
 * ([1, 2, 3, 4] shows 1, 3, 4). `rightChildrenOnlyVariant` keeps that wrong answer for the tests.
 *
 * Complexity: both O(n) time, each node visited once. Extra space: BFS holds one level, up to
 * about n / 2 nodes for a complete tree; DFS holds O(h) stack entries (h = number of levels), up
 * to n for a path. The DFS here uses an explicit stack, so a path of 10^6 nodes does not overflow
 * the call stack. `rightSideViewPerDepth` is the naive "for each depth, search for the rightmost
 * node" answer: O(n h) time, Theta(n^2) on a long comb.
 *
 * @example
 *   rightSideView(fromLevelOrder([1, 2, 3, null, 5, null, 4]))         // [1, 3, 4]
 *   rightSideView(fromLevelOrder([1, 2, 3, 4]), 'dfs')                  // [1, 3, 4]
 */
import { ArgumentError } from '../core/errors.js';
import { assertTreeRoot, height, TreeNode } from './support/binary-tree.js';

/** What a traversal did: nodes visited, and the largest queue or stack it held (its extra memory). */
export interface TraversalStats {
  visits: number;
  maxFrontier: number;
}

const unrecorded = (): TraversalStats => ({ visits: 0, maxFrontier: 0 });

/** BFS by level: the last node dequeued in each level is the one seen from the right. */
export function rightSideViewBfs(root: TreeNode | null, stats: TraversalStats = unrecorded()): number[] {
  assertTreeRoot('root', root);
  const view: number[] = [];
  // One level at a time: `level` holds every node of the current depth, left to right.
  let level: TreeNode[] = root ? [root] : [];
  while (level.length > 0) {
    stats.maxFrontier = Math.max(stats.maxFrontier, level.length);
    stats.visits += level.length;
    view.push((level[level.length - 1] as TreeNode).val);
    const next: TreeNode[] = [];
    for (const node of level) {
      if (node.left) next.push(node.left);
      if (node.right) next.push(node.right);
    }
    level = next;
  }
  return view;
}

/**
 * DFS, right child first: the first node reached at depth d is the rightmost of level d, because
 * every node of depth d to its right would have been reached earlier.
 */
export function rightSideViewDfs(root: TreeNode | null, stats: TraversalStats = unrecorded()): number[] {
  assertTreeRoot('root', root);
  const view: number[] = [];
  const stack: [TreeNode, number][] = root ? [[root, 0]] : [];
  while (stack.length > 0) {
    stats.maxFrontier = Math.max(stats.maxFrontier, stack.length);
    const [node, depth] = stack.pop() as [TreeNode, number];
    stats.visits++;
    if (depth === view.length) view.push(node.val); // first visit to this depth
    // Push left first so that right is popped (visited) first.
    if (node.left) stack.push([node.left, depth + 1]);
    if (node.right) stack.push([node.right, depth + 1]);
  }
  return view;
}

export type Traversal = 'bfs' | 'dfs';

/** The right side view, by BFS (default) or right-first DFS. */
export function rightSideView(root: TreeNode | null, traversal: Traversal = 'bfs', stats: TraversalStats = unrecorded()): number[] {
  if (traversal === 'bfs') return rightSideViewBfs(root, stats);
  if (traversal === 'dfs') return rightSideViewDfs(root, stats);
  throw new ArgumentError('traversal', traversal, "'bfs' or 'dfs'");
}

/**
 * The naive answer: for each depth d, a right-first search from the root for the first node at
 * depth d. Correct, but every depth starts again from the root: O(n h) visits.
 */
export function rightSideViewPerDepth(root: TreeNode | null, stats: TraversalStats = unrecorded()): number[] {
  const levels = height(root);
  const view: number[] = [];
  for (let d = 0; d < levels; d++) {
    const stack: [TreeNode, number][] = [[root as TreeNode, 0]];
    while (stack.length > 0) {
      const [node, depth] = stack.pop() as [TreeNode, number];
      stats.visits++;
      if (depth === d) {
        view.push(node.val);
        break;
      }
      if (node.left) stack.push([node.left, depth + 1]);
      if (node.right) stack.push([node.right, depth + 1]);
    }
  }
  return view;
}

/** WRONG, kept as the common mistake: walks right children only, missing deeper left subtrees. */
export function rightChildrenOnlyVariant(root: TreeNode | null): number[] {
  const view: number[] = [];
  for (let node = root; node !== null; node = node.right) view.push(node.val);
  return view;
}
