/**
 * Reorder a singly linked list L0, L1, ..., L(n-1) into L0, L(n-1), L1, L(n-2), ... in place,
 * relinking the existing nodes (LeetCode 143).
 * Answers: Q05 (链表交叉反转).
 *
 * The idea in two lines: the answer alternates between the front half read forwards and the back
 * half read backwards; so find the middle with fast/slow pointers, cut there, reverse the back half,
 * and zip the two halves together. No array, no new nodes.
 *
 * The first half must keep ceil(n / 2) nodes (cut after the FIRST middle, `middleNode(head, 'first')`
 * from linked-list-pointers): the zip takes one node from each half in turn and ends on the front
 * half. Two classic slips, kept below as variants: forgetting to cut (the old link from the middle
 * into the reversed half closes a cycle), and cutting before the middle, which for odd n leaves the
 * back half longer and drops its last node.
 *
 * Complexity: O(n) time (about 3n pointer steps: 1.5n to find the middle, n/2 to reverse, n to zip),
 * O(1) extra space. `reorderListByArray` is the O(n)-space version: copy the nodes into an array and
 * relink them from both ends.
 *
 * @example
 *   toArray(reorderList(fromArray([1, 2, 3, 4])))     // [1, 4, 2, 3]
 *   toArray(reorderList(fromArray([1, 2, 3, 4, 5])))  // [1, 5, 2, 4, 3]
 */
import { assertAcyclic, middleNode } from './linked-list-pointers.js';
import { assertListHead, ListNode, type PointerSteps } from './support/linked-list.js';

/** Reverses a list in place and returns the new head (the old tail). One pointer step per node. */
export function reverseList(head: ListNode | null, counter: PointerSteps = { steps: 0 }): ListNode | null {
  assertAcyclic('head', head);
  return reverseInPlace(head, counter);
}

/** reverseList without the acyclic check, for halves that are acyclic by construction. */
function reverseInPlace(head: ListNode | null, counter: PointerSteps): ListNode | null {
  let reversed: ListNode | null = null;
  // Invariant: `reversed` is the already-visited prefix, reversed; `rest` is the untouched suffix.
  for (let rest = head; rest !== null; counter.steps++) {
    const next: ListNode | null = rest.next;
    rest.next = reversed;
    reversed = rest;
    rest = next;
  }
  return reversed;
}

/**
 * Zips `front` and `back` in place: f0, b0, f1, b1, ... Stops when either half runs out; the caller
 * guarantees front is at least as long as back, so nothing is left over.
 */
function zip(front: ListNode | null, back: ListNode | null, counter: PointerSteps): void {
  while (front !== null && back !== null) {
    const frontNext: ListNode | null = front.next;
    const backNext: ListNode | null = back.next;
    front.next = back;
    back.next = frontNext;
    front = frontNext;
    back = backNext;
    counter.steps += 2;
  }
}

/**
 * Reorders the list as L0, L(n-1), L1, L(n-2), ... in O(1) extra space and returns its head (the
 * same node as before). A cyclic list is an ArgumentError.
 */
export function reorderList(head: ListNode | null, counter: PointerSteps = { steps: 0 }): ListNode | null {
  assertListHead('head', head);
  if (head === null) return null;
  // End of the front half: ceil(n / 2) nodes stay in front. Throws on a cycle.
  const middle = middleNode(head, 'first', counter) as ListNode;
  const back = middle.next;
  middle.next = null; // cut, or the front half still runs into the back half
  zip(head, reverseInPlace(back, counter), counter);
  return head;
}

/** The O(n)-space version: the nodes in an array, relinked from both ends towards the middle. */
export function reorderListByArray(head: ListNode | null): ListNode | null {
  assertAcyclic('head', head);
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

/** WRONG, kept as the common mistake: same as reorderList without the cut, so a cycle forms. */
export function reorderListNoCutVariant(head: ListNode | null): ListNode | null {
  if (head === null) return null;
  const middle = middleNode(head, 'first') as ListNode;
  zip(head, reverseInPlace(middle.next, { steps: 0 }), { steps: 0 }); // middle.next = null is missing
  return head;
}

/**
 * WRONG, kept as the common mistake: cuts BEFORE the second middle (LeetCode 876's middle), so the
 * front half has floor(n / 2) nodes. Right for even n; for odd n the back half is longer and the
 * zip drops its last node (the original middle).
 */
export function reorderListCutBeforeMiddleVariant(head: ListNode | null): ListNode | null {
  if (head === null || head.next === null) return head;
  const middle = middleNode(head, 'second') as ListNode;
  let beforeMiddle = head;
  while (beforeMiddle.next !== middle) beforeMiddle = beforeMiddle.next as ListNode;
  beforeMiddle.next = null;
  zip(head, reverseInPlace(middle, { steps: 0 }), { steps: 0 });
  return head;
}
