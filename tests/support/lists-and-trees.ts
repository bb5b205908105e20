/**
 * Generators for list and tree tests, written without the code under test.
 * `levelOrderArray` lays values out slot by slot: the root opens one slot, every non-null value
 * opens two child slots, generation stops when no slot is open, and trailing nulls are trimmed.
 * That yields exactly the canonical LeetCode level-order arrays.
 */
import { fc } from '@fast-check/vitest';
import type { ListNode } from '../../algorithms/support/linked-list.js';

export interface LevelOrderOptions {
  /** Upper bound on the array length. */
  maxLength?: number;
  /** A slot is empty (null) with probability 1 / nullFreq. */
  nullFreq?: number;
}

/** Trims a raw sequence of slot values into a canonical level-order array. */
export function canonicalLevelOrder(raw: readonly (number | null)[]): (number | null)[] {
  const out: (number | null)[] = [];
  let open = 1;
  for (const v of raw) {
    if (open === 0) break;
    out.push(v);
    open += v === null ? -1 : 1;
  }
  while (out.length > 0 && out[out.length - 1] === null) out.pop();
  return out;
}

/** Canonical level-order arrays of trees with a non-null root (and the empty tree). */
export function levelOrderArray({
  maxLength = 40,
  nullFreq = 3,
}: LevelOrderOptions = {}): fc.Arbitrary<(number | null)[]> {
  const value = fc.integer({ min: -1_000_000, max: 1_000_000 });
  const slots = fc.array(fc.option(value, { freq: nullFreq, nil: null }), { maxLength });
  const nonEmpty = fc
    .tuple(value, slots)
    .map(([root, rest]) => canonicalLevelOrder([root, ...rest]));
  return fc.oneof(
    { arbitrary: fc.constant<(number | null)[]>([]), weight: 1 },
    { arbitrary: nonEmpty, weight: 19 },
  );
}

/** Small integer values, repeats likely: list tests compare nodes by identity, not by value. */
export const listValues = (maxLength = 40) =>
  fc.array(fc.integer({ min: -100, max: 100 }), { maxLength });

/**
 * The first `limit` nodes reached from `head` (fewer if the list ends first). A bounded walk, so a
 * property can judge a list that may have a cycle (length > n) instead of hanging or throwing.
 */
export function firstNodes(head: ListNode | null, limit: number): ListNode[] {
  const nodes: ListNode[] = [];
  for (let p = head; p !== null && nodes.length < limit; p = p.next) nodes.push(p);
  return nodes;
}
