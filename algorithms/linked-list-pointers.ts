/**
 * Linked-list pointer moves: deleting nodes and the fast/slow (two-pointer) family.
 * Answers: Q08 (删除链表中的节点; 快慢指针).
 *
 * The idea in two lines: a singly linked node only knows its successor, so every deletion is
 * "make the predecessor skip it" (a sentinel node gives the head a predecessor too); two pointers
 * moving at different speeds or with a fixed gap find the middle, a cycle and the k-th node from
 * the end in one pass and O(1) extra space.
 *
 * The textbook answers come first, one short function each:
 * - `deleteNode(node)` (LeetCode 237): given only the node, copy the successor's value in and skip
 *   the successor. The tail cannot be deleted this way (its predecessor is unreachable and there is
 *   no successor to copy): an ArgumentError.
 * - `deleteByValue(head, value)` (LeetCode 203): remove every node holding `value` (a sentinel).
 * - `middleNode(head)` (LeetCode 876): the SECOND middle for even lengths (index floor(n / 2)).
 * - `hasCycle` / `cycleEntry` (Floyd; LeetCode 141 / 142).
 * - `kthFromEnd(head, k)` (剑指 Offer 22; k = 1 is the last), `removeKthFromEnd` (LeetCode 19).
 * Then the alternatives: `firstMiddleNode` (index floor((n - 1) / 2), what splitting a list in
 * halves wants: merge sort, reorder-list Q05, palindromes), `cycleEntryWithSet` (O(n) memory),
 * and counted versions (`middleNodeCounted`, `cycleEntryCounted`, `kthFromEndCounted`) that add
 * their pointer steps to a Counter ('steps'). The common wrong answers (`pitfall*`) close the
 * module.
 *
 * Complexity: every function is O(n) time and O(1) extra space, except cycleEntryWithSet (O(n)
 * space). Floyd takes at most 3 (mu + lambda) + 2 mu <= 5n pointer steps (mu = nodes before the
 * cycle, lambda = cycle length). Every entry checks its list in one O(n), O(1)-space pass (nodes
 * are ListNodes holding finite numbers; a cycle where none is allowed is an ArgumentError, never a
 * hang).
 *
 * @example
 *   middleNode(fromArray([1, 2, 3, 4]))?.val                 // 3 (LeetCode 876: second middle)
 *   cycleEntry(withCycle([3, 2, 0, -4], 1).head)?.val        // 2
 *   kthFromEnd(fromArray([1, 2, 3, 4, 5]), 2).val            // 4
 *   toArray(deleteByValue(fromArray([7, 7, 1, 7]), 7))       // [1]
 */
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import { ArgumentError, assertFinite, assertInteger, assertOneOf } from '../core/errors.js';
import { assertList, assertListMayCycle, assertListNode, ListNode } from './support/linked-list.js';

/** k past the end of a list of n nodes. */
function tooFew(k: number, n: number): ArgumentError {
  return new ArgumentError('k', k, `an integer in [1, ${n}] (the list has ${n} nodes)`);
}

/**
 * LeetCode 237: deletes `node` from its list given only the node. The node object stays in the list
 * and takes its successor's value; it is the successor object that leaves the list.
 */
export function deleteNode(node: ListNode): void {
  assertListNode('node', node);
  const next = node.next;
  if (next === null) {
    const why = 'a node that is not the tail: given only the node, the tail cannot be deleted';
    throw new ArgumentError('node', node, why, 'the tail node');
  }
  if (next === node) {
    const why = 'a node whose successor is another node';
    throw new ArgumentError('node', node, why, 'a node linked to itself');
  }
  assertListNode('node.next', next);
  node.val = next.val;
  node.next = next.next;
  next.next = null; // detach the removed object so it cannot be walked back into the list
}

/** LeetCode 203: removes every node whose value is `value`; returns the (possibly new) head. */
export function deleteByValue(head: ListNode | null, value: number): ListNode | null {
  assertList('head', head);
  assertFinite('value', value);
  const sentinel = new ListNode(0, head);
  // Invariant: every node up to and including `p` is kept; only p.next is still to be judged.
  let p = sentinel;
  while (p.next !== null) {
    if (p.next.val === value)
      p.next = p.next.next; // do not advance: the new p.next is unjudged
    else p = p.next;
  }
  return sentinel.next;
}

