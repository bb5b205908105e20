/** Input checks of the shared list and tree toolkit (algorithms/support/): typed, named errors. */
import { describe } from 'vitest';
import {
  assertTree,
  fromLevelOrder,
  height,
  leftComb,
  size,
  toLevelOrder,
  TreeNode,
} from '../../algorithms/support/binary-tree.js';
import {
  assertList,
  assertListMayCycle,
  assertListNode,
  fromArray,
  ListNode,
  nodesOf,
  toArray,
  withCycle,
} from '../../algorithms/support/linked-list.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;

describe('lists', () => {
  badCalls([
    ['fromArray: not an array', () => fromArray(junk('123')), 'values', ArgumentTypeError],
    ['fromArray: a NaN', () => fromArray([1, Number.NaN]), 'values[1]'],
    ['withCycle: pos past the end', () => withCycle([1, 2], 2), 'pos'],
    ['withCycle: pos below -1', () => withCycle([1, 2], -2), 'pos'],
    [
      'toArray: a plain object',
      () => toArray(junk({ val: 1, next: null })),
      'head',
      ArgumentTypeError,
    ],
    ['toArray: a cycle', () => toArray(withCycle([1, 2, 3], 0).head), 'head'],
    [
      'toArray: a ListNode whose next is junk',
      () => toArray(new ListNode(1, junk({ val: 2 }))),
      'head',
      ArgumentTypeError,
    ],
    [
      'nodesOf: a name that is not a string',
      () => nodesOf(null, junk(3)),
      'argument',
      ArgumentTypeError,
    ],
    ['assertList: a cycle', () => assertList('xs', withCycle([1, 2, 3], 1).head), 'xs'],
    [
      'assertList: a node holding NaN',
      () => assertList('xs', new ListNode(1, new ListNode(Number.NaN))),
      'xs',
    ],
    ['assertList: a plain object', () => assertList('xs', junk({})), 'xs', ArgumentTypeError],
    [
      'assertListMayCycle: a junk node inside a cycle',
      () => {
        const { head, nodes } = withCycle([1, 2, 3], 0);
        (nodes[1] as ListNode).val = junk('x');
        return assertListMayCycle('xs', head);
      },
      'xs',
    ],
    ['assertListNode: null', () => assertListNode('node', null), 'node', ArgumentTypeError],
  ]);
});

describe('trees', () => {
  const shared = () => {
    const child = new TreeNode(2);
    return new TreeNode(1, child, child);
  };
  const backLink = () => {
    const root = new TreeNode(1, new TreeNode(2));
    (root.left as TreeNode).right = root;
    return root;
  };
  badCalls([
    ['fromLevelOrder: not an array', () => fromLevelOrder(junk({})), 'values', ArgumentTypeError],
    ['fromLevelOrder: a NaN', () => fromLevelOrder([1, Number.NaN]), 'values[1]'],
    ['fromLevelOrder: a string', () => fromLevelOrder(junk([1, '2'])), 'values[1]'],
    [
      'fromLevelOrder: a value with no parent',
      () => fromLevelOrder([1, null, null, 2]),
      'values[3]',
    ],
    ['fromLevelOrder: nodes after a null root', () => fromLevelOrder([null, 1]), 'values'],
    ['toLevelOrder: a shared node', () => toLevelOrder(shared()), 'root'],
    ['toLevelOrder: a link back to the root', () => toLevelOrder(backLink()), 'root'],
    ['height: an array', () => height(junk([1])), 'root', ArgumentTypeError],
    ['height: a link back to the root (would never end)', () => height(backLink()), 'root'],
    [
      'size: a child that is a plain object',
      () => size(new TreeNode(1, junk({ val: 2, left: null, right: null }))),
      'root',
      ArgumentTypeError,
    ],
    [
      'assertTree: a node holding Infinity',
      () => assertTree('t', new TreeNode(1, new TreeNode(Infinity))),
      't',
    ],
    ['leftComb: a negative size', () => leftComb(-1), 'levels'],
    ['leftComb: a huge size', () => leftComb(2 ** 31), 'levels'],
    ['leftComb: a fractional size', () => leftComb(1.5), 'levels'],
  ]);
});
