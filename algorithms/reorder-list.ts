/**
 * Reorder a singly linked list L0, L1, ..., L(n-1) into L0, L(n-1), L1, L(n-2), ... in place,
 * relinking the existing nodes (LeetCode 143).
 * Answers: Q05 (链表交叉反转).
 *
 * The idea in two lines: the answer alternates between the front half read forwards and the back
 * half read backwards; so find the middle with fast/slow pointers, cut there, reverse the back
 * half, and merge the two halves. No array, no new nodes.
 *
 * The front half must keep ceil(n / 2) nodes (cut after the FIRST middle): the merge takes one node
 * from each half in turn and ends on the front half. Two classic slips, kept at the end as
 * `pitfall*`: forgetting to cut (the old link from the middle into the reversed half closes a
 * cycle), and cutting before the second middle, which for odd n leaves the back half longer and
 * loses its last node.
 *
 * Complexity: O(n) time (3n - 3 pointer steps: 1.5n to find the middle, n/2 to reverse, n to merge,
 * counted by `reorderListCounted`), O(1) extra space. `reorderListByArray` is the O(n)-space
 * version: copy the nodes into an array and relink them from both ends.
 *
 * @example
 *   toArray(reorderList(fromArray([1, 2, 3, 4])))     // [1, 4, 2, 3]
 *   toArray(reorderList(fromArray([1, 2, 3, 4, 5])))  // [1, 5, 2, 4, 3]
 */
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import { middleNodeCounted } from './linked-list-pointers.js';
import { assertList, ListNode } from './support/linked-list.js';

/** Reorders the list as L0, L(n-1), L1, L(n-2), ... in place; returns the head (the same node). */
export function reorderList(head: ListNode | null): ListNode | null {
  assertList('head', head);
  if (head === null) return null;
  // 1. Find the middle: slow stops at node ceil(n / 2) - 1, the end of the front half.
  let [slow, fast] = [head, head];
  while (fast.next !== null && fast.next.next !== null) {
    slow = slow.next as ListNode;
    fast = fast.next.next;
  }
  let back = slow.next;
  slow.next = null; // 2. Cut after it, and reverse the back half.
  let reversed: ListNode | null = null;
  while (back !== null) {
    const next: ListNode | null = back.next;
    back.next = reversed;
    reversed = back;
    back = next;
  }
  // 3. Merge: f0, b0, f1, b1, ... (the front half is as long as the back half, or one longer).
  let front = head;
  while (reversed !== null) {
    const frontNext = front.next;
    const backNext: ListNode | null = reversed.next;
    front.next = reversed;
    reversed.next = frontNext;
    front = frontNext as ListNode; // null only after the last pair, when the loop ends
    reversed = backNext;
  }
  return head;
}

/** Reverses a list in place and returns the new head (the old tail). */
export function reverseList(head: ListNode | null): ListNode | null {
  assertList('head', head);
  return reverseInPlace(head, { steps: 0 });
}

/** reverseList without the check, for halves that are lists by construction. One step per node. */
function reverseInPlace(head: ListNode | null, tally: { steps: number }): ListNode | null {
  let reversed: ListNode | null = null;
  // Invariant: `reversed` is the already-visited prefix, reversed; `rest` is the untouched suffix.
  for (let rest = head; rest !== null; tally.steps++) {
    const next: ListNode | null = rest.next;
    rest.next = reversed;
    reversed = rest;
    rest = next;
  }
  return reversed;
}

/**
 * Merges `front` and `back` in place: f0, b0, f1, b1, ... Stops when either half runs out; the
 * caller guarantees front is at least as long as back, so nothing is left over.
 */
function merge(front: ListNode | null, back: ListNode | null, tally: { steps: number }): void {
  while (front !== null && back !== null) {
    const frontNext: ListNode | null = front.next;
    const backNext: ListNode | null = back.next;
    front.next = back;
    back.next = frontNext;
    front = frontNext;
    back = backNext;
    tally.steps += 2;
  }
}

/**
 * reorderList as three named steps (first middle, reverse, merge), adding every pointer step to
 * `counter` ('steps'): 3 floor((n - 1) / 2) + 3 floor(n / 2) = 3n - 3 for n >= 1.
 */
export function reorderListCounted(head: ListNode | null, counter?: Counter): ListNode | null {
  assertList('head', head);
  assertOptionalCounter('counter', counter);
  if (head === null) return null;
  const tally = { steps: 0 };
  const middle = middleNodeCounted(head, 'first', counter) as ListNode; // end of the front half
  const back = middle.next;
  middle.next = null; // cut, or the front half still runs into the back half
  merge(head, reverseInPlace(back, tally), tally);
  counter?.add('steps', tally.steps);
  return head;
}

/** The O(n)-space version: the nodes in an array, relinked from both ends towards the middle. */
export function reorderListByArray(head: ListNode | null): ListNode | null {
  assertList('head', head);
  const nodes: ListNode[] = [];
  for (let p = head; p !== null; p = p.next) nodes.push(p);
  let previous: ListNode | null = null;
  for (let lo = 0, hi = nodes.length - 1; lo <= hi; lo++, hi--) {
    const a = nodes[lo] as ListNode;
    const b = nodes[hi] as ListNode;
    if (previous !== null) previous.next = a;
    a.next = b;
    previous = b; // when lo === hi, a === b and the self-link is overwritten just below
  }
  if (previous !== null) previous.next = null;
  return head;
}

// ---- The common wrong answers ----

/** Pitfall: no cut after the middle: the front half still links into the reversed back, a cycle. */
export function pitfallReorderWithoutCut(head: ListNode | null): ListNode | null {
  assertList('head', head);
  if (head === null) return null;
  const middle = firstMiddle(head);
  // middle.next = null is missing here
  merge(head, reverseInPlace(middle.next, { steps: 0 }), { steps: 0 });
  return head;
}

/** Pitfall: cuts before the second middle: for odd n the back half is longer, its tail is lost. */
export function pitfallReorderLosesTail(head: ListNode | null): ListNode | null {
  assertList('head', head);
  if (head === null || head.next === null) return head;
  // LeetCode 876's middle (index floor(n / 2)) starts the back half: the front keeps floor(n / 2).
  let beforeMiddle = head;
  for (let fast = head.next.next; fast !== null && fast.next !== null; fast = fast.next.next) {
    beforeMiddle = beforeMiddle.next as ListNode;
  }
  const middle = beforeMiddle.next as ListNode;
  beforeMiddle.next = null;
  merge(head, reverseInPlace(middle, { steps: 0 }), { steps: 0 }); // the merge drops what is left
  return head;
}

/** The first middle of a non-empty list (unchecked, internal). */
function firstMiddle(head: ListNode): ListNode {
  let slow = head;
  for (let fast = head; fast.next !== null && fast.next.next !== null; fast = fast.next.next) {
    slow = slow.next as ListNode;
  }
  return slow;
}
