/**
 * The binary tree shared by every tree concept (Q07 right-side-view, ...): LeetCode's `TreeNode`,
 * built from LeetCode's level-order array with nulls and read back to it.
 *
 * The array format: the root, then for each node that exists, in level order, its left and its
 * right child, null where a child is missing; children of missing nodes are not listed, and
 * trailing nulls are dropped. [1, 2, 3, null, 5, null, 4] is
 *
 *        1
 *       / \
 *      2   3
 *       \   \
 *        5   4
 *
 * @example
 *   toLevelOrder(fromLevelOrder([1, 2, 3, null, 5, null, 4]))  // [1, 2, 3, null, 5, null, 4]
 */
import { ArgumentError, ArgumentTypeError, assertArray, assertInteger } from '../../core/errors.js';

/** One node of a binary tree of numbers, as in LeetCode. */
export class TreeNode {
  constructor(
    public val: number,
    public left: TreeNode | null = null,
    public right: TreeNode | null = null,
  ) {}
}

/** A level-order array: finite numbers for nodes, null for missing children. */
export type LevelOrder = readonly (number | null)[];

/** Throws unless `root` is a TreeNode or null (the empty tree). O(1): the root only. */
export function assertTreeRoot(argument: string, root: unknown): asserts root is TreeNode | null {
  if (root !== null && !(root instanceof TreeNode)) {
    throw new ArgumentTypeError(argument, root, 'a TreeNode or null (the empty tree)');
  }
}

/**
 * Throws unless `root` is a whole tree, or null: every node a TreeNode holding a finite number,
 * every child a TreeNode or null, and no node reached twice (a shared node or a link back up would
 * make a traversal repeat work or never end). One O(n) pass with a Set of the nodes seen.
 */
export function assertTree(argument: string, root: unknown): asserts root is TreeNode | null {
  assertTreeRoot(argument, root);
  if (root === null) return;
  const seen = new Set<TreeNode>([root]);
  const stack: TreeNode[] = [root];
  const visit = (child: unknown): void => {
    if (child === null) return;
    if (!(child instanceof TreeNode)) {
      const expected = 'a tree of TreeNode objects (a child is not one)';
      throw new ArgumentTypeError(argument, root, expected);
    }
    if (seen.has(child)) {
      const shown = 'a graph with a shared node';
      throw new ArgumentError(argument, root, 'a tree (a node is reached twice)', shown);
    }
    seen.add(child);
    stack.push(child);
  };
  while (stack.length > 0) {
    const node = stack.pop() as TreeNode;
    if (typeof node.val !== 'number' || !Number.isFinite(node.val)) {
      const shown = `a tree holding ${String(node.val)}`;
      throw new ArgumentError(argument, root, 'a tree of finite numbers', shown);
    }
    visit(node.left);
    visit(node.right);
  }
}

/**
 * The tree described by a LeetCode level-order array. Each value must be a finite number or null,
 * and every value must have a parent slot: [1, null, null, 2] is rejected (2 has no parent); extra
 * trailing nulls are accepted.
 */
export function fromLevelOrder(values: LevelOrder): TreeNode | null {
  assertArray('values', values);
  values.forEach((v, i) => {
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
      throw new ArgumentError(`values[${i}]`, v, 'a finite number or null');
    }
  });
  if (values.length === 0 || values[0] === null) {
    const expected = 'nothing after a null root (the empty tree is [])';
    if (values.length > 1) throw new ArgumentError('values', values, expected);
    return null;
  }
  const root = new TreeNode(values[0] as number);
  // Nodes whose children are still to be read, in level order; `head` is the next one to fill.
  const waiting: TreeNode[] = [root];
  let head = 0;
  let i = 1;
  while (i < values.length) {
    const parent = waiting[head++];
    if (parent === undefined) {
      // Trailing nulls without a parent are tolerated; a value without a parent is not.
      const orphan = values.findIndex((v, j) => j >= i && v !== null);
      if (orphan === -1) break;
      const why = 'null or nothing: every earlier node has both children, so it has no parent';
      throw new ArgumentError(`values[${orphan}]`, values[orphan], why);
    }
    const left = values[i++];
    if (left !== null && left !== undefined) waiting.push((parent.left = new TreeNode(left)));
    const right = i < values.length ? values[i++] : null;
    if (right !== null && right !== undefined) waiting.push((parent.right = new TreeNode(right)));
  }
  return root;
}

/** The LeetCode level-order array of a tree (no trailing nulls). */
export function toLevelOrder(root: TreeNode | null): (number | null)[] {
  assertTree('root', root);
  if (root === null) return [];
  const out: (number | null)[] = [root.val];
  const queue: TreeNode[] = [root];
  const seen = new Set<TreeNode>([root]);
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head] as TreeNode;
    for (const child of [node.left, node.right]) {
      if (child === null) {
        out.push(null);
        continue;
      }
      if (seen.has(child)) {
        const shown = 'a graph with a shared node';
        throw new ArgumentError('root', root, 'a tree (a node is reached twice)', shown);
      }
      seen.add(child);
      out.push(child.val);
      queue.push(child);
    }
  }
  while (out.at(-1) === null) out.pop();
  return out;
}

/** Number of levels: 0 for the empty tree, 1 for a single node. Iterative: deep trees are fine. */
export function height(root: TreeNode | null): number {
  assertTree('root', root);
  let levels = 0;
  const stack: [TreeNode, number][] = root ? [[root, 1]] : [];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [TreeNode, number];
    levels = Math.max(levels, depth);
    if (node.left) stack.push([node.left, depth + 1]);
    if (node.right) stack.push([node.right, depth + 1]);
  }
  return levels;
}

/** Number of nodes. */
export function size(root: TreeNode | null): number {
  assertTree('root', root);
  let count = 0;
  const stack: TreeNode[] = root ? [root] : [];
  while (stack.length > 0) {
    const node = stack.pop() as TreeNode;
    count++;
    if (node.left) stack.push(node.left);
    if (node.right) stack.push(node.right);
  }
  return count;
}

/**
 * A left comb with `levels` levels, as a level-order array: a left spine 0, 1, 3, 5, ... whose
 * nodes each carry a right leaf 2, 4, 6, ... (the deepest node of every level hangs off the left
 * spine). n = 2 levels - 1. A shape where "follow the right children" and per-depth searches fail.
 */
export function leftComb(levels: number): (number | null)[] {
  assertInteger('levels', levels, { min: 0, max: 2 ** 22 });
  const values: (number | null)[] = levels > 0 ? [0] : [];
  for (let i = 1; i < levels; i++) {
    values.push(2 * i - 1, 2 * i); // children of spine node i - 1: the next spine node, a leaf
    if (i >= 2) values.push(null, null); // the leaf of level i - 1 has no children
  }
  return values;
}
