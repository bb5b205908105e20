/**
 * The singly linked list shared by every list concept (Q05 reorder-list, Q08 linked-list-pointers):
 * LeetCode's `ListNode`, built from an array and read back to one, plus a list whose tail links back
 * to a chosen index (LeetCode 141/142's `pos`). Plumbing only: the concepts live in their own modules.
 *
 * @example
 *   toArray(fromArray([1, 2, 3]))          // [1, 2, 3]
 *   withCycle([3, 2, 0, -4], 1).entry.val  // 2: the tail -4 links back to index 1
 */
import { ArgumentError, ArgumentTypeError, assertArray, assertFiniteArray, assertInteger } from '../../core/errors.js';

/** One node of a singly linked list of numbers, as in LeetCode. */
export class ListNode {
  constructor(
    public val: number,
    public next: ListNode | null = null,
  ) {}
}

/** Counts pointer steps (each `p = p.next` is one) so a test can assert a complexity bound. */
export interface PointerSteps {
  steps: number;
}

/** Throws unless `head` is a ListNode or null (the empty list). */
export function assertListHead(argument: string, head: unknown): asserts head is ListNode | null {
  if (head !== null && !(head instanceof ListNode)) throw new ArgumentTypeError(argument, head, 'a ListNode or null (the empty list)');
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
  assertListHead(argument, head);
  const nodes: ListNode[] = [];
  const seen = new Set<ListNode>();
  for (let p: ListNode | null = head; p !== null; p = p.next) {
    if (seen.has(p)) throw new ArgumentError(argument, head, `an acyclic list (node ${nodes.indexOf(p)} is reached twice, after ${nodes.length} nodes)`, 'a list with a cycle');
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
