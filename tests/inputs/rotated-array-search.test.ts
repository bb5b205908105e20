/**
 * Input checks of Q02's module: each bad call is rejected with the project's error class and the
 * name of the argument at fault (whole messages are not pinned).
 */
import { describe } from 'vitest';
import {
  assertRotatedSorted,
  findMinRotated,
  findMinRotatedWithDuplicates,
  pitfallMinAgainstLeftEnd,
  pitfallStrictHalfTest,
  searchRotated,
  searchRotatedCounted,
  searchRotatedWithDuplicates,
} from '../../algorithms/rotated-array-search.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { badCalls } from '../support/answer-key.js';

const junk = (x: unknown) => x as never;

const searches = [
  ['searchRotated', searchRotated],
  ['searchRotatedCounted', searchRotatedCounted],
  ['searchRotatedWithDuplicates', searchRotatedWithDuplicates],
  ['pitfallStrictHalfTest', pitfallStrictHalfTest],
] as const;

for (const [name, search] of searches) {
  describe(name, () => {
    badCalls([
      ['nums as a string', () => search(junk('4567'), 5), 'nums', ArgumentTypeError],
      ['nums null', () => search(junk(null), 5), 'nums', ArgumentTypeError],
      [
        'nums an array-like object',
        () => search(junk({ length: 2 }), 5),
        'nums',
        ArgumentTypeError,
      ],
      ['target NaN', () => search([1, 2, 3], Number.NaN), 'target'],
      ['target 1.5', () => search([1, 2, 3], 1.5), 'target'],
      ['target as a string', () => search([1, 2, 3], junk('3')), 'target', ArgumentTypeError],
    ]);
  });
}

describe('the counted versions check what they probe', () => {
  badCalls([
    ['a probed NaN', () => searchRotatedCounted([1, Number.NaN, 3], 2), 'nums[1]'],
    ['a probed string', () => findMinRotated([3, junk('1'), 2]), 'nums[1]', ArgumentTypeError],
    ['a probed 1.5', () => searchRotatedWithDuplicates([1, 1.5, 2], 0), 'nums[1]'],
    [
      'a counter of the wrong kind',
      () => searchRotatedCounted([1], 1, junk({ probes: 0 })),
      'counter',
      ArgumentTypeError,
    ],
    [
      'a counter of the wrong kind (154)',
      () => findMinRotatedWithDuplicates([1], junk(3)),
      'counter',
      ArgumentTypeError,
    ],
  ]);
});

for (const [name, findMin] of [
  ['findMinRotated', findMinRotated],
  ['findMinRotatedWithDuplicates', findMinRotatedWithDuplicates],
  ['pitfallMinAgainstLeftEnd', pitfallMinAgainstLeftEnd],
] as const) {
  describe(name, () => {
    badCalls([
      ['an empty array (no minimum)', () => findMin([]), 'nums'],
      ['nums a number', () => findMin(junk(7)), 'nums', ArgumentTypeError],
      ['nums undefined', () => findMin(junk(undefined)), 'nums', ArgumentTypeError],
    ]);
  });
}

describe('assertRotatedSorted', () => {
  badCalls([
    ['nums a number', () => assertRotatedSorted(junk(7)), 'nums', ArgumentTypeError],
    ['a NaN element', () => assertRotatedSorted([1, 2, Number.NaN, 4]), 'nums[2]'],
    ['two descents', () => assertRotatedSorted([3, 1, 2, 0]), 'nums'],
    [
      'a repeat when distinct is asked',
      () => assertRotatedSorted([1, 1, 2], { distinct: true }),
      'nums',
    ],
    ['options null', () => assertRotatedSorted([1], junk(null)), 'options', ArgumentTypeError],
    [
      'distinct as a string',
      () => assertRotatedSorted([1], junk({ distinct: 'yes' })),
      'options.distinct',
      ArgumentTypeError,
    ],
  ]);
});
