/**
 * Notebook for Q07: the right side view of a binary tree (LeetCode 199).
 * Run: npm start -- run right-side-view   (or: npx tsx notebooks/right-side-view.ts)
 */
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
  type LevelOrder,
} from '../algorithms/support/binary-tree.js';
import { Counter } from '../core/counter.js';
import { defineNotebook } from '../notebook/index.js';

const MODULE = 'algorithms/right-side-view.ts';

export default defineNotebook(import.meta.url, 'right-side-view', async (nb) => {
  await nb.md`
    ## The question
    *二叉树右视图* (LeetCode 199, Binary Tree Right Side View): standing to the right of a binary
    tree, which values do you see, top to bottom?

    Trees are written as LeetCode level-order arrays: [1, 2, 3, null, 5, null, 4] is

    \`\`\`
          1        <- see 1
         / \\
        2   3      <- see 3
         \\   \\
          5   4    <- see 4
    \`\`\`

    ## The intuition
    From the right you see, on every level, the node furthest right: the **last node of each
    level** in level order. Two ways to get it:
    - **BFS** level by level, keep each level's last node.
    - **DFS** visiting the right child before the left; the *first* node reached at a new depth is
      that level's rightmost, since everything to its right was visited before.

    ## The answer on the whiteboard
    BFS by level, keep the last node of each level. The real function the answer key tests:
  `;
  await nb.source(MODULE, 'rightSideView');
  const example = await nb.code(() => {
    const root = fromLevelOrder([1, 2, 3, null, 5, null, 4]);
    return { bfs: rightSideView(root), dfs: rightSideViewDfs(root) };
  });
  await nb.check('BFS on [1, 2, 3, null, 5, null, 4]', example.bfs.join(' '), '1 3 4');
  await nb.check('DFS on the same tree', example.dfs.join(' '), '1 3 4');

  await nb.md`
    ## The wrong answer everyone writes once
    "Walk down the right children." It works on the example above, but a deeper left subtree shows
    through under a short right side: in [1, 2, 3, 4] the 4 hangs under 2 and is visible below 3.
  `;
  await nb.source(MODULE, 'pitfallRightChildrenOnly');
  const pitfall = await nb.code(() => {
    const root = fromLevelOrder([1, 2, 3, 4]);
    return { view: rightSideView(root), rightChildrenOnly: pitfallRightChildrenOnly(root) };
  });
  await nb.check('[1, 2, 3, 4]: the view', pitfall.view.join(' '), '1 3 4');
  await nb.check(
    '[1, 2, 3, 4]: following right children (wrong)',
    pitfall.rightChildrenOnly.join(' '),
    '1 3',
  );

  await nb.md`
    The DFS version has its own slip: push the children so that the **left** one is popped first,
    and "the first node at each new depth" becomes the leftmost: the left side view.
  `;
  const leftFirst = await nb.code(() =>
    pitfallLeftFirstDfs(fromLevelOrder([1, 2, 3, null, 5, null, 4])),
  );
  await nb.check(
    'pitfallLeftFirstDfs on [1, 2, 3, null, 5, null, 4] (wrong: the left view)',
    leftFirst.join(' '),
    '1 2 5',
  );

  await nb.md`
    ## Memory: BFS holds a level, DFS holds a path
    Both visit every node once. What differs is how much they hold at once: BFS the widest level,
    DFS (with an explicit stack, so deep trees cannot overflow the call stack) about one entry per
    level.
  `;
  const shapes: [string, LevelOrder][] = [
    ['complete, 2^16 - 1 nodes', Array.from({ length: 2 ** 16 - 1 }, (_, i) => i)],
    [
      'path of 10^4 nodes (left children)',
      [0, ...Array.from({ length: 9_999 }, (_, i) => [i + 1, null]).flat()],
    ],
    ['left comb, 2 x 2000 - 1 nodes', leftComb(2000)],
  ];
  const memoryRows = shapes.map(([name, values]) => {
    const root = fromLevelOrder(values);
    const [bfs, dfs] = [new Counter(), new Counter()];
    rightSideViewBfs(root, bfs);
    rightSideViewDfs(root, dfs);
    return {
      tree: name,
      n: size(root),
      levels: height(root),
      'BFS visits': bfs.get('visits'),
      'BFS max queue': bfs.get('maxFrontier'),
      'DFS visits': dfs.get('visits'),
      'DFS max stack': dfs.get('maxFrontier'),
    };
  });
  await nb.table(memoryRows, 'Visits and the largest frontier held, per traversal');
  await nb.check(
    'complete tree: BFS holds the whole last level, 2^15 nodes',
    memoryRows[0]!['BFS max queue'],
    2 ** 15,
  );
  await nb.claim(
    'complete tree: DFS stack stays at most one entry per level',
    memoryRows[0]!['DFS max stack'] <= memoryRows[0]!.levels,
    `${memoryRows[0]!['DFS max stack']} <= ${memoryRows[0]!.levels}`,
  );

  await nb.md`
    ## The naive answer: search each depth from the root again
    "For d = 0, 1, 2, ...: find the rightmost node at depth d." It is correct, but each depth
    restarts at the root, so it costs $O(n h)$. On a left comb (a left spine whose nodes each carry
    a right leaf) the leaf at depth $d$ takes about $2d$ visits to reach: $\sum_d 2d \approx h^2$ in
    total, against $2h - 1$. Inputs: left combs of $h = 50, 100, 200, 400, 800$ levels.
  `;
  const spines = [50, 100, 200, 400, 800];
  const visitRows = spines.map((spine) => {
    const root = fromLevelOrder(leftComb(spine));
    const [naive, bfs] = [new Counter(), new Counter()];
    rightSideViewPerDepth(root, naive);
    rightSideViewBfs(root, bfs);
    return {
      levels: spine,
      'per-depth visits': naive.get('visits'),
      'BFS visits': bfs.get('visits'),
    };
  });
  await nb.plot({
    kind: 'line',
    title: 'Nodes visited on a left comb: naive per-depth search vs BFS',
    x: { label: 'levels h (n = 2h - 1)', values: spines, log: true },
    y: { label: 'visits', log: true },
    series: [
      { name: 'per-depth search (~h^2)', values: visitRows.map((r) => r['per-depth visits']) },
      { name: 'BFS (2h - 1)', values: visitRows.map((r) => r['BFS visits']) },
    ],
  });
  const last = visitRows.at(-1)!;
  await nb.check('per-depth visits / h^2 at h = 800', last['per-depth visits'] / 800 ** 2, 1, {
    tol: 0.05,
  });

  await nb.md`
    ## Complexity
    BFS and DFS: $O(n)$ time. Extra space $O(\text{widest level})$ for BFS, $O(h)$ for DFS. The
    per-depth search: $O(n h)$ time.

    ## When not to use it
    For a left side view, or the first/last node per level in general, the same BFS applies with
    "first" instead of "last"; for a view that depends on horizontal position (top or bottom view),
    levels are the wrong grouping: group by column (horizontal distance) instead. On a very wide,
    shallow tree prefer DFS for memory; on a very deep one avoid recursive DFS (call-stack depth).
  `;
});
