/**
 * Binary tree right side view (LeetCode 199): the value of the rightmost node of every level, top
 * to bottom, i.e. what you see standing to the right of the tree.
 * Answers: Q07 (二叉树右视图).
 *
 * The idea in two lines: the node you see at depth d is the LAST node of level d in level order.
 * BFS reads level by level and keeps each level's last node (`rightSideView`, the textbook); DFS
 * visits the right child before the left one and keeps the first node it meets at each new depth
 * (`rightSideViewDfs`).
 *
 * Not "follow the right children": a deeper left subtree shows through below a short right side
 * ([1, 2, 3, 4] shows 1, 3, 4). That and a left-first DFS (which gives the LEFT view) are kept at
 * the end as `pitfall*`.
 *
 * Complexity: both O(n) time, each node visited once. Extra space: BFS holds one level, up to
 * about n / 2 nodes for a complete tree; DFS holds O(h) stack entries (h = number of levels), up
 * to n for a path. The DFS here uses an explicit stack, so a path of 10^6 nodes does not overflow
 * the call stack. `rightSideViewPerDepth` is the naive "for each depth, search for the rightmost
 * node" answer: correct, but O(n h) time, Theta(n^2) on a long comb. The counted versions add
 * 'visits' and 'maxFrontier' (the largest queue or stack held) to a Counter. Every entry checks
 * the whole tree once (TreeNodes, finite values, no node reached twice).
 *
 * @example
 *   rightSideView(fromLevelOrder([1, 2, 3, null, 5, null, 4]))   // [1, 3, 4]
 *   rightSideViewDfs(fromLevelOrder([1, 2, 3, 4]))                // [1, 3, 4]
 */
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import { assertTree, height, TreeNode } from './support/binary-tree.js';

/** BFS by level: the last node of each level is the one seen from the right. */
export function rightSideView(root: TreeNode | null): number[] {
  assertTree('root', root);
  const view: number[] = [];
  // One level at a time: `level` holds every node of the current depth, left to right.
  let level: TreeNode[] = root ? [root] : [];
  while (level.length > 0) {
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

/** A Counter keeps sums: record a maximum by adding how much it grew. */
function recordMax(counter: Counter | undefined, kind: string, value: number): void {
  const sofar = counter?.get(kind) ?? 0;
  if (counter !== undefined && value > sofar) counter.add(kind, value - sofar);
}

/** rightSideView, counted: 'visits' (nodes dequeued) and 'maxFrontier' (the widest level held). */
export function rightSideViewBfs(root: TreeNode | null, counter?: Counter): number[] {
  assertTree('root', root);
  assertOptionalCounter('counter', counter);
  const view: number[] = [];
  let [visits, maxFrontier] = [0, 0];
  let level: TreeNode[] = root ? [root] : [];
  while (level.length > 0) {
    maxFrontier = Math.max(maxFrontier, level.length);
    visits += level.length;
    view.push((level[level.length - 1] as TreeNode).val);
    const next: TreeNode[] = [];
    for (const node of level) {
      if (node.left) next.push(node.left);
      if (node.right) next.push(node.right);
    }
    level = next;
  }
  counter?.add('visits', visits);
  recordMax(counter, 'maxFrontier', maxFrontier);
  return view;
}

/**
 * DFS, right child first: the first node reached at depth d is the rightmost of level d, because
 * every node of depth d to its right would have been reached earlier.
 */
export function rightSideViewDfs(root: TreeNode | null, counter?: Counter): number[] {
  assertTree('root', root);
  assertOptionalCounter('counter', counter);
  const view: number[] = [];
  let [visits, maxFrontier] = [0, 0];
  const stack: [TreeNode, number][] = root ? [[root, 0]] : [];
  while (stack.length > 0) {
    maxFrontier = Math.max(maxFrontier, stack.length);
    const [node, depth] = stack.pop() as [TreeNode, number];
    visits++;
    if (depth === view.length) view.push(node.val); // first visit to this depth
    // Push left first so that right is popped (visited) first.
    if (node.left) stack.push([node.left, depth + 1]);
    if (node.right) stack.push([node.right, depth + 1]);
  }
  counter?.add('visits', visits);
  recordMax(counter, 'maxFrontier', maxFrontier);
  return view;
}

/**
 * The naive answer: for each depth d, a right-first search from the root for the first node at
 * depth d. Correct, but every depth starts again from the root: O(n h) visits.
 */
export function rightSideViewPerDepth(root: TreeNode | null, counter?: Counter): number[] {
  assertOptionalCounter('counter', counter);
  const levels = height(root); // checks the tree
  const view: number[] = [];
  let visits = 0;
  for (let d = 0; d < levels; d++) {
    const stack: [TreeNode, number][] = [[root as TreeNode, 0]];
    while (stack.length > 0) {
      const [node, depth] = stack.pop() as [TreeNode, number];
      visits++;
      if (depth === d) {
        view.push(node.val);
        break;
      }
      if (node.left) stack.push([node.left, depth + 1]);
      if (node.right) stack.push([node.right, depth + 1]);
    }
  }
  counter?.add('visits', visits);
  return view;
}

// ---- The common wrong answers ----

/** Pitfall: follows the right children from the root instead of taking each level's last node. */
export function pitfallRightChildrenOnly(root: TreeNode | null): number[] {
  assertTree('root', root);
  const view: number[] = [];
  // Misses a deeper left subtree that shows through below a shorter right side.
  for (let node = root; node !== null; node = node.right) view.push(node.val);
  return view;
}

/** Pitfall: DFS that visits the left child first keeps the first node per depth: the LEFT view. */
export function pitfallLeftFirstDfs(root: TreeNode | null): number[] {
  assertTree('root', root);
  const view: number[] = [];
  const stack: [TreeNode, number][] = root ? [[root, 0]] : [];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [TreeNode, number];
    if (depth === view.length) view.push(node.val);
    if (node.right) stack.push([node.right, depth + 1]); // pushed first, so popped last
    if (node.left) stack.push([node.left, depth + 1]);
  }
  return view;
}
