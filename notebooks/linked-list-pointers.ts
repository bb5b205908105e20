/**
 * Notebook for Q08: deleting linked-list nodes, and the fast/slow pointer family.
 * Run: npm start -- run linked-list-pointers   (or: npx tsx notebooks/linked-list-pointers.ts)
 */
import {
  cycleEntry,
  cycleEntryCounted,
  cycleEntryWithSet,
  deleteByValue,
  deleteNode,
  firstMiddleNode,
  kthFromEnd,
  middleNode,
  pitfallDeleteByReassigning,
  pitfallDeleteByValueAdvancing,
  pitfallKthFromEndOffByOne,
  pitfallMeetingPointAsEntry,
} from '../algorithms/linked-list-pointers.js';
import { fromArray, nodesOf, toArray, withCycle } from '../algorithms/support/linked-list.js';
import { Counter } from '../core/counter.js';
import { defineNotebook } from '../notebook/index.js';

const MODULE = 'algorithms/linked-list-pointers.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

export default defineNotebook(import.meta.url, 'linked-list-pointers', async (nb) => {
  await nb.md`
    ## The questions
    *删除链表中的节点* (delete a node from a linked list) and *快慢指针* (fast/slow pointers).
    A singly linked node knows only its successor. Deleting is always "make the predecessor skip
    it", and two pointers moving at different speeds, or with a fixed gap, answer questions about
    positions (the middle, the k-th from the end, where a cycle starts) in one pass and O(1) space.

    ## Delete a node given only that node (LeetCode 237)
    No predecessor is at hand, so the node cannot be unlinked. Instead it becomes its successor:
    copy the successor's value in, then skip the successor:
  `;
  await nb.source(MODULE, 'deleteNode');
  const deleted = await nb.code(() => {
    const head = fromArray([4, 5, 1, 9]);
    const [, five, one] = nodesOf(head);
    deleteNode(five!);
    return {
      list: toArray(head),
      'the node that held 5 now holds': five!.val,
      'the node that held 1 is unlinked': one!.next === null,
    };
  });
  await nb.check('[4, 5, 1, 9] after deleting the node 5', deleted.list.join(' '), '4 1 9');

  await nb.md`
    Two consequences interviewers like to hear: the object that leaves the list is the successor,
    so anything outside holding a reference to that successor now holds a detached node; and the
    **tail cannot be deleted this way**: there is no successor to copy, and its predecessor (whose
    next would have to become null) is unreachable. Here that is an ArgumentError, not a silent
    no-op:
  `;
  const tailError = await nb.code(() => {
    const head = fromArray([4, 5, 1, 9]);
    try {
      deleteNode(nodesOf(head).at(-1)!);
      return 'deleted';
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  });
  await nb.md`
    And the slip that looks like a deletion: reassigning the parameter (\`node = node.next\`) only
    rebinds a local name (\`pitfallDeleteByReassigning\`). Input: [4, 5, 1, 9], the node holding 5.
  `;
  const reassigned = await nb.code(() => {
    const head = fromArray([4, 5, 1, 9]);
    pitfallDeleteByReassigning(nodesOf(head)[1]!);
    return toArray(head);
  });
  await nb.check(
    'after pitfallDeleteByReassigning (wrong: nothing changed)',
    reassigned.join(' '),
    '4 5 1 9',
  );
  await nb.claim(
    'deleting the tail is rejected with a typed error',
    tailError.startsWith('ArgumentError: node: got the tail node'),
    tailError.slice(0, 38),
  );

  await nb.md`
    ## Delete every node with a value (LeetCode 203)
    A sentinel node in front of the head gives the head a predecessor, so there is no special case.
    The loop invariant: everything up to \`p\` is kept, \`p.next\` is still to be judged. After a
    deletion \`p\` must **not** advance, or the node after a deleted one is never judged
    ([1, 7, 7, 2] would keep a 7: that is \`pitfallDeleteByValueAdvancing\`).
  `;
  await nb.source(MODULE, 'deleteByValue');
  const byValue = await nb.code(() => toArray(deleteByValue(fromArray([7, 1, 7, 7, 2, 7]), 7)));
  await nb.check('delete 7 from [7, 1, 7, 7, 2, 7]', byValue.join(' '), '1 2');
  const advancing = await nb.code(() =>
    toArray(pitfallDeleteByValueAdvancing(fromArray([1, 7, 7, 2]), 7)),
  );
  await nb.check(
    'pitfallDeleteByValueAdvancing: delete 7 from [1, 7, 7, 2] (wrong)',
    advancing.join(' '),
    '1 7 2',
  );

  await nb.md`
    ## The middle: which one, for even n?
    Slow moves 1, fast moves 2; when fast cannot move on, slow is in the middle. For even n there
    are two middles. LeetCode 876 returns the **second** (index n / 2): loop while
    \`fast && fast.next\`.
    Splitting a list in halves (merge sort, reorder-list Q05, palindrome check) wants the **first**
    (index $\frac{n}{2} - 1$): loop while \`fast.next && fast.next.next\`. Here
    \`middleNode(head)\` is
    876's and \`firstMiddleNode(head)\` the other. The inputs are the lists $1..n$ for $n = 1..6$.
  `;
  await nb.source(MODULE, 'middleNode');
  const middles = range(6).map((n) => ({
    n,
    list: range(n).join(' '),
    'second middle (876)': middleNode(fromArray(range(n)))!.val,
    'first middle': firstMiddleNode(fromArray(range(n)))!.val,
  }));
  await nb.table(middles, 'The two middle conventions agree for odd n only');
  await nb.check('n = 6: LeetCode 876 middle', middles[5]!['second middle (876)'], 4);

  await nb.md`
    ## Floyd: is there a cycle, and where does it start? (LeetCode 141, 142)
    Let $\mu$ be the number of nodes before the cycle and $\lambda$ its length. Inside the cycle
    fast gains one node per round on slow, so they meet within $\lambda$ rounds after slow enters:
    at most $\mu + \lambda$ rounds of 3 pointer steps. At the meeting slow has walked $\mu + a$ and
    fast twice that, so $\mu + a \equiv 0 \pmod{\lambda}$: from the meeting point (offset $a$ in
    the cycle), $\mu$ more steps land on offset 0, the entry, exactly where a second pointer walking
    $\mu$ steps from the head arrives. Phase 2 costs $2\mu$ steps. Total: at most
    $3(\mu + \lambda) + 2\mu \le 5n$ steps, and two pointers of memory. The usual slip is to
    return the meeting point itself (\`pitfallMeetingPointAsEntry\`).
  `;
  await nb.source(MODULE, 'cycleEntry');
  const floyd = await nb.code(() => {
    const { head, entry } = withCycle([3, 2, 0, -4], 1);
    const found = cycleEntry(head);
    return {
      entry: found!.val,
      isTheLinkedNode: found === entry,
      meetingPoint: pitfallMeetingPointAsEntry(head)!.val,
    };
  });
  await nb.check('[3, 2, 0, -4] with the tail linked to index 1: entry', floyd.entry, 2);
  await nb.check('the meeting point is not the entry here', floyd.meetingPoint, -4);

  const n = 1000;
  const positions = Array.from({ length: 21 }, (_, i) => Math.min(n - 1, i * 50));
  // Inputs: n = 1000 zeros, the tail linked back to index mu = 0, 50, ..., 999.
  const stepRows = positions.map((pos) => {
    const [floydSteps, setSteps] = [new Counter(), new Counter()];
    const { head, entry } = withCycle(new Array<number>(n).fill(0), pos);
    const found =
      cycleEntryCounted(head, floydSteps) === entry && cycleEntryWithSet(head, setSteps) === entry;
    const [floyd, set] = [floydSteps.get('steps'), setSteps.get('steps')];
    return { pos, found, floyd, bound: 3 * n + 2 * pos, set };
  });
  await nb.plot({
    kind: 'line',
    title: `Pointer steps to find the cycle entry, n = ${n}, tail linked to index mu`,
    x: { label: 'mu (nodes before the cycle)', values: positions },
    y: { label: 'pointer steps' },
    series: [
      { name: 'Floyd (counted)', values: stepRows.map((r) => r.floyd) },
      { name: '3 (mu + lambda) + 2 mu', values: stepRows.map((r) => r.bound) },
      { name: 'Set of visited nodes', values: stepRows.map((r) => r.set) },
    ],
  });
  await nb.claim(
    'Floyd finds the entry and stays within 3 (mu + lambda) + 2 mu for every mu',
    stepRows.every((r) => r.found && r.floyd <= r.bound),
    `largest floyd / bound = ${Math.max(...stepRows.map((r) => r.floyd / r.bound)).toFixed(3)}`,
  );
  await nb.md`
    The Set version walks only n steps, fewer than Floyd's, but it stores every node: O(n) memory
    (tens of MB at 10^6 nodes, see \`bench/linked-list-pointers.bench.ts\`) against Floyd's two
    pointers.

    ## The k-th node from the end
    Let a lead pointer walk k nodes, then move lead and trail together; when lead falls off the end,
    trail is n - k nodes in, the k-th from the end (k = 1 is the last node). Walking only k - 1
    ahead is the classic off-by-one (\`pitfallKthFromEndOffByOne\`): it returns the (k - 1)-th.
  `;
  await nb.source(MODULE, 'kthFromEnd');
  const kth = await nb.code(() => {
    const head = fromArray([1, 2, 3, 4, 5]);
    return { right: kthFromEnd(head, 2).val, offByOne: pitfallKthFromEndOffByOne(head, 2)!.val };
  });
  await nb.check('2nd from the end of [1..5]', kth.right, 4);
  await nb.check('pitfallKthFromEndOffByOne, k = 2 (wrong: the last node)', kth.offByOne, 5);

  await nb.md`
    ## Complexity
    Every function: $O(n)$ time, $O(1)$ extra space (the Set version: $O(n)$ space). Floyd: at most
    $3(\mu + \lambda) + 2\mu \le 5n$ pointer steps.

    ## When not to use it
    Do not use the copy trick of LeetCode 237 when other code holds references to nodes (it
    silently detaches the successor object) or when nodes carry more than a value (identity,
    locks, payloads); pass the predecessor instead, or use a doubly linked list. If you may
    change the nodes, a visited flag finds a cycle just as well; Brent's algorithm takes fewer
    steps than Floyd's when steps are expensive; and if the list is really an array of next
    indices, plain index arithmetic beats pointer chasing.
  `;
});
