/**
 * Input checks of reorder-list (algorithms/reorder-list.ts): a head that is not a list, a list of
 * junk nodes, or a cyclic list is an ArgumentError / ArgumentTypeError at entry, never a hang.
 */
import { describe } from 'vitest';
import {
  pitfallReorderLosesTail,
  pitfallReorderWithoutCut,
  reorderList,
  reorderListByArray,
  reorderListCounted,
  reverseList,
} from '../../algorithms/reorder-list.js';
import { fromArray, ListNode, withCycle } from '../../algorithms/support/linked-list.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;

const versions = {
  reorderList,
  reorderListByArray,
  reorderListCounted: (h: ListNode | null) => reorderListCounted(h),
  reverseList,
  pitfallReorderWithoutCut,
  pitfallReorderLosesTail,
};
for (const [name, reorder] of Object.entries(versions)) {
  describe(name, () => {
    badCalls([
      ['an array', () => reorder(junk([1, 2, 3])), 'head', ArgumentTypeError],
      ['undefined', () => reorder(junk(undefined)), 'head', ArgumentTypeError],
      [
        'a plain object shaped like a node',
        () => reorder(junk({ val: 1, next: null })),
        'head',
        ArgumentTypeError,
      ],
      [
        'a ListNode whose next is junk',
        () => reorder(new ListNode(1, junk({}))),
        'head',
        ArgumentTypeError,
      ],
      ['a ListNode holding a string', () => reorder(new ListNode(junk('1'))), 'head'],
      ['a cycle through the middle', () => reorder(withCycle([1, 2, 3, 4, 5], 2).head), 'head'],
      ['a node linked to itself', () => reorder(withCycle([1], 0).head), 'head'],
    ]);
  });
}

describe('the counter and the values', () => {
  badCalls([
    [
      'a counter that is not a Counter',
      () => reorderListCounted(fromArray([1, 2]), junk({ steps: 0 })),
      'counter',
      ArgumentTypeError,
    ],
    [
      'NaN values cannot get into a list',
      () => reorderList(fromArray([1, Number.NaN])),
      'values[1]',
    ],
  ]);
});
