/**
 * Linked-list pointer moves: deleting nodes and the fast/slow (two-pointer) family.
 * Answers: Q08 (删除链表中的节点; 快慢指针).
 *
 * The idea in two lines: a singly linked node only knows its successor, so every deletion is
 * "make the predecessor skip it" (a sentinel node gives the head a predecessor too); two pointers
 * moving at different speeds or with a fixed gap find the middle, a cycle and the k-th node from the
 * end in one pass and O(1) extra space.
 *
 * - `deleteNode(node)` (LeetCode 237): given only the node, copy the successor's value in and skip
 *   the successor. The tail cannot be deleted this way: its predecessor is unreachable, and there is
 *   no successor to copy, so it is rejected with an ArgumentError.
 * - `deleteByValue(head, value)` (LeetCode 203): remove every node holding `value`, with a sentinel.
 * - `middleNode(head)` (LeetCode 876): the SECOND middle for even lengths (index floor(n / 2));
 *   `middleNode(head, 'first')` gives the first middle (index floor((n - 1) / 2)), which is what
 *   splitting a list in halves (merge sort, reorder-list Q05, palindrome check) wants.
 * - `hasCycle` / `cycleEntry` (Floyd; LeetCode 141 / 142), and `cycleEntryWithSet`, the O(n)-memory
 *   version to compare against.
 * - `kthFromEnd(head, k)` (剑指 Offer 22; k = 1 is the last node) and `removeKthFromEnd` (LeetCode 19).
 *
 * Complexity: every function is O(n) time and O(1) extra space, except cycleEntryWithSet (O(n) space).
 * Floyd takes at most 3 (mu + lambda) + 2 mu <= 5n pointer steps (mu = nodes before the cycle,
 * lambda = cycle length). Functions that walk to the end first check the list is acyclic (Floyd, one
 * extra O(n) pass) so a cyclic list is an error, never a hang.
 *
 * @example
 *   middleNode(fromArray([1, 2, 3, 4]))?.val                 // 3 (LeetCode 876: second middle)
 *   cycleEntry(withCycle([3, 2, 0, -4], 1).head)?.val        // 2
 *   kthFromEnd(fromArray([1, 2, 3, 4, 5]), 2).val            // 4
 *   toArray(deleteByValue(fromArray([7, 7, 1, 7]), 7))       // [1]
 */
import { ArgumentError, ArgumentTypeError, assertFinite, assertInteger } from '../core/errors.js';
import { assertListHead, ListNode, type PointerSteps } from './support/linked-list.js';

/** A fresh counter for callers that do not want to count. */
const uncounted = (): PointerSteps => ({ steps: 0 });

/**
 * LeetCode 237: deletes `node` from its list given only the node. The node object stays in the list
 * and takes its successor's value; it is the successor object that leaves the list (so an outside
 * reference to the successor now points at a detached node).
 */
export function deleteNode(node: ListNode): void {
  if (!(node instanceof ListNode)) throw new ArgumentTypeError('node', node, 'the ListNode to delete');
  const next = node.next;
  if (next === null) {
    throw new ArgumentError('node', node, 'a node that is not the tail: with only the node in hand, the tail cannot be deleted (its predecessor is unreachable and there is no successor to copy); delete it from the head instead', 'the tail node');
  }
  if (next === node) throw new ArgumentError('node', node, 'a node whose successor is another node', 'a node linked to itself');
  node.val = next.val;
  node.next = next.next;
  next.next = null; // detach the removed object so it cannot be walked back into the list
}

/** The node where fast (2 steps) meets slow (1 step), or null if fast falls off the end. */
function floydMeeting(head: ListNode | null, counter: PointerSteps): ListNode | null {
  let slow = head;
  let fast = head;
  while (fast !== null && fast.next !== null) {
    slow = (slow as ListNode).next;
    fast = fast.next.next;
    counter.steps += 3;
    if (slow === fast) return slow;
  }
  return null;
}

/** Floyd: true iff following `next` from `head` never reaches null. O(n) steps, O(1) space. */
export function hasCycle(head: ListNode | null, counter: PointerSteps = uncounted()): boolean {
  assertListHead('head', head);
  return floydMeeting(head, counter) !== null;
}

/** Throws unless the list is acyclic (checked with Floyd, O(1) space). */
export function assertAcyclic(argument: string, head: ListNode | null): void {
  assertListHead(argument, head);
  if (floydMeeting(head, uncounted()) !== null) throw new ArgumentError(argument, head, 'an acyclic list (the last node links to null)', 'a list with a cycle');
}

/**
 * Floyd, phase 2: the node where the cycle starts (LeetCode 142), or null.
 * Why it works: when they meet, slow has walked mu + a and fast 2 (mu + a), so mu + a is a multiple
 * of lambda; walking mu more steps from the meeting point (cycle offset a) lands on offset 0, the
 * entry, which is exactly where a pointer walking mu steps from the head arrives too.
 */
