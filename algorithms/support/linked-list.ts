/**
 * The singly linked list shared by every list concept (Q05 reorder-list, Q08 linked-list-pointers):
 * LeetCode's `ListNode`, built from an array and read back to one, plus a list whose tail links
 * back to a chosen index (LeetCode 141/142's `pos`), and the entry checks every list function uses.
 * Plumbing only: the concepts live in their own modules.
 *
 * @example
 *   toArray(fromArray([1, 2, 3]))          // [1, 2, 3]
 *   withCycle([3, 2, 0, -4], 1).entry.val  // 2: the tail -4 links back to index 1
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertFiniteArray,
  assertInteger,
} from '../../core/errors.js';

/** One node of a singly linked list of numbers, as in LeetCode. */
export class ListNode {
  constructor(
    public val: number,
    public next: ListNode | null = null,
  ) {}
}

/** Throws unless `head` is a ListNode or null (the empty list). O(1): the head only. */
export function assertListHead(argument: string, head: unknown): asserts head is ListNode | null {
  if (head !== null && !(head instanceof ListNode)) {
    throw new ArgumentTypeError(argument, head, 'a ListNode or null (the empty list)');
  }
}

/** Throws unless `node` is a ListNode holding a finite number, its `next` a ListNode or null. */
export function assertListNode(argument: string, node: unknown): asserts node is ListNode {
  assertNode(argument, node, node);
}

function assertNode(argument: string, head: unknown, node: unknown): asserts node is ListNode {
  const nodes = 'a list of ListNode objects (a next is not a ListNode)';
  if (!(node instanceof ListNode)) throw new ArgumentTypeError(argument, head, nodes);
  if (typeof node.val !== 'number' || !Number.isFinite(node.val)) {
    const shown = `a list holding ${String(node.val)}`;
    throw new ArgumentError(argument, head, 'a list of finite numbers', shown);
  }
  if (node.next !== null && !(node.next instanceof ListNode)) {
    throw new ArgumentTypeError(argument, head, nodes);
  }
}

/**
 * Checks a whole list in one pass, O(n) time and O(1) space: every node is a ListNode holding a
 * finite number, and a cycle is found by Floyd's fast/slow pointers (bounded: fast visits every
 * node at most about three times). Returns whether the list has a cycle.
 */
function inspectList(argument: string, head: unknown): boolean {
  assertListHead(argument, head);
  if (head === null) return false;
  assertNode(argument, head, head);
  let slow: ListNode = head;
  let fast: ListNode = head;
  for (;;) {
    const one = fast.next;
    if (one === null) return false;
    assertNode(argument, head, one);
    const two = one.next;
    if (two === null) return false;
    assertNode(argument, head, two);
    fast = two;
    slow = slow.next as ListNode;
    if (slow === fast) return true;
  }
}

/**
 * Throws unless `head` is a finite (acyclic) list of ListNodes holding finite numbers, or null.
 * One O(n) pass, O(1) space: a cyclic list is an ArgumentError, never a hang.
 */
export function assertList(argument: string, head: unknown): asserts head is ListNode | null {
  if (inspectList(argument, head)) {
    const acyclic = 'an acyclic list (the last node links to null)';
    throw new ArgumentError(argument, head, acyclic, 'a list with a cycle');
  }
}

/**
 * Throws unless `head` is a list of ListNodes holding finite numbers, or null; a cycle is allowed
 * (for the cycle detectors). One O(n) pass, O(1) space.
 */
export function assertListMayCycle(
  argument: string,
  head: unknown,
): asserts head is ListNode | null {
  inspectList(argument, head);
}

/** A fresh list holding `values` in order; null for []. Values must be finite numbers. */
export function fromArray(values: readonly number[]): ListNode | null {
  assertArray('values', values);
  assertFiniteArray('values', values);
  let head: ListNode | null = null;
  for (let i = values.length - 1; i >= 0; i--) head = new ListNode(values[i] as number, head);
  return head;
}

/**
 * The nodes of a list in order (node identity, not values). A cycle is an error here, found with a
 * Set of visited nodes: this is a test and display helper, not the O(1)-space detector of Q08.
 */
export function nodesOf(head: ListNode | null, argument = 'head'): ListNode[] {
  if (typeof argument !== 'string') throw new ArgumentTypeError('argument', argument, 'a string');
  assertListHead(argument, head);
  const nodes: ListNode[] = [];
  const seen = new Set<ListNode>();
  for (let p: ListNode | null = head; p !== null; p = p.next) {
    assertNode(argument, head, p);
    if (seen.has(p)) {
      const at = `node ${nodes.indexOf(p)} is reached twice, after ${nodes.length} nodes`;
      throw new ArgumentError(argument, head, `an acyclic list (${at})`, 'a list with a cycle');
    }
    seen.add(p);
    nodes.push(p);
  }
  return nodes;
}

/** The values of an acyclic list, in order. */
export function toArray(head: ListNode | null, argument = 'head'): number[] {
  return nodesOf(head, argument).map((node) => node.val);
}

/** A list with its nodes in order; `entry` is where the tail links back to, or null. */
export interface CyclicList {
  head: ListNode | null;
  nodes: ListNode[];
  entry: ListNode | null;
}

/**
 * A list of `values` whose tail links back to the node at index `pos` (LeetCode 141/142); pos = -1
 * means no cycle. Cycle length is n - pos and the tail part before the cycle has pos nodes.
 */
export function withCycle(values: readonly number[], pos: number): CyclicList {
  const head = fromArray(values);
  assertInteger('pos', pos, { min: -1, max: values.length - 1 });
  const nodes: ListNode[] = [];
  for (let p = head; p !== null; p = p.next) nodes.push(p);
  const entry = pos === -1 ? null : (nodes[pos] as ListNode);
  if (entry !== null) (nodes[nodes.length - 1] as ListNode).next = entry;
  return { head, nodes, entry };
}