/** LeetCode 876: the middle node, the second of the two for even n (index floor(n / 2)). */
export function middleNode(head: ListNode | null): ListNode | null {
  assertList('head', head);
  let slow = head;
  let fast = head;
  // Invariant: fast has walked twice as far as slow.
  while (fast !== null && fast.next !== null) {
    slow = (slow as ListNode).next;
    fast = fast.next.next;
  }
  return slow;
}

/** Floyd (LeetCode 141): fast walks 2 steps, slow 1; they meet iff there is a cycle. */
export function hasCycle(head: ListNode | null): boolean {
  assertListMayCycle('head', head);
  let slow = head;
  let fast = head;
  while (fast !== null && fast.next !== null) {
    slow = (slow as ListNode).next;
    fast = fast.next.next;
    if (slow === fast) return true;
  }
  return false;
}

/**
 * Floyd, phase 2 (LeetCode 142): the node where the cycle starts, or null.
 * Why it works: when they meet, slow has walked mu + a and fast 2 (mu + a), so mu + a is a multiple
 * of lambda; walking mu more steps from the meeting point (cycle offset a) lands on offset 0, the
 * entry, which is exactly where a pointer walking mu steps from the head arrives too.
 */
export function cycleEntry(head: ListNode | null): ListNode | null {
  assertListMayCycle('head', head);
  let slow = head;
  let fast = head;
  while (fast !== null && fast.next !== null) {
    slow = (slow as ListNode).next as ListNode;
    fast = fast.next.next;
    if (slow === fast) {
      let p = head as ListNode;
      while (p !== slow) {
        p = p.next as ListNode;
        slow = slow.next as ListNode;
      }
      return p;
    }
  }
  return null;
}

/**
 * The k-th node from the end, k = 1 being the last (剑指 Offer 22). The lead pointer walks k
 * nodes first, then lead and trail move together: when lead falls off the end, trail is n - k
 * nodes in.
 */
export function kthFromEnd(head: ListNode | null, k: number): ListNode {
  assertList('head', head);
  assertInteger('k', k, { min: 1 });
  let lead = head;
  for (let i = 0; i < k; i++) {
    if (lead === null) throw tooFew(k, i);
    lead = lead.next;
  }
  let trail = head as ListNode;
  // Invariant: lead is exactly k nodes ahead of trail.
  while (lead !== null) {
    lead = lead.next;
    trail = trail.next as ListNode;
  }
  return trail;
}

/** LeetCode 19: removes the k-th node from the end and returns the (possibly new) head. */
export function removeKthFromEnd(head: ListNode | null, k: number): ListNode | null {
  assertList('head', head);
  assertInteger('k', k, { min: 1 });
  // The sentinel is a predecessor for the head, so removing the first node needs no special case.
  const sentinel = new ListNode(0, head);
  let lead: ListNode = sentinel;
  for (let i = 0; i < k; i++) {
    if (lead.next === null) throw tooFew(k, i);
    lead = lead.next;
  }
  // Invariant: lead is k nodes ahead of before; when lead is the last node, before precedes the
  // target.
  let before = sentinel;
  while (lead.next !== null) {
    lead = lead.next;
    before = before.next as ListNode;
  }
  const target = before.next as ListNode;
  before.next = target.next;
  target.next = null;
  return sentinel.next;
}

// ---- Alternatives and counted versions ----

/** The first middle (index floor((n - 1) / 2)): the end of the front half when splitting in two. */
export function firstMiddleNode(head: ListNode | null): ListNode | null {
  assertList('head', head);
  if (head === null) return null;
  let slow = head;
  let fast = head;
  // Stops one pair earlier than middleNode for even n: fast at the second-to-last node.
  while (fast.next !== null && fast.next.next !== null) {
    slow = slow.next as ListNode;
    fast = fast.next.next;
  }
  return slow;
}

export type Middle = 'first' | 'second';

/** middleNode ('second') or firstMiddleNode ('first'), adding its pointer steps to `counter`. */
export function middleNodeCounted(
  head: ListNode | null,
  middle: Middle = 'second',
  counter?: Counter,
): ListNode | null {
  assertList('head', head);
  assertOneOf('middle', middle, ['first', 'second']);
  assertOptionalCounter('counter', counter);
  if (head === null) return null;
  let slow = head;
  let fast: ListNode | null = head;
  let steps = 0;
  const canStep = (f: ListNode | null): f is ListNode =>
    f !== null && f.next !== null && (middle === 'second' || f.next.next !== null);
  while (canStep(fast)) {
    slow = slow.next as ListNode;
    fast = (fast.next as ListNode).next;
    steps += 3;
  }
  counter?.add('steps', steps);
  return slow;
}