export function cycleEntry(head: ListNode | null, counter: PointerSteps = uncounted()): ListNode | null {
  assertListHead('head', head);
  const meeting = floydMeeting(head, counter);
  if (meeting === null) return null;
  let p = head as ListNode;
  let q = meeting;
  while (p !== q) {
    p = p.next as ListNode;
    q = q.next as ListNode;
    counter.steps += 2;
  }
  return p;
}

/** The naive entry: the first node seen twice, remembered in a Set. O(n) time and O(n) memory. */
export function cycleEntryWithSet(head: ListNode | null, counter: PointerSteps = uncounted()): ListNode | null {
  assertListHead('head', head);
  const seen = new Set<ListNode>();
  for (let p = head; p !== null; p = p.next, counter.steps++) {
    if (seen.has(p)) return p;
    seen.add(p);
  }
  return null;
}

/** WRONG, kept as the common mistake: takes Floyd's meeting point for the cycle entry. */
export function cycleEntryMeetingPointVariant(head: ListNode | null): ListNode | null {
  return floydMeeting(head, uncounted());
}

export type Middle = 'first' | 'second';

/**
 * The middle node: index floor(n / 2) ('second', LeetCode 876's convention) or floor((n - 1) / 2)
 * ('first'); they differ only for even n. Null for the empty list. A cyclic list is an error: slow
 * and fast would meet, which cannot happen on an acyclic list.
 */
export function middleNode(head: ListNode | null, middle: Middle = 'second', counter: PointerSteps = uncounted()): ListNode | null {
  assertListHead('head', head);
  if (middle !== 'first' && middle !== 'second') throw new ArgumentError('middle', middle, "'first' or 'second'");
  if (head === null) return null;
  let slow = head;
  let fast: ListNode | null = head;
  // Invariant: fast has walked twice as far as slow. 'second' stops when fast is the last node or
  // just past it; 'first' stops one pair earlier for even n (fast at the second-to-last node).
  const canStep = (f: ListNode | null): f is ListNode => f !== null && f.next !== null && (middle === 'second' || f.next.next !== null);
  while (canStep(fast)) {
    slow = slow.next as ListNode;
    fast = (fast.next as ListNode).next;
    counter.steps += 3;
    if (slow === fast) throw new ArgumentError('head', head, 'an acyclic list (the last node links to null)', 'a list with a cycle');
  }
  return slow;
}

/**
 * The k-th node from the end, k = 1 being the last (剑指 Offer 22). The lead pointer walks k nodes
 * first, then lead and trail move together: when lead falls off the end, trail is n - k nodes in.
 */
export function kthFromEnd(head: ListNode | null, k: number, counter: PointerSteps = uncounted()): ListNode {
  assertAcyclic('head', head);
  assertInteger('k', k, { min: 1 });
  let lead = head;
  for (let i = 0; i < k; i++) {
    if (lead === null) throw new ArgumentError('k', k, `an integer in [1, ${i}] (the list has ${i} nodes)`);
    lead = lead.next;
    counter.steps++;
  }
  let trail = head as ListNode;
  // Invariant: lead is exactly k nodes ahead of trail.
  while (lead !== null) {
    lead = lead.next;
    trail = trail.next as ListNode;
    counter.steps += 2;
  }
  return trail;
}

/** WRONG, kept as the common mistake: the lead walks k - 1 nodes, so this returns the (k - 1)-th from the end. */
export function kthFromEndOffByOneVariant(head: ListNode | null, k: number): ListNode | null {
  let lead = head;
  for (let i = 0; i < k - 1 && lead !== null; i++) lead = lead.next;
  let trail = head;
  while (lead !== null && trail !== null) {
    lead = lead.next;
    trail = trail.next;
  }
  return trail;
}

/** LeetCode 19: removes the k-th node from the end and returns the (possibly new) head. */
export function removeKthFromEnd(head: ListNode | null, k: number): ListNode | null {
  assertAcyclic('head', head);
  assertInteger('k', k, { min: 1 });
  // The sentinel is a predecessor for the head, so removing the first node needs no special case.
  const sentinel = new ListNode(0, head);
  let lead: ListNode | null = sentinel;
  for (let i = 0; i < k; i++) {
    lead = (lead as ListNode).next;
    if (lead === null) throw new ArgumentError('k', k, `an integer in [1, ${i}] (the list has ${i} nodes)`);
  }
  // Invariant: lead is k nodes ahead of before; when lead is the last node, before precedes the target.
  let before = sentinel;
  while ((lead as ListNode).next !== null) {
    lead = (lead as ListNode).next;
    before = before.next as ListNode;
  }
  const target = before.next as ListNode;
  before.next = target.next;
  target.next = null;
  return sentinel.next;
}

/** LeetCode 203: removes every node whose value is `value`; returns the (possibly new) head. */
export function deleteByValue(head: ListNode | null, value: number): ListNode | null {
  assertAcyclic('head', head);
  assertFinite('value', value);
  const sentinel = new ListNode(0, head);
  // Invariant: every node up to and including `p` is kept; only p.next is still to be judged.
  let p = sentinel;
  while (p.next !== null) {
    if (p.next.val === value) p.next = p.next.next; // do not advance: the new p.next is unjudged
    else p = p.next;
  }
  return sentinel.next;
}
