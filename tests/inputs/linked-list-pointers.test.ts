/**
 * Input checks of the list pointer moves (algorithms/linked-list-pointers.ts): every bad call names
 * its argument with a typed error; a cyclic list where none is allowed, and junk nodes, are found
 * at entry instead of hanging or throwing a TypeError from inside.
 */
import { describe } from 'vitest';
import {
  cycleEntry,
  cycleEntryCounted,
  cycleEntryWithSet,
  deleteByValue,
  deleteNode,
  firstMiddleNode,
  hasCycle,
  kthFromEnd,
  kthFromEndCounted,
  middleNode,
  middleNodeCounted,
  pitfallDeleteByReassigning,
  pitfallDeleteByValueAdvancing,
  pitfallKthFromEndOffByOne,
  pitfallMeetingPointAsEntry,
  removeKthFromEnd,
} from '../../algorithms/linked-list-pointers.js';
import { fromArray, ListNode, nodesOf, withCycle } from '../../algorithms/support/linked-list.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const cyclic = () => withCycle([1, 2, 3, 4, 5], 2).head;
/** A real ListNode whose next is a plain object that looks like a node. */
const junkTail = () => new ListNode(1, junk({ val: 2, next: null }));

describe('every function that walks a list rejects a head that is not a list', () => {
  const walkers = {
    deleteByValue: (h: ListNode | null) => deleteByValue(h, 1),
    middleNode,
    firstMiddleNode,
    middleNodeCounted: (h: ListNode | null) => middleNodeCounted(h),
    hasCycle,
    cycleEntry,
    cycleEntryCounted: (h: ListNode | null) => cycleEntryCounted(h),
    cycleEntryWithSet: (h: ListNode | null) => cycleEntryWithSet(h),
    kthFromEnd: (h: ListNode | null) => kthFromEnd(h, 1),
    kthFromEndCounted: (h: ListNode | null) => kthFromEndCounted(h, 1),
    removeKthFromEnd: (h: ListNode | null) => removeKthFromEnd(h, 1),
    pitfallMeetingPointAsEntry,
    pitfallKthFromEndOffByOne: (h: ListNode | null) => pitfallKthFromEndOffByOne(h, 1),
    pitfallDeleteByValueAdvancing: (h: ListNode | null) => pitfallDeleteByValueAdvancing(h, 1),
  };
  for (const [name, walk] of Object.entries(walkers)) {
    describe(name, () => {
      badCalls([
        ['an array', () => walk(junk([1, 2])), 'head', ArgumentTypeError],
        ['undefined', () => walk(junk(undefined)), 'head', ArgumentTypeError],
        [
          'a plain object shaped like a node',
          () => walk(junk({ val: 1, next: null })),
          'head',
          ArgumentTypeError,
        ],
        [
          'a ListNode whose next is a plain object',
          () => walk(junkTail()),
          'head',
          ArgumentTypeError,
        ],
        ['a ListNode holding NaN', () => walk(new ListNode(Number.NaN)), 'head'],
      ]);
    });
  }
});

describe('a cyclic list is an error, never a hang, wherever the walk must reach the end', () => {
  const mustEnd = {
    middleNode,
    firstMiddleNode,
    middleNodeCounted: (h: ListNode | null) => middleNodeCounted(h, 'first'),
    kthFromEnd: (h: ListNode | null) => kthFromEnd(h, 1),
    kthFromEndCounted: (h: ListNode | null) => kthFromEndCounted(h, 1),
    removeKthFromEnd: (h: ListNode | null) => removeKthFromEnd(h, 1),
    deleteByValue: (h: ListNode | null) => deleteByValue(h, 3),
    pitfallKthFromEndOffByOne: (h: ListNode | null) => pitfallKthFromEndOffByOne(h, 1),
    pitfallDeleteByValueAdvancing: (h: ListNode | null) => pitfallDeleteByValueAdvancing(h, 3),
  };
  badCalls(
    Object.entries(mustEnd).flatMap(([name, walk]) => [
      [`${name}: a cycle through the middle`, () => walk(cyclic()), 'head'] as const,
      [`${name}: a node linked to itself`, () => walk(withCycle([1], 0).head), 'head'] as const,
    ]),
  );
});

describe('deleteNode', () => {
  badCalls([
    [
      'the tail (given only itself, it cannot be deleted)',
      () => deleteNode(nodesOf(fromArray([1, 2, 3]))[2]!),
      'node',
    ],
    ['null', () => deleteNode(junk(null)), 'node', ArgumentTypeError],
    ['a plain object', () => deleteNode(junk({ val: 1, next: null })), 'node', ArgumentTypeError],
    ['a node linked to itself', () => deleteNode(withCycle([5], 0).head!), 'node'],
    ['a node whose next is junk', () => deleteNode(junkTail()), 'node', ArgumentTypeError],
    [
      'the reassigning pitfall, null',
      () => pitfallDeleteByReassigning(junk(null)),
      'node',
      ArgumentTypeError,
    ],
  ]);
});

describe('k, the value, the middle and the counter', () => {
  const head = () => fromArray([1, 2, 3]);
  badCalls([
    ['k = 0', () => kthFromEnd(head(), 0), 'k'],
    ['k = 1.5', () => kthFromEnd(head(), 1.5), 'k'],
    ['k past the length', () => kthFromEnd(head(), 4), 'k'],
    ['any k on the empty list', () => kthFromEnd(null, 1), 'k'],
    ['k NaN', () => kthFromEnd(head(), Number.NaN), 'k'],
    ['k a string', () => kthFromEnd(head(), junk('1')), 'k', ArgumentTypeError],
    ['removeKthFromEnd: k past the length', () => removeKthFromEnd(head(), 4), 'k'],
    ['kthFromEndCounted: k past the length', () => kthFromEndCounted(head(), 4), 'k'],
    ['the off-by-one pitfall: k = 0', () => pitfallKthFromEndOffByOne(head(), 0), 'k'],
    ['a NaN value to delete', () => deleteByValue(head(), Number.NaN), 'value'],
    [
      'a string value to delete',
      () => deleteByValue(head(), junk('1')),
      'value',
      ArgumentTypeError,
    ],
    ['an unknown middle', () => middleNodeCounted(head(), junk('third')), 'middle'],
    [
      'a counter that is not a Counter',
      () => middleNodeCounted(head(), 'first', junk({})),
      'counter',
      ArgumentTypeError,
    ],
    [
      'cycleEntryCounted: a bad counter',
      () => cycleEntryCounted(head(), junk({ steps: 0 })),
      'counter',
      ArgumentTypeError,
    ],
    [
      'cycleEntryWithSet: a bad counter',
      () => cycleEntryWithSet(head(), junk(1)),
      'counter',
      ArgumentTypeError,
    ],
    [
      'kthFromEndCounted: a bad counter',
      () => kthFromEndCounted(head(), 1, junk([])),
      'counter',
      ArgumentTypeError,
    ],
  ]);
});