/** Floyd's meeting point, or null; `steps` counts every pointer move. Unchecked (internal). */
function floydMeeting(head: ListNode | null, tally: { steps: number }): ListNode | null {
  let slow = head;
  let fast = head;
  while (fast !== null && fast.next !== null) {
    slow = (slow as ListNode).next;
    fast = fast.next.next;
    tally.steps += 3;
    if (slow === fast) return slow;
  }
  return null;
}

/** cycleEntry, adding its pointer steps to `counter`: at most 3 (mu + lambda) + 2 mu <= 5n. */
export function cycleEntryCounted(head: ListNode | null, counter?: Counter): ListNode | null {
  assertListMayCycle('head', head);
  assertOptionalCounter('counter', counter);
  const tally = { steps: 0 };
  const meeting = floydMeeting(head, tally);
  let entry: ListNode | null = null;
  if (meeting !== null) {
    let p = head as ListNode;
    let q = meeting;
    while (p !== q) {
      p = p.next as ListNode;
      q = q.next as ListNode;
      tally.steps += 2;
    }
    entry = p;
  }
  counter?.add('steps', tally.steps);
  return entry;
}

/** The naive entry: the first node seen twice, remembered in a Set. O(n) time and O(n) memory. */
export function cycleEntryWithSet(head: ListNode | null, counter?: Counter): ListNode | null {
  assertListMayCycle('head', head);
  assertOptionalCounter('counter', counter);
  const seen = new Set<ListNode>();
  let steps = 0;
  let entry: ListNode | null = null;
  for (let p = head; p !== null; p = p.next, steps++) {
    if (seen.has(p)) {
      entry = p;
      break;
    }
    seen.add(p);
  }
  counter?.add('steps', steps);
  return entry;
}

/** kthFromEnd, adding its pointer steps to `counter`: k for the lead, 2 (n - k) together. */
export function kthFromEndCounted(head: ListNode | null, k: number, counter?: Counter): ListNode {
  assertList('head', head);
  assertInteger('k', k, { min: 1 });
  assertOptionalCounter('counter', counter);
  let steps = 0;
  let lead = head;
  for (let i = 0; i < k; i++, steps++) {
    if (lead === null) throw tooFew(k, i);
    lead = lead.next;
  }
  let trail = head as ListNode;
  for (; lead !== null; steps += 2) {
    lead = lead.next;
    trail = trail.next as ListNode;
  }
  counter?.add('steps', steps);
  return trail;
}

// ---- The common wrong answers ----

/** Pitfall: returns Floyd's meeting point as the cycle entry (wrong unless mu = 0 mod lambda). */
export function pitfallMeetingPointAsEntry(head: ListNode | null): ListNode | null {
  assertListMayCycle('head', head);
  return floydMeeting(head, { steps: 0 });
}

/** Pitfall: the lead walks k - 1 nodes ahead, so this returns the (k - 1)-th node from the end. */
export function pitfallKthFromEndOffByOne(head: ListNode | null, k: number): ListNode | null {
  assertList('head', head);
  assertInteger('k', k, { min: 1 });
  let lead = head;
  for (let i = 0; i < k - 1 && lead !== null; i++) lead = lead.next;
  let trail = head;
  while (lead !== null && trail !== null) {
    lead = lead.next;
    trail = trail.next;
  }
  return trail;
}

/** Pitfall: delete by value that always advances, so the node after each deleted one is skipped. */
export function pitfallDeleteByValueAdvancing(
  head: ListNode | null,
  value: number,
): ListNode | null {
  assertList('head', head);
  assertFinite('value', value);
  const sentinel = new ListNode(0, head);
  for (let p: ListNode | null = sentinel; p !== null && p.next !== null; p = p.next) {
    if (p.next.val === value) p.next = p.next.next; // then p = p.next skips an unjudged node
  }
  return sentinel.next;
}

/** Pitfall: "deletes" by reassigning the parameter (node = node.next): the list is unchanged. */
export function pitfallDeleteByReassigning(node: ListNode): void {
  assertListNode('node', node);
  node = node.next as ListNode; // rebinds the local name only; the caller's list is untouched
  void node;
}
