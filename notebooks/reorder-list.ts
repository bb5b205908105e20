/**
 * Notebook for Q05: reorder a linked list as L0, L(n-1), L1, L(n-2), ... in place.
 * Run: npm start -- run reorder-list   (or: npx tsx notebooks/reorder-list.ts)
 */
import { firstMiddleNode } from '../algorithms/linked-list-pointers.js';
import {
  pitfallReorderLosesTail,
  pitfallReorderWithoutCut,
  reorderList,
  reorderListByArray,
  reorderListCounted,
  reverseList,
} from '../algorithms/reorder-list.js';
import { fromArray, nodesOf, toArray, type ListNode } from '../algorithms/support/linked-list.js';
import { Counter } from '../core/counter.js';
import { defineNotebook } from '../notebook/index.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

export default defineNotebook(import.meta.url, 'reorder-list', async (nb) => {
  await nb.md`
    ## The question
    *链表交叉反转* (LeetCode 143, Reorder List): given a singly linked list L0 -> L1 -> ... -> L(n-1),
    relink it as L0 -> L(n-1) -> L1 -> L(n-2) -> ... Move the nodes, do not rewrite their values,
    and use O(1) extra space.

    ## The intuition
    Read the answer in pairs: (L0, L(n-1)), (L1, L(n-2)), ... The first of each pair walks the front
    half forwards, the second walks the back half backwards. A singly linked list cannot be walked
    backwards, so reverse the back half in place, then merge the two halves. Three pointer tricks,
    all O(1) space: fast/slow pointers for the middle, in-place reversal, a merge.

    ## The answer on the whiteboard
    Find the middle, reverse the second half, merge. The real function the answer key tests:
  `;
  await nb.source('algorithms/reorder-list.ts', 'reorderList');

  await nb.md`
    The three pieces, run on the list $1 \to 2 \to \dots \to 7$:
  `;

  const pieces = await nb.code(() => {
    const head = fromArray(range(7));
    const middle = firstMiddleNode(head)!; // the front half keeps ceil(7 / 2) = 4 nodes
    const back = middle.next;
    middle.next = null; // the cut
    return { front: toArray(head), back: toArray(back), backReversed: toArray(reverseList(back)) };
  });
  await nb.check('back half, reversed', pieces.backReversed.join(' '), '7 6 5');

  const reordered = await nb.code(() => toArray(reorderList(fromArray(range(7)))));
  await nb.check('reorderList on 1..7', reordered.join(' '), '1 7 2 6 3 5 4');

  await nb.md`
    The nodes move, they are not copied: the list after reordering is made of the very same node
    objects, and the head node is still the head.
  `;
  const sameNodes = await nb.code(() => {
    const head = fromArray(range(6));
    const before = nodesOf(head);
    const after = nodesOf(reorderList(head));
    return [0, 5, 1, 4, 2, 3].every((i, position) => after[position] === before[i]);
  });
  await nb.check(
    'the reordered list is nodes 0, 5, 1, 4, 2, 3 of the original, by identity',
    sameNodes,
    true,
  );

  await nb.md`
    ## Two slips that look right
    1. **No cut.** After reversing the back half, the last front node still points at what is now
       the back half's tail. The merge then closes a loop: walking the result never ends.
    2. **Cutting before the middle** (using LeetCode 876's second middle and splitting before it).
       The front half gets floor(n / 2) nodes. For even n that happens to work; for odd n the back
       half is one longer, the merge ends on the front half, and the last back node is lost.
       The front half must keep ceil(n / 2) nodes: cut after the *first* middle.
  `;
  // Inputs: the lists 1..4 and 1..5. A walk shows at most 2n nodes, then "..." (the cycle).
  const slips = [4, 5].map((n) => {
    const walk = (f: (head: ListNode | null) => ListNode | null) => {
      const values: number[] = [];
      let p = f(fromArray(range(n)));
      for (; p !== null && values.length < 2 * n; p = p.next) values.push(p.val);
      return values.join(' ') + (p === null ? '' : ' ...');
    };
    return {
      n,
      correct: walk(reorderList),
      'no cut': walk(pitfallReorderWithoutCut),
      'cut before middle': walk(pitfallReorderLosesTail),
    };
  });
  await nb.table(
    slips,
    'The two slips on n = 4 and n = 5: pitfallReorderWithoutCut, pitfallReorderLosesTail',
  );
  await nb.check(
    'cut before the middle, n = 5: the middle node 3 is lost',
    slips[1]!['cut before middle'],
    '1 5 2 4',
  );
  const noCuts = slips.map((row) => row['no cut']);
  await nb.claim(
    'no cut: the walk never reaches null',
    noCuts.every((walked) => walked.endsWith('...')),
    noCuts.join('; '),
  );

  await nb.md`
    ## Pointer steps: exactly 3n - 3
    Counting every \`p = p.next\` (\`reorderListCounted\`, the same three steps with a \`Counter\`):
    finding the first middle takes $\lfloor \frac{n-1}{2} \rfloor$ rounds of 3 steps (slow 1,
    fast 2), reversing takes one step per back node ($\lfloor \frac{n}{2} \rfloor$), merging two
    per back node. That adds up to $3 \lfloor \frac{n-1}{2} \rfloor + 3 \lfloor \frac{n}{2} \rfloor
    = 3n - 3$ for every $n \ge 1$. Inputs: the lists $1..n$.
  `;
  const stepRows = [1, 2, 3, 10, 11, 1000, 100_000].map((n) => {
    const counter = new Counter();
    reorderListCounted(fromArray(range(n)), counter);
    return { n, 'pointer steps': counter.get('steps'), '3n - 3': 3 * n - 3 };
  });
  await nb.table(stepRows, 'Counted pointer steps of reorderList');
  await nb.check('steps at n = 100,000', stepRows.at(-1)!['pointer steps'], 3 * 100_000 - 3);

  await nb.md`
    ## The O(n)-space version
    Copy the nodes into an array and relink them from both ends: same answer, simpler to get right,
    but it holds n references (8 MB for 10^6 nodes). \`bench/reorder-list.bench.ts\` times both at
    10^6 nodes.
  `;
  const agree = await nb.code(() => {
    const xs = range(1001);
    return (
      toArray(reorderListByArray(fromArray(xs))).join() ===
      toArray(reorderList(fromArray(xs))).join()
    );
  });
  await nb.check('array version and in-place version agree on n = 1001', agree, true);

  await nb.md`
    ## Complexity
    $O(n)$ time ($3n - 3$ pointer steps), $O(1)$ extra space; the array version is $O(n)$ time and
    $O(n)$ space.

    ## When not to use it
    If the original order must survive (another part of the program holds the list, or the list is
    shared and persistent), reorder a copy or build the order into a new array instead: this version
    destroys the input. If memory is not tight, the array version is shorter and harder to get
    wrong.
    With a doubly linked list or a deque you would just pop from both ends.
  `;
});
